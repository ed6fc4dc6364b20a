package io.integrationhub.platform.dashboard;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.deadletter.DeadLetterConfiguration;
import io.integrationhub.platform.sync.PushTarget;
import io.integrationhub.platform.sync.SyncContext;
import io.integrationhub.platform.sync.SyncSource;

/**
 * What the dashboard tests need of provider families that are not written yet: Business Central (OData v4)
 * customers and sales invoices pulled page by page from the provider fake (with {@code @odata.count}, so the
 * run knows its total), its upsert-customer push, and a Square webhook handler whose provider API can be
 * made to fail. Ordered first, so they also stand in for the real families once those land.
 */
@TestConfiguration
public class DashboardFakes {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** False: the Square handler fails as if Square's API answered 503 (its events end as dead letters). */
    static final AtomicBoolean SQUARE_API_UP = new AtomicBoolean(true);

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SyncSource dashboardBusinessCentralCustomers(@Value("${hub.providers.business-central.api-url}") String api) {
        return new ODataSource(api, "customer", "/companies(1)/customers");
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SyncSource dashboardBusinessCentralInvoices(@Value("${hub.providers.business-central.api-url}") String api) {
        return new ODataSource(api, "invoice", "/companies(1)/salesInvoices");
    }

    /** Business Central {@code POST /customers} to create, {@code PATCH /customers({id})} to update. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    PushTarget dashboardBusinessCentralUpsertCustomer(@Value("${hub.providers.business-central.api-url}") String api) {
        return new PushTarget() {
            public String provider() { return "business-central"; }
            public String action() { return "upsert-customer"; }
            public String model() { return "customer"; }

            public Result push(SyncContext ctx, JsonNode data, Link existing) throws Exception {
                String url = api + "/companies(1)/customers" + (existing == null ? "" : "(" + existing.externalId() + ")");
                HttpResponse<String> r = ctx.http().send(token -> HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .method(existing == null ? "POST" : "PATCH", HttpRequest.BodyPublishers.ofString(data.toString()))
                        .build());
                JsonNode answer = MAPPER.readTree(r.body());
                return new Result(answer.path("id").asText(), answer.path("@odata.etag").asText(null), answer);
            }
        };
    }

    @Bean
    RouteBuilder dashboardSquareOrderHandler() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:webhook.square.order.updated").routeId("test.dashboard.square.order-updated")
                        .routeConfigurationId(DeadLetterConfiguration.ID)
                        .process(e -> {
                            if (!SQUARE_API_UP.get()) {
                                throw new IllegalStateException("Square API answered 503 Service Unavailable");
                            }
                        });
            }
        };
    }

    /** OData v4 paging: {@code value[]}, {@code @odata.count}, follow {@code @odata.nextLink} (same API only). */
    static final class ODataSource implements SyncSource {
        private final String api;
        private final String entity;
        private final String path;

        ODataSource(String api, String entity, String path) {
            this.api = api;
            this.entity = entity;
            this.path = path;
        }

        public String provider() { return "business-central"; }
        public String entity() { return entity; }

        public Page fetchPage(SyncContext ctx, String cursor) throws Exception {
            String url = cursor != null ? cursor : api + path + "?$count=true";
            if (!url.startsWith(api + "/")) {
                throw new IllegalStateException("nextLink leaves the provider's API");
            }
            HttpResponse<String> r = ctx.http().send(token -> HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + token).header("Accept", "application/json").GET().build());
            JsonNode body = MAPPER.readTree(r.body());
            List<JsonNode> items = new ArrayList<>();
            body.path("value").forEach(items::add);
            JsonNode next = body.get("@odata.nextLink");
            Long total = body.has("@odata.count") ? body.get("@odata.count").asLong() : null;
            return new Page(items, next == null ? null : next.asText(), total, null);
        }

        public Mapped map(JsonNode raw) {
            ObjectNode data = MAPPER.createObjectNode();
            data.put("number", raw.path("number").asText(null));
            data.put("name", raw.path("displayName").asText(null));
            if (raw.has("email")) {
                data.put("email", raw.path("email").asText(null));
            }
            if (raw.has("totalAmountIncludingTax")) {
                data.set("total", raw.get("totalAmountIncludingTax"));
            }
            return new Mapped(raw.path("id").asText(null), data, raw.hasNonNull("lastModifiedDateTime")
                    ? Instant.parse(raw.get("lastModifiedDateTime").asText()) : null, false);
        }
    }
}
