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
    /** Bound once per catalog version and handed out as copies (binding on every use cost more than a webhook's check). */
    private final PerCatalogVersion<ProviderSettings> bound;
    private final ConfigurableEnvironment environment;

    public ProviderCatalog(HubProperties properties, ConfigurableEnvironment environment) {
        this.properties = properties;
        this.environment = environment;
        this.families = FamilyEnvironment.catalog(environment);
        this.bound = new PerCatalogVersion<>(families, k -> Binder.get(environment).bind("hub.providers." + k,
                ProviderSettings.class).orElseGet(ProviderSettings::new));
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

    /**
     * The settings block for a provider; never null (an empty block when nothing is configured). The caller's own
     * copy: it may change it.
     */
    public ProviderSettings settings(ProviderDefinition definition) {
        return bind(definition.settingsKey());
    }

    /** The text an endpoint of a family with a per-connection base URL holds where that URL goes. */
    public static final String CONNECTION_URL = "{connectionUrl}";

    /**
     * The settings for one connection: where the family declares {@code connectionUrl}, the endpoints' placeholder
     * {@value #CONNECTION_URL} becomes the connection's base URL (its config field; left as it is while unset, so a
     * call fails rather than going elsewhere). Other families: {@link #settings(ProviderDefinition)}.
     */
    public ProviderSettings settings(ProviderDefinition definition, com.fasterxml.jackson.databind.JsonNode config) {
        ProviderSettings settings = settings(definition);
        String base = families.find(definition.key()).map(f -> connectionUrl(f, config)).orElse(null);
        if (base != null) {
            settings.setConnectionUrl(base);
            settings.setAuthorizeUrl(fill(settings.getAuthorizeUrl(), base));
            settings.setTokenUrl(fill(settings.getTokenUrl(), base));
            settings.setRevokeUrl(fill(settings.getRevokeUrl(), base));
            settings.setApiUrl(fill(settings.getApiUrl(), base));
        }
        return settings;
    }

    /** The connection's base URL without a trailing slash, or null (the family has none, or it is not set). */
    public static String connectionUrl(FamilySpec family, com.fasterxml.jackson.databind.JsonNode config) {
        if (family.connectionUrl() == null || config == null) {
            return null;
        }
        String url = config.path(family.connectionUrl().config()).asText("").trim();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return url.isEmpty() ? null : url;
    }

    private static String fill(String template, String base) {
        return template == null ? null : template.replace(CONNECTION_URL, base);
    }

    /**
     * What is wrong with a connection's base URL, or null: https on a host matching the family's {@code hosts}
     * patterns, or a host (https) or origin ({@code http://127.0.0.1:8089}) listed in
     * {@code hub.providers.<key>.allowed-hosts}; no user info, path, query or fragment.
     */
    public String connectionUrlProblem(ProviderDefinition definition, String url) {
        FamilySpec family = families.find(definition.key()).orElse(null);
        if (family == null || family.connectionUrl() == null) {
            return null;
        }
        java.net.URI uri;
        try {
            uri = new java.net.URI(url);
        } catch (java.net.URISyntaxException e) {
            return "not a URL";
        }
        boolean root = family.connectionUrl().root();
        if (root) {
            // An API root (a BC on-premises service root): a path is part of it, but nothing that could climb out.
            if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || url.contains("\\")
                    || (uri.getRawPath() != null && (uri.getRawPath().contains("/../") || uri.getRawPath().endsWith("/..")
                            || uri.getRawPath().contains("/./") || uri.getRawPath().contains("%")))) {
                return "must be an absolute URL without user info, query or fragment, such as "
                        + "https://nav.contoso.com:7048/bc/api/v2.0";
            }
        } else if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()
                        || uri.getRawPath().equals("/"))) {
            return "must be the scheme and host only, such as https://acme.simprosuite.com";
        }
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        String host = uri.getHost().toLowerCase(java.util.Locale.ROOT);
        String origin = scheme + "://" + host + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        List<String> allowed = Binder.get(environment).bind("hub.providers." + definition.settingsKey() + ".allowed-hosts",
                org.springframework.boot.context.properties.bind.Bindable.listOf(String.class)).orElse(List.of());
        for (String entry : allowed) {
            String e = entry.trim().toLowerCase(java.util.Locale.ROOT);
            if (e.contains("://") ? origin.equals(e.endsWith("/") ? e.substring(0, e.length() - 1) : e)
                    : scheme.equals("https") && uri.getPort() < 0 && hostMatches(host, e)) {
                return null;
            }
        }
        if (!scheme.equals("https")) {
            return "must use https";
        }
        if (root && family.connectionUrl().hosts().isEmpty()) {
            return "must be a host the operator allows (hub.providers." + definition.settingsKey()
                    + ".allowed-hosts: a host such as nav.contoso.com, or an origin with its port such as "
                    + "https://nav.contoso.com:7048)";
        }
        if (uri.getPort() >= 0 || family.connectionUrl().hosts().stream().noneMatch(p -> hostMatches(host, p))) {
            return "must be a host of " + String.join(", ", family.connectionUrl().hosts())
                    + " or one the operator allows (hub.providers." + definition.settingsKey() + ".allowed-hosts)";
        }
        return null;
    }

    private static boolean hostMatches(String host, String pattern) {
        String p = pattern.toLowerCase(java.util.Locale.ROOT);
        return p.startsWith("*.") ? host.endsWith(p.substring(1)) && host.length() > p.length() - 1
                && host.substring(0, host.length() - p.length() + 1).matches("[a-z0-9-]+") : host.equals(p);
    }

    /**
     * Bound once per version of the family catalog (the family's defaults come from its catalog file, which may change
     * at run time) and handed out as copies. Binding on every use cost more than the rest of a webhook's verification.
     */
    private ProviderSettings bind(String key) {
        return bound.get(key).copy();
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
