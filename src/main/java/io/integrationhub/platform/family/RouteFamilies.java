package io.integrationhub.platform.family;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.apache.camel.CamelContext;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.catalog.FamilySpec;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.Connection.Account;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.oauth.ProviderProfiles;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.resilience.ProviderCalls;
import io.integrationhub.platform.sync.FamilyRoutesSpi;
import io.integrationhub.platform.sync.PushTarget;
import io.integrationhub.platform.sync.SyncContext;
import io.integrationhub.platform.sync.SyncSource;

/**
 * The platform's side of a family described as data: it calls the family's routes by convention and reads their
 * answers. The routes own the flow (provider calls through {@code direct:<family>.provider}, mappings as files);
 * this class only hands them the run's context as JSON and takes back JSON.
 * <ul>
 * <li>{@code direct:<family>.<entity>.page} — in: {@code {cursor, since, mode, from, to, config}}; out:
 * {@code {items: [{externalId, data, remoteUpdatedAt, deleted}], nextCursor, total?, deltaCursor?}};</li>
 * <li>{@code direct:<family>.action.<name>} — in: {@code {data, link: {externalId, version} | null, config}};
 * out: {@code {externalId, version?, response?}}, or {@code {stale: {version, data, remoteUpdatedAt}}} when the provider
 * refused the link's version (a conflict under the connection's policy, {@link PushTarget.StaleVersion});</li>
 * <li>{@code direct:<family>.action.<name>.pushed} (optional, push runs) — in: {@code {cursor, config}}; out:
 * {@code {items: [{externalId, createdAt}], nextCursor}};</li>
 * <li>{@code direct:<family>.identity} — out: {@code {id, name, email?}};</li>
 * <li>{@code direct:<family>.organisations} (optional) — the organisations (companies, workspaces) the grant reaches,
 * for {@code GET /api/v1/connections/{id}/organisations}: in {@code {config}}, out {@code {organisations, current}};</li>
 * <li>{@code direct:<family>.disconnect} (optional) — what the provider should forget when the connection is
 * disconnected, called with the connection's token before the grant is revoked.</li>
 * </ul>
 * Exchange properties {@code HubTenantId}, {@code HubConnectionId} (or {@code HubBearer}), {@code HubProvider}
 * (the catalog key) and {@code HubAccountId} (the connection's provider account, e.g. the Xero organisation chosen at
 * consent) travel with every call,
 * with {@code HubConfig} (the connection's config as a map) and, for an action on a linked object, {@code HubLinkId}.
 */
