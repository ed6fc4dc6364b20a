package io.integrationhub.platform.sync;

import io.integrationhub.platform.resilience.BearerTokens;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Provider families as the sync engine sees them, talking to WireMock at {@code test.provider.url}:
 * HubSpot-style cursor paging, OData {@code @odata.nextLink} paging and Xero-style page numbers.
 * Tokens come from a test {@link BearerTokens} that counts refreshes.
 */
@TestConfiguration
public class TestProviders {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Access tokens {@code token-<n>}; a refresh moves a connection to the next n. */
    public static class Tokens implements BearerTokens {
        final Map<UUID, AtomicInteger> generation = new ConcurrentHashMap<>();
        final AtomicInteger refreshes = new AtomicInteger();

        @Override
        public String bearer(UUID tenantId, UUID connectionId) {
            return "token-" + generation.computeIfAbsent(connectionId, c -> new AtomicInteger(1)).get();
        }

        @Override
        public String refreshAfterUnauthorized(UUID tenantId, UUID connectionId, String rejectedToken) {
            refreshes.incrementAndGet();
            AtomicInteger g = generation.computeIfAbsent(connectionId, c -> new AtomicInteger(1));
            if (rejectedToken.equals("token-" + g.get())) {
                g.incrementAndGet();
            }
            return "token-" + g.get();
        }
    }

    /** Simulates the process dying just before fetching a page whose cursor matches (once). */
    public static final class Crash {
        static volatile Predicate<String> beforeCursor;

        static void check(String cursor) {
            Predicate<String> p = beforeCursor;
            if (p != null && cursor != null && p.test(cursor)) {
                beforeCursor = null;
                throw new SimulatedCrash();
            }
        }
    }

