package io.integrationhub.platform.catalog;

import static io.integrationhub.platform.catalog.ProviderDefinition.AuthType.api_key;
import static io.integrationhub.platform.catalog.ProviderDefinition.AuthType.oauth2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

import io.integrationhub.platform.catalog.ProviderDefinition.AuthType;
import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.config.HubProperties.ProviderSettings;

/**
 * The providers tenants can connect: the built-in entries below and every provider family described as data
 * ({@code routes/<family>/catalog.json}, read live by {@link FamilyCatalog}; a family replaces a built-in entry of
 * the same key). Scopes are the minimal set for the entities and actions
 * listed; {@code hub.providers.<key>.scopes} overrides them.
 */
@Component
public class ProviderCatalog {

    private static final List<String> MS_BASE = List.of("User.Read", "offline_access");

    private final Map<String, ProviderDefinition> definitions = new LinkedHashMap<>();
    private final HubProperties properties;
    private final FamilyCatalog families;
    private final ConfigurableEnvironment environment;

    public ProviderCatalog(HubProperties properties, ConfigurableEnvironment environment) {
        this.properties = properties;
        this.environment = environment;
        this.families = FamilyEnvironment.catalog(environment);
        add(new ProviderDefinition("onedrive", "Microsoft OneDrive", "files", oauth2, "microsoft",
                concat(List.of("Files.ReadWrite.All"), MS_BASE), " ",
                List.of("file", "folder"), List.of("ensure-job-folders", "upload-file", "download-file"), true));
        add(new ProviderDefinition("outlook", "Microsoft Outlook Mail", "email", oauth2, "microsoft",
                concat(List.of("Mail.ReadWrite", "Mail.Send"), MS_BASE), " ",
                List.of("email"), List.of("send-mail"), true));
        add(new ProviderDefinition("outlook-calendar", "Microsoft Outlook Calendar", "calendar", oauth2, "microsoft",
                concat(List.of("Calendars.ReadWrite"), MS_BASE), " ",
                List.of("calendar_event"), List.of("upsert-event", "delete-event"), true));
        add(new ProviderDefinition("xero", "Xero", "accounting", oauth2, "xero",
                List.of("offline_access", "accounting.transactions", "accounting.contacts", "accounting.settings.read"), " ",
                List.of("invoice", "bill", "payment", "contact", "item"),
                List.of("push-invoice", "push-contact", "push-payment"), true));
        add(new ProviderDefinition("google-drive", "Google Drive", "files", oauth2, "google-drive",
                List.of("https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/drive.readonly"), " ",
                List.of("file", "folder"), List.of("upload-file", "download-file"), true));
        add(new ProviderDefinition("square", "Square", "commerce", oauth2, "square",
                List.of("MERCHANT_PROFILE_READ", "ITEMS_READ", "ITEMS_WRITE", "ORDERS_READ", "PAYMENTS_READ", "CUSTOMERS_READ"), " ",
                List.of("item", "category", "order", "payment", "customer"), List.of("upsert-item"), true));
        add(new ProviderDefinition("hubspot", "HubSpot", "crm", oauth2, "hubspot",
                List.of("oauth", "crm.objects.contacts.read", "crm.objects.contacts.write",
                        "crm.objects.companies.read", "crm.objects.deals.read"), " ",
                List.of("contact", "company", "deal"), List.of("upsert-contact"), true));
        add(new ProviderDefinition("business-central", "Dynamics 365 Business Central (OData v4)", "erp", api_key,
                "business-central", List.of(), " ",
                List.of("customer", "item", "order", "invoice"), List.of("upsert-customer"), false));
        add(new ProviderDefinition("slack", "Slack", "messaging", oauth2, "slack",
                List.of("chat:write", "channels:read", "team:read"), ",",
                List.of(), List.of("post-message"), true));
    }

    private void add(ProviderDefinition definition) {
        definitions.put(definition.key(), definition);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    public List<ProviderDefinition> all() {
        Map<String, ProviderDefinition> all = new LinkedHashMap<>(definitions);
        for (FamilySpec family : families.all()) {
            all.put(family.key(), definition(family));
        }
        return List.copyOf(all.values());
    }

    public Optional<ProviderDefinition> find(String key) {
        if (key == null) {
            return Optional.empty();
        }
        Optional<FamilySpec> family = families.find(key);
        return family.isPresent() ? family.map(ProviderCatalog::definition) : Optional.ofNullable(definitions.get(key));
    }

    /** The family folder's description of a provider, when it is described as data. */
    public Optional<FamilySpec> family(String key) {
        return families.find(key);
    }

    public FamilyCatalog families() {
        return families;
    }

    private static ProviderDefinition definition(FamilySpec f) {
        return new ProviderDefinition(f.key(), f.name(), f.category(), AuthType.valueOf(f.authType()), f.key(), f.scopes(),
                f.scopeSeparator(), f.entities().stream().map(FamilySpec.Entity::name).toList(),
                f.actions().stream().map(FamilySpec.Action::name).toList(), f.webhooks());
    }

    /** The settings block for a provider; never null (an empty block when nothing is configured). */
    public ProviderSettings settings(ProviderDefinition definition) {
        if (families.find(definition.key()).isPresent()) {
            // Bound on every use: the family's defaults come from its catalog file, which may change at run time.
            return Binder.get(environment).bind("hub.providers." + definition.key(), ProviderSettings.class)
                    .orElseGet(ProviderSettings::new);
        }
        ProviderSettings settings = properties.getProviders().get(definition.settingsKey());
        return settings != null ? settings : new ProviderSettings();
    }

    /**
     * Scopes asked for: {@code hub.providers.<key>.scopes} when set (by catalog key, so the Microsoft
     * entries can be narrowed one by one), else the entry's minimal set.
     */
    public List<String> scopes(ProviderDefinition definition) {
        ProviderSettings own = families.find(definition.key()).isPresent() ? settings(definition)
                : properties.getProviders().get(definition.key());
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