@Component
public class RouteFamilies implements FamilyRoutesSpi, ProviderProfiles.FamilyIdentity,
        io.integrationhub.platform.connections.ConnectionAccountChoice {

    /** The connection's config as a map, for routes: {@code ${exchangeProperty.HubConfig[databaseId]}}. */
    public static final String CONFIG = "HubConfig";
    /** The page's cursor (page and push-run listing routes), when there is one. */
    public static final String CURSOR = "HubCursor";
    /** The provider id a pushed local reference is linked to (actions), for routes. */
    public static final String LINK_ID = "HubLinkId";
    /** The connection's provider account id (e.g. the Xero organisation, the Square merchant), for routes. */
    public static final String ACCOUNT_ID = "HubAccountId";

    private final ProviderCatalog catalog;
    private final ObjectMapper mapper;

    private final CamelContext camel;

    private final FamilyMappings mappings;

    private final ConnectionRepository connections;

    public RouteFamilies(ProviderCatalog catalog, ObjectMapper mapper, CamelContext camel,
            FamilyMappings mappings, ConnectionRepository connections) {
        this.connections = connections;
        this.mappings = mappings;
        this.camel = camel;
        this.catalog = catalog;
        this.mapper = mapper;
    }

    @Override
    public Optional<SyncSource> source(String provider, String entity) {
        return catalog.family(provider).flatMap(f -> f.entities().stream()
                .filter(e -> e.name().equals(entity) && e.pull() && routed(f.pageRoute(e.name()))).findFirst()
                .map(e -> new RouteSource(f, e)));
    }

    @Override
    public java.util.stream.Stream<PushTarget> targets(String provider) {
        return catalog.family(provider).stream().flatMap(f -> f.actions().stream()
                .filter(a -> routed(f.actionRoute(a.name()))).map(a -> new RouteTarget(f, a)));
    }

    @Override
    public Optional<PushTarget> target(String provider, String action) {
        return catalog.family(provider).flatMap(f -> f.actions().stream()
                .filter(a -> a.name().equals(action) && routed(f.actionRoute(a.name()))).findFirst()
                .map(a -> new RouteTarget(f, a)));
    }

    /** Whether a route consumes {@code direct:<name>} right now (families' routes come and go with their files). */
    private boolean routed(String uri) {
        String name = uri.substring("direct:".length());
        return camel.getRoutes().stream().anyMatch(r -> r.getEndpoint().getEndpointUri().equals("direct://" + name));
    }

    /**
     * A family's listing for a connection's settings (e.g. {@code direct:square.locations}): in {@code {config}},
     * out whatever the route answers; empty when the family has no such route.
     */
    public Optional<JsonNode> listing(String provider, String name, UUID tenantId, UUID connectionId, JsonNode config) {
        FamilySpec family = catalog.family(provider).orElse(null);
        String route = family == null ? null : "direct:" + family.settingsKey() + "." + name;
        if (route == null || !routed(route)) {
            return Optional.empty();
        }
        ObjectNode in = mapper.createObjectNode();
        in.set("config", config == null ? mapper.createObjectNode() : config);
        return Optional.of(call(route, family.key(), tenantId, connectionId, null, in));
    }

    /** The family's identity route with a token just issued (no vault entry needed). */
    @Override
    public Account fetch(String provider, String connectionUrl, String bearer) {
        FamilySpec family = catalog.family(provider).orElseThrow();
        ObjectNode in = mapper.createObjectNode();
        if (connectionUrl != null && family.connectionUrl() != null) {
            // The connection's base URL, as its config holds it (the provider endpoint resolves {connectionUrl}).
            in.putObject("config").put(family.connectionUrl().config(), connectionUrl);
        }
        JsonNode me = call(family.identityRoute(), family.key(), null, null, bearer, in);
        return new Account(text(me, "id"), text(me, "name"), text(me, "email"));
    }

    /**
     * {@code direct:<family>.organisations} for a connection, or empty when its family has no such route.
     */
    public Optional<JsonNode> organisations(UUID tenantId, Connection connection) {
        FamilySpec family = catalog.family(connection.provider()).orElse(null);
        String route = family == null ? null : "direct:" + family.settingsKey() + ".organisations";
        if (route == null || !routed(route)) {
            return Optional.empty();
        }
        ObjectNode in = mapper.createObjectNode();
        in.set("config", connection.config() == null ? mapper.createObjectNode() : connection.config());
        return Optional.of(call(route, family.key(), tenantId, connection.id(), null, in));
    }

    /**
     * After a config change of a connection whose family lists organisations: the listing's {@code current} one (what
     * the new config chooses, else the account) as the account — it must be one of the grant's organisations (422
     * otherwise). Empty for families without a listing and for connections without a grant (pending, disconnected).
     */
    @Override
    public Optional<Account> chosen(UUID tenantId, Connection connection, JsonNode config) {
        FamilySpec family = catalog.family(connection.provider()).orElse(null);
        String route = family == null ? null : "direct:" + family.settingsKey() + ".organisations";
        if (route == null || !routed(route) || (connection.status() != io.integrationhub.platform.connections.ConnectionStatus.ACTIVE
                && connection.status() != io.integrationhub.platform.connections.ConnectionStatus.ERROR)) {
            return Optional.empty();
        }
        ObjectNode in = mapper.createObjectNode();
        in.set("config", config == null ? mapper.createObjectNode() : config);
        JsonNode listing;
        try {
            listing = call(route, family.key(), tenantId, connection.id(), null, in);
        } catch (ProviderCallException e) {
            throw new io.integrationhub.platform.problem.ProblemException(io.integrationhub.platform.problem.Problem.of(502,
                    "provider-failed", "The provider did not list the connection's organisations", e.getMessage()));
        }
        String current = text(listing, "current");
        for (JsonNode organisation : listing.path("organisations")) {
            if (current != null && current.equals(text(organisation, "tenantId"))) {
                return Optional.of(new Account(current, text(organisation, "name"), null));
            }
        }
        throw io.integrationhub.platform.problem.ProblemException.unprocessable("The connection's grant does not reach "
                + "organisation " + current + "; choose one of GET /api/v1/connections/" + connection.id() + "/organisations.",
                new io.integrationhub.platform.problem.Problem.FieldError("/config", "not one of the grant's organisations"));
    }

    /** {@code direct:<family>.disconnect} for a connection being disconnected; false when its family has none. */
    public boolean disconnect(UUID tenantId, Connection connection) {
        FamilySpec family = catalog.family(connection.provider()).orElse(null);
        String route = family == null ? null : "direct:" + family.settingsKey() + ".disconnect";
        if (route == null || !routed(route)) {
            return false;
        }
        ObjectNode in = mapper.createObjectNode();
        in.set("config", connection.config() == null ? mapper.createObjectNode() : connection.config());
        call(route, family.key(), tenantId, connection.id(), null, in);
        return true;
    }

    private JsonNode call(String route, String provider, UUID tenantId, UUID connectionId, String bearer,
            JsonNode body) {
        String account = tenantId == null || connectionId == null ? null : connections.find(tenantId, connectionId)
                .map(Connection::account).map(Account::id).orElse(null);
        return mappings.call(route, body, exchange -> {
            if (account != null) {
                exchange.setProperty(ACCOUNT_ID, account);
            }
            if (tenantId != null) {
                exchange.setProperty(ProviderCalls.TENANT, tenantId);
            }
            if (connectionId != null) {
                exchange.setProperty(ProviderCalls.CONNECTION, connectionId);
            }
            if (provider != null) {
                // The request budget of the catalog key (families serving several keys, e.g. onedrive and outlook).
                exchange.setProperty(ProviderCalls.PROVIDER, provider);
            }
            if (bearer != null) {
                exchange.setProperty(ProviderCalls.BEARER, bearer);
            }
            JsonNode config = body.path("config");
            exchange.setProperty(CONFIG, config.isObject() ? mapper.convertValue(config, java.util.Map.class) : java.util.Map.of());
            if (body.path("cursor").isTextual()) {
                // For routes that put the cursor into a URL (a provider's next link).
                exchange.setProperty(CURSOR, body.get("cursor").asText());
            }
            JsonNode link = body.path("link");
            if (link.hasNonNull("externalId")) {
                exchange.setProperty(LINK_ID, link.get("externalId").asText());
            }
        });
    }

    private final class RouteSource implements SyncSource {
        private final FamilySpec family;
        private final FamilySpec.Entity entity;

        RouteSource(FamilySpec family, FamilySpec.Entity entity) {
            this.family = family;
            this.entity = entity;
        }

        @Override
        public String provider() {
            return family.key();
        }

        @Override
        public String entity() {
            return entity.name();
        }

        @Override
        public String model() {
            return entity.model();
        }

        @Override
        public Page fetchPage(SyncContext context, String cursor) {
            ObjectNode in = mapper.createObjectNode();
            in.put("cursor", cursor);
            in.put("since", context.since());
            in.put("mode", context.mode());
            in.put("from", context.rangeFrom() == null ? null : context.rangeFrom().toString());
            in.put("to", context.rangeTo() == null ? null : context.rangeTo().toString());
            in.set("config", context.config() == null ? mapper.createObjectNode() : context.config());
            JsonNode page = call(family.pageRoute(entity.name()), family.key(), context.tenantId(), context.connectionId(), null, in);
            List<JsonNode> items = new ArrayList<>();
            page.path("items").forEach(items::add);
            String next = text(page, "nextCursor");
            Long total = page.path("total").isNumber() ? page.get("total").asLong() : null;
            return new Page(items, next == null || next.isBlank() ? null : next, total, text(page, "deltaCursor"));
        }

        @Override
        public String statusEvent(String status) {
            return status == null ? null : entity.statusEvents().get(status);
        }

        @Override
        public Mapped map(JsonNode item) {
            JsonNode data = item.path("data");
            if (!data.isObject()) {
                throw new IllegalArgumentException("the mapping gave no data object");
            }
            return new Mapped(text(item, "externalId"), (ObjectNode) data, instant(text(item, "remoteUpdatedAt")),
                    item.path("deleted").asBoolean(false));
        }
    }

    private final class RouteTarget implements PushTarget {
        private final FamilySpec family;
        private final FamilySpec.Action action;

        RouteTarget(FamilySpec family, FamilySpec.Action action) {
            this.family = family;
            this.action = action;
        }

        @Override
        public String provider() {
            return family.key();
        }

        @Override
        public String action() {
            return action.name();
        }

        @Override
        public String model() {
            return action.model();
        }

        @Override
        public Kind kind() {
            return "delete".equals(action.kind()) ? Kind.DELETE : Kind.UPSERT;
        }

        @Override
        public boolean resyncable() {
            return action.resend();
        }

        /** {@code direct:<key>.action.<name>.pushed}: in {@code {cursor, config}}, out {@code {items: [{externalId, createdAt}], nextCursor}}. */
        @Override
        public PushedPage pushedObjects(SyncContext context, String cursor) {
            String route = family.actionRoute(action.name()) + ".pushed";
            if (!routed(route)) {
                return null;
            }
            ObjectNode in = mapper.createObjectNode();
            in.put("cursor", cursor);
            in.set("config", context.config() == null ? mapper.createObjectNode() : context.config());
            JsonNode page = call(route, family.key(), context.tenantId(), context.connectionId(), null, in);
            List<Pushed> items = new ArrayList<>();
            page.path("items").forEach(i -> items.add(new Pushed(text(i, "externalId"), instant(text(i, "createdAt")))));
            String next = text(page, "nextCursor");
            return new PushedPage(items, next == null || next.isBlank() ? null : next);
        }

        @Override
        public Result push(SyncContext context, JsonNode data, Link existing) {
            JsonNode out = call(family.actionRoute(action.name()), family.key(), context.tenantId(), context.connectionId(), null,
                    input(context, data, existing));
            JsonNode stale = out.path("stale");
            if (stale.isObject()) {
                // The route's answer when the provider refused the link's version (e.g. BC's 409/412 on If-Match).
                throw new PushTarget.StaleVersion(text(stale, "version"), stale.path("data"),
                        instant(text(stale, "remoteUpdatedAt")));
            }
            String externalId = text(out, "externalId");
            if (externalId == null && text(out, "error") != null) {
                // The provider refused this object (e.g. one item of a batch call): a 502 for the action's caller.
                throw new ProviderCallException(ProviderCallException.Kind.REJECTED, 0,
                        family.key() + " refused it: " + text(out, "error"), null);
            }
            if (externalId == null) {
                throw new ProviderCallException(ProviderCallException.Kind.REJECTED, 0,
                        family.key() + " " + action.name() + " answered no externalId", null);
            }
            return new Result(externalId, text(out, "version"), out.has("response") ? out.get("response") : null);
        }

        /**
         * {@code direct:<key>.action.<name>.batch} when the family has one: in {@code {items: [{localRef, data, link}],
         * config}}, out {@code {results: [{localRef, externalId, version?}], errors: [{localRef, message}]}}.
         */
        @Override
        public List<BatchOutcome> pushBatch(SyncContext context, List<BatchItem> items) throws Exception {
            String route = family.actionRoute(action.name()) + ".batch";
            if (!routed(route)) {
                return PushTarget.super.pushBatch(context, items);
            }
            ObjectNode in = mapper.createObjectNode();
            com.fasterxml.jackson.databind.node.ArrayNode list = in.putArray("items");
            for (BatchItem item : items) {
                ObjectNode one = input(context, item.data(), item.existing());
                one.remove("config");
                one.put("localRef", item.localRef());
                list.add(one);
            }
            in.set("config", context.config() == null ? mapper.createObjectNode() : context.config());
            JsonNode out = call(route, family.key(), context.tenantId(), context.connectionId(), null, in);
            java.util.Map<String, BatchOutcome> byRef = new java.util.HashMap<>();
            out.path("results").forEach(r -> byRef.put(text(r, "localRef"), new BatchOutcome(
                    new Result(text(r, "externalId"), text(r, "version"), null), null)));
            // An error of an object that has a result too (written, but something after the write failed, e.g.
            // HubSpot associations): both, so the run keeps its link and reports the error.
            out.path("errors").forEach(e -> {
                BatchOutcome written = byRef.get(text(e, "localRef"));
                byRef.put(text(e, "localRef"), new BatchOutcome(written == null ? null : written.result(),
                        new ProviderCallException(ProviderCallException.Kind.REJECTED, 0, family.key() + " refused it: "
                                + text(e, "message"), null)));
            });
            return items.stream().map(i -> byRef.getOrDefault(i.localRef(), new BatchOutcome(null,
                    new IllegalStateException(family.key() + " " + action.name() + " answered nothing for it")))).toList();
        }

        @Override
        public void delete(SyncContext context, Link existing) {
            call(family.actionRoute(action.name()), family.key(), context.tenantId(), context.connectionId(), null,
                    input(context, null, existing));
        }

        private ObjectNode input(SyncContext context, JsonNode data, Link existing) {
            ObjectNode in = mapper.createObjectNode();
            in.set("data", data);
            if (existing != null) {
                in.putObject("link").put("externalId", existing.externalId()).put("version", existing.version());
            } else {
                in.putNull("link");
            }
            in.set("config", context.config() == null ? mapper.createObjectNode() : context.config());
            return in;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() || v.isMissingNode() ? null : v.asText();
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
