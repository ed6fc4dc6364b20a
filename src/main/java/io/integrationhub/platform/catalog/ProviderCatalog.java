package io.integrationhub.platform.catalog;


import java.util.List;
import java.util.Optional;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import io.integrationhub.platform.catalog.ProviderDefinition.AuthType;
import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.config.HubProperties.ProviderSettings;

/**
 * The providers tenants can connect: every entry of the provider families' {@code routes/<family>/catalog.json},
 * read live by {@link FamilyCatalog}. Settings ({@code hub.providers.<settingsKey>.*}) are bound on use, with the
 * family's endpoint defaults below the operator's values. Scopes are the minimal set for the entities and actions
 * listed; {@code hub.providers.<key>.scopes} overrides them.
 */
@Component
public class ProviderCatalog {

    private final HubProperties properties;
    private final FamilyCatalog families;
    private final ConfigurableEnvironment environment;

    public ProviderCatalog(HubProperties properties, ConfigurableEnvironment environment) {
        this.properties = properties;
        this.environment = environment;
        this.families = FamilyEnvironment.catalog(environment);
    }

    public List<ProviderDefinition> all() {
        return families.all().stream().map(ProviderCatalog::definition).toList();
    }

    public Optional<ProviderDefinition> find(String key) {
        return key == null ? Optional.empty() : families.find(key).map(ProviderCatalog::definition);
    }

    /** The family folder's description of a provider, when it is described as data. */
    public Optional<FamilySpec> family(String key) {
        return families.find(key);
    }

    public FamilyCatalog families() {
        return families;
    }

    private static ProviderDefinition definition(FamilySpec f) {
        return new ProviderDefinition(f.key(), f.name(), f.category(), AuthType.valueOf(f.authType()), f.settingsKey(), f.scopes(),
                f.scopeSeparator(), f.entities().stream().map(FamilySpec.Entity::name).toList(),
                f.actions().stream().map(FamilySpec.Action::name).toList(), f.webhooks());
    }

    /** The settings block for a provider; never null (an empty block when nothing is configured). */
    public ProviderSettings settings(ProviderDefinition definition) {
        // Bound on every use: the family's defaults come from its catalog file, which may change at run time.
        return bind(definition.settingsKey());
    }

    private ProviderSettings bind(String key) {
        return Binder.get(environment).bind("hub.providers." + key, ProviderSettings.class).orElseGet(ProviderSettings::new);
    }

    /**
     * Scopes asked for: {@code hub.providers.<key>.scopes} when set (by catalog key, so the Microsoft
     * entries can be narrowed one by one), else the entry's minimal set.
     */
    public List<String> scopes(ProviderDefinition definition) {
        ProviderSettings own = bind(definition.key());
        if (own != null && own.getScopes() != null && !own.getScopes().isEmpty()) {
            return own.getScopes();
        }
        return definition.defaultScopes();
    }

    /** An oauth2 provider is usable only once the hub has a client id for it. */
    public boolean isConfigured(ProviderDefinition definition) {
        return definition.authType() == AuthType.api_key || StringUtils.hasText(settings(definition).getClientId());
    }

    /** The property a host operator must set to make an unconfigured provider usable. */
    public String missingSetting(ProviderDefinition definition) {
        return "hub.providers." + definition.settingsKey() + ".client-id";
    }
}
