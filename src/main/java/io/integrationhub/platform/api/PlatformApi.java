package io.integrationhub.platform.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.sync.PushTargets;
import io.integrationhub.platform.sync.SyncSources;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.tenancy.ConnectSession;
import io.integrationhub.platform.tenancy.ConnectSessions;
import io.integrationhub.platform.tenancy.TenantService;

/** Tenants, the provider catalog and the API document (route beans named by operationId). */
@Component("platformApi")
public class PlatformApi {

    private final ApiExchange api;
    private final TenantService tenants;
    private final ProviderCatalog catalog;
    private final byte[] openApiDocument;
    private final SyncSources sources;
    private final PushTargets targets;
    private final ConnectSessions sessions;

    public PlatformApi(ApiExchange api, TenantService tenants, ProviderCatalog catalog, SyncSources sources,
            PushTargets targets, ConnectSessions sessions) throws IOException {
        this.api = api;
        this.sessions = sessions;
        this.sources = sources;
        this.targets = targets;
        this.tenants = tenants;
        this.catalog = catalog;
        try (InputStream in = new ClassPathResource("api/openapi.yaml").getInputStream()) {
            this.openApiDocument = in.readAllBytes();
        }
    }

    public void getOpenApiDocument(Exchange exchange) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/yaml");
        exchange.getMessage().setBody(new String(openApiDocument, StandardCharsets.UTF_8));
    }

    public void createTenant(Exchange exchange) {
        String name = api.body(exchange).path("name").asText(null);
        api.respond(exchange, 201, tenants.create(name));
    }

    /** {@code GET /tenants/{tenantId}} (platform admin): the tenant's settings. */
    public void getTenant(Exchange exchange) {
        api.respond(exchange, 200, tenants.settings(api.uuidParam(exchange, "tenantId")));
    }

    /** {@code PATCH /tenants/{tenantId}} (platform admin): {@code embedOrigins} replaced. */
    public void updateTenant(Exchange exchange) {
        UUID id = api.uuidParam(exchange, "tenantId");
        api.respond(exchange, 200, tenants.updateSettings(id, api.body(exchange)));
    }

    /** The catalog; for a connect session only the providers it was issued for. */
    public void listProviders(Exchange exchange) {
        UUID sessionId = api.session(exchange);
        ConnectSession session = sessionId == null ? null : sessions.find(api.tenant(exchange), sessionId).orElseThrow();
        List<Map<String, Object>> providers = catalog.all().stream().filter(p -> session == null || session.allows(p.key()))
                .map(this::view).toList();
        api.respond(exchange, 200, providers);
    }

    private Map<String, Object> view(ProviderDefinition p) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("key", p.key());
        view.put("name", p.name());
        view.put("category", p.category());
        view.put("authType", p.authType().name());
        view.put("scopes", catalog.scopes(p));
        // Only what this hub implements: an entity with a pull source or a push writer, an action with a target.
        List<String> entities = p.entities().stream().filter(entity -> sources.find(p.key(), entity).isPresent()
                || targets.resyncWriter(p.key(), entity).isPresent()).toList();
        view.put("entities", entities);
        view.put("actions", p.actions().stream().filter(action -> targets.forAction(p.key(), action).isPresent()).toList());
        view.put("webhooks", p.webhooks());
        // What this hub can run per entity: pull runs (a SyncSource) and push resync runs (a resyncable writer).
        view.put("syncs", entities.stream().map(entity -> {
            Map<String, Object> sync = new LinkedHashMap<>();
            sync.put("entity", entity);
            sync.put("pull", sources.find(p.key(), entity).isPresent());
            sync.put("push", targets.resyncWriter(p.key(), entity).isPresent());
            return sync;
        }).toList());
        // A family that also takes the tenant's own key pair (client credentials), and the config field of its
        // per-connection base URL (a Simpro build's buildUrl): what the dashboard's key-pair dialog asks for.
        catalog.family(p.key()).ifPresent(f -> {
            if (f.clientCredentials()) {
                view.put("clientCredentials", true);
            }
            if (f.connectionUrl() != null) {
                view.put("connectionUrlField", f.connectionUrl().config());
            }
        });
        boolean configured = catalog.isConfigured(p);
        view.put("configured", configured);
        if (!configured) {
            view.put("missingSetting", catalog.missingSetting(p));
        }
        return view;
    }
}