    /** An Error, not an Exception: like a killed process, nothing in the engine gets to clean up. */
    public static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash between pages", null, false, false);
        }
    }

    @Bean
    @Primary
    Tokens testTokens() {
        return new Tokens();
    }

    /** HubSpot CRM v3 list: {@code results[]}, {@code paging.next.after}. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SyncSource hubspotContacts(@Value("${test.provider.url}") String base) {
        return new SyncSource() {
            public String provider() { return "hubspot"; }
            public String entity() { return "contact"; }

            public Page fetchPage(SyncContext ctx, String cursor) throws Exception {
                Crash.check(cursor);
                String url = base + "/crm/v3/objects/contacts?limit=2" + (cursor == null ? "" : "&after="
                        + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
                HttpResponse<String> r = ctx.http().send(token -> HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token).GET().build());
                JsonNode body = MAPPER.readTree(r.body());
                List<JsonNode> items = new ArrayList<>();
                body.path("results").forEach(items::add);
                JsonNode after = body.path("paging").path("next").path("after");
                Long total = body.has("total") ? body.get("total").asLong() : null;
                return new Page(items, after.isMissingNode() ? null : after.asText(), total, null);
            }

            public Mapped map(JsonNode raw) {
                ObjectNode data = MAPPER.createObjectNode();
                JsonNode p = raw.path("properties");
                data.put("email", p.path("email").asText(null));
                data.put("firstName", p.path("firstname").asText(null));
                data.put("lastName", p.path("lastname").asText(null));
                return new Mapped(raw.path("id").asText(null), data,
                        raw.hasNonNull("updatedAt") ? Instant.parse(raw.get("updatedAt").asText()) : null,
                        raw.path("archived").asBoolean(false));
            }
        };
    }

    /** OData v4 (Business Central): {@code value[]}, follow {@code @odata.nextLink} verbatim, same host only. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SyncSource businessCentralCustomers(@Value("${test.provider.url}") String base) {
        return new SyncSource() {
            public String provider() { return "business-central"; }
            public String entity() { return "customer"; }

            public Page fetchPage(SyncContext ctx, String cursor) throws Exception {
                Crash.check(cursor);
                String url = cursor != null ? cursor : base + "/v2.0/companies(1)/customers";
                if (!url.startsWith(base + "/")) {
                    throw new IllegalStateException("nextLink leaves the provider's API");
                }
                HttpResponse<String> r = ctx.http().send(token -> HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token).header("Prefer", "odata.maxpagesize=500").GET().build());
                JsonNode body = MAPPER.readTree(r.body());
                List<JsonNode> items = new ArrayList<>();
                body.path("value").forEach(items::add);
                JsonNode next = body.get("@odata.nextLink");
                return new Page(items, next == null ? null : next.asText(), null, null);
            }

            public Mapped map(JsonNode raw) {
                ObjectNode data = MAPPER.createObjectNode();
                data.put("number", raw.path("number").asText(null));
                data.put("name", raw.path("displayName").asText(null));
                data.put("email", raw.path("email").asText(null));
                return new Mapped(raw.path("id").asText(null), data, raw.hasNonNull("lastModifiedDateTime")
                        ? Instant.parse(raw.get("lastModifiedDateTime").asText()) : null, false);
            }
        };
    }

    /** Xero accounting: {@code page=1,2,…}, stop on a short page; incremental via If-Modified-Since. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SyncSource xeroInvoices(@Value("${test.provider.url}") String base) {
        return new SyncSource() {
            static final int PAGE_SIZE = 2;

            public String provider() { return "xero"; }
            public String entity() { return "invoice"; }

            public Page fetchPage(SyncContext ctx, String cursor) throws Exception {
                Crash.check(cursor);
                int page = cursor == null ? 1 : Integer.parseInt(cursor);
                String url = base + "/api.xro/2.0/Invoices?page=" + page + "&pageSize=" + PAGE_SIZE;
                HttpResponse<String> r = ctx.http().send(token -> {
                    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                            .header("Accept", "application/json").header("xero-tenant-id", "t-1");
                    if (ctx.incremental()) {
                        b.header("If-Modified-Since", ctx.since());
                    }
                    return b.GET().build();
                });
                JsonNode body = MAPPER.readTree(r.body());
                List<JsonNode> items = new ArrayList<>();
                body.path("Invoices").forEach(items::add);
                return new Page(items, items.size() < PAGE_SIZE ? null : String.valueOf(page + 1), null, null);
            }

            public Mapped map(JsonNode raw) {
                ObjectNode data = MAPPER.createObjectNode();
                data.put("number", raw.path("InvoiceNumber").asText(null));
                data.set("total", raw.path("Total"));
                data.put("status", raw.path("Status").asText(null));
                data.put("date", raw.path("DateString").asText(null));
                if (!raw.path("Total").isNumber()) {
                    throw new IllegalArgumentException("invoice " + raw.path("InvoiceID").asText() + " has no numeric Total");
                }
                return new Mapped(raw.path("InvoiceID").asText(null), data, null, "DELETED".equals(raw.path("Status").asText()));
            }
        };
    }

    /** HubSpot upsert-contact: POST to create, PATCH /{id} to update (CRM v3). */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    PushTarget hubspotUpsertContact(@Value("${test.provider.url}") String base) {
        return new PushTarget() {
            public String provider() { return "hubspot"; }
            public String action() { return "upsert-contact"; }
            public String model() { return "contact"; }

            public Result push(SyncContext ctx, JsonNode data, Link existing) throws Exception {
                ObjectNode body = MAPPER.createObjectNode();
                ObjectNode props = body.putObject("properties");
                data.fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
                String url = base + "/crm/v3/objects/contacts" + (existing == null ? "" : "/" + existing.externalId());
                HttpResponse<String> r = ctx.http().send(token -> HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .method(existing == null ? "POST" : "PATCH", HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build());
                JsonNode answer = MAPPER.readTree(r.body());
                return new Result(answer.path("id").asText(), answer.path("updatedAt").asText(null), answer);
            }
        };
    }
}
