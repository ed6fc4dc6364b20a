package io.integrationhub.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.resilience.BearerTokens;
import io.integrationhub.platform.sync.SyncContext;
import io.integrationhub.platform.sync.SyncSource;

/** Square-shaped cursor sources for every Square entity, reading the {@link LoopbackProvider}. */
@TestConfiguration
public class BenchSources {

    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Set by the benchmark before it starts a run ({@link #useProvider}). */
    static volatile String baseUrl;

    /**
     * Points the bench source at the loopback provider. Calls go through the provider endpoint, which sends a token
     * only below {@code hub.providers.square.api-url}: a system property, read live, names the loopback API.
     */
    static void useProvider(String url) {
        baseUrl = url;
        System.setProperty("hub.providers.square.api-url", url);
    }
    static volatile int pageSize = 1000;

    @Bean
    @Primary
    BearerTokens benchTokens() {
        return new BearerTokens() {
            public String bearer(UUID tenantId, UUID connectionId) {
                return "bench-token";
            }

            public String refreshAfterUnauthorized(UUID tenantId, UUID connectionId, String rejectedToken) {
                return "bench-token";
            }
        };
    }

    @Bean @Order(Ordered.HIGHEST_PRECEDENCE) SyncSource benchItems() { return source("item"); }
    @Bean @Order(Ordered.HIGHEST_PRECEDENCE) SyncSource benchCategories() { return source("category"); }
    @Bean @Order(Ordered.HIGHEST_PRECEDENCE) SyncSource benchOrders() { return source("order"); }
    @Bean @Order(Ordered.HIGHEST_PRECEDENCE) SyncSource benchCustomers() { return source("customer"); }
    @Bean @Order(Ordered.HIGHEST_PRECEDENCE) SyncSource benchPayments() { return source("payment"); }

    static SyncSource source(String entity) {
        return new SyncSource() {
            public String provider() { return "square"; }
            public String entity() { return entity; }

            public Page fetchPage(SyncContext ctx, String cursor) throws Exception {
                URI uri = URI.create(baseUrl + "/bench/" + entity + "?account=" + ctx.connectionId() + "&limit=" + pageSize
                        + (cursor == null ? "" : "&cursor=" + Integer.parseInt(cursor)));
                HttpResponse<String> r = ctx.http().send(token -> HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + token).GET().build());
                JsonNode body = MAPPER.readTree(r.body());
                List<JsonNode> items = new ArrayList<>(pageSize);
                body.path("objects").forEach(items::add);
                JsonNode next = body.get("cursor");
                return Page.of(items, next == null ? null : next.asText());
            }

            public Mapped map(JsonNode raw) {
                ObjectNode data = MAPPER.createObjectNode();
                JsonNode item = raw.path("item_data");
                data.put("name", item.path("name").asText());
                data.put("description", item.path("description").asText());
                data.set("price", item.path("price"));
                data.put("version", raw.path("version").asLong());
                return new Mapped(raw.path("id").asText(), data, Instant.parse(raw.path("updated_at").asText()), false);
            }
        };
    }
}
