package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Square family's routes (routes/square: catalog and orders page routes, locations, identity, the webhook router)
 * with their real JSONata mappings and the sandbox's data, loaded from the routes folder without Spring Boot, a
 * database or Kafka. {@code direct:square.provider} is a stand-in route that records each request (method, URL,
 * Square-Version, body) and answers with canned Square JSON; the platform beans the webhook router calls are
 * recorders too.
 */
class SquareRoutesTest extends FamilyRoutesTestSupport {

    static final String API = "https://connect.square.test";
    static final String VERSION = "2025-08-20";

    record Call(String method, String url, String version, String body) {
        JsonNode json() {
            return FamilyRoutesTestSupport.json(body);
        }
    }

    final List<Call> calls = new ArrayList<>();
    Function<Call, String> answer = c -> "{}";
    final List<String> syncRequests = new ArrayList<>();
    final List<String> stored = new ArrayList<>();

    @Override
    protected List<String> routeFiles() {
        return List.of("square/catalog.camel.yaml", "square/orders.camel.yaml", "square/locations.camel.yaml",
                "square/identity.camel.yaml", "square/webhooks.camel.yaml");
    }

    @Override
    protected Properties familyProperties() {
        Properties p = new Properties();
        p.setProperty("hub.providers.square.api-url", API);
        p.setProperty("hub.providers.square.version", VERSION);
        p.setProperty("hub.providers.square.orders-default-days", "30");
        p.setProperty("hub.providers.square.orders-max-days", "731");
        return p;
    }

    public class SyncRequestsRecorder {
        public void requestIncremental(UUID tenant, UUID connection, String entity, String reason) {
            syncRequests.add(entity);
        }
    }

    public class EngineRecorder {
        public int storeItems(UUID tenant, UUID connection, String entity, String page) {
            stored.add(entity + " " + page);
            return 1;
        }
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("webhookSyncRequests", new SyncRequestsRecorder());
        registry.bind("syncEngine", new EngineRecorder());
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        List<RoutesBuilder> all = new ArrayList<>(List.of(super.createRouteBuilders()));
        all.add(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:square.provider").routeId("test.square.provider").process(e -> {
                    Call c = new Call(e.getMessage().getHeader("ProviderMethod", String.class),
                            e.getMessage().getHeader("ProviderUrl", String.class),
                            e.getMessage().getHeader("Square-Version", String.class), e.getMessage().getBody(String.class));
                    calls.add(c);
                    e.getMessage().setBody(answer.apply(c));
                });
            }
        });
        return all.toArray(RoutesBuilder[]::new);
    }

    @BeforeEach
    void start() {
        context.start();
    }

    private JsonNode page(String entity, String cursor, String since, String mode, String from, String to,
            Map<String, Object> config) {
        Map<String, Object> in = new HashMap<>();
        in.put("cursor", cursor);
        in.put("since", since);
        in.put("mode", mode);
        in.put("from", from);
        in.put("to", to);
        in.put("config", config);
        Exchange done = template.send("direct:square." + entity + ".page", e -> {
            e.setProperty("HubConfig", config);
            e.getMessage().setBody(json(in));
        });
        if (done.getException() != null) {
            throw new AssertionError(done.getException());
        }
        return json(done.getMessage().getBody(String.class));
    }

    private String sandbox(String file, String input) {
        return template.requestBody("jsonata:file:" + routesDir() + "/square/sandbox/" + file
                + "?contentCache=false&inputType=JsonString&outputType=JsonString", input, String.class);
    }

    @Test
    void aFullCatalogPullListsItemsThroughListCatalogWithTheirVariations() {
        answer = c -> sandbox("catalog.jsonata", "{\"types\":\"ITEM\",\"cursor\":\"\"}");
        JsonNode page = page("item", null, null, "full", null, null, Map.of());

        Call call = calls.get(0);
        assertThat(call.method()).isEqualTo("GET");
        assertThat(call.url()).isEqualTo(API + "/v2/catalog/list?types=ITEM");
        assertThat(call.version()).isEqualTo(VERSION);
        assertThat(page.path("items")).hasSize(2);
        JsonNode sourdough = page.path("items").get(0);
        assertThat(sourdough.path("externalId").asText()).isEqualTo("ITEM-SOURDOUGH");
        assertThat(sourdough.path("data").path("name").asText()).isEqualTo("Sourdough loaf");
        assertThat(sourdough.path("data").path("categoryId").asText()).isEqualTo("CAT-BREAD");
        assertThat(sourdough.path("data").path("variations")).hasSize(2);
        assertThat(sourdough.path("data").path("variations").get(1).path("price").path("amount").asInt()).isEqualTo(900);
        assertThat(sourdough.path("data").path("modifierListIds").get(0).asText()).isEqualTo("MOD-EXTRAS");
        assertThat(page.path("nextCursor").asText()).isEqualTo("2");

        calls.clear();
        page("item", "2", null, "full", null, null, Map.of());
        assertThat(calls.get(0).url()).isEqualTo(API + "/v2/catalog/list?types=ITEM&cursor=2");
    }

    @Test
    void anIncrementalCatalogPullSearchesFromSinceAndDeletesWhatSquareDeleted() {
        answer = c -> """
                {"objects": [
                  {"type": "MODIFIER_LIST", "id": "MOD-1", "updated_at": "2026-12-01T10:00:00Z", "version": 5,
                   "modifier_list_data": {"name": "Milk", "selection_type": "SINGLE",
                     "modifiers": [{"id": "M-OAT", "modifier_data": {"name": "Oat", "price_money": {"amount": 60, "currency": "USD"}}}]}},
                  {"type": "MODIFIER_LIST", "id": "MOD-2", "updated_at": "2026-12-01T11:00:00Z", "is_deleted": true,
                   "modifier_list_data": {"name": "Gone"}}],
                 "cursor": "next-1", "latest_time": "2026-12-01T11:00:00Z"}
                """;
        JsonNode page = page("modifier_list", "c-1", "2026-11-30T00:00:00Z", "incremental", null, null, Map.of());

        Call call = calls.get(0);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.url()).isEqualTo(API + "/v2/catalog/search");
        JsonNode body = call.json();
        assertThat(body.path("object_types").get(0).asText()).isEqualTo("MODIFIER_LIST");
        assertThat(body.path("begin_time").asText()).isEqualTo("2026-11-30T00:00:00Z");
        assertThat(body.path("include_deleted_objects").asBoolean()).isTrue();
        assertThat(body.path("cursor").asText()).isEqualTo("c-1");
        assertThat(page.path("items").get(0).path("data").path("modifiers").get(0).path("name").asText()).isEqualTo("Oat");
        assertThat(page.path("items").get(0).path("deleted").asBoolean()).isFalse();
        assertThat(page.path("items").get(1).path("deleted").asBoolean()).isTrue();
        assertThat(page.path("nextCursor").asText()).isEqualTo("next-1");
        assertThat(page.path("deltaCursor").asText()).isEqualTo("2026-12-01T11:00:00Z");
    }

    @Test
    void aSalesRangeReadsTheChosenLocationsTenAtATimeAndReportsProgressByDate() {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            ids.add("L" + i);
        }
        Map<String, Object> config = Map.of("locationIds", String.join(",", ids));
        answer = c -> """
                {"orders": [{"id": "O-1", "location_id": "L1", "state": "COMPLETED", "closed_at": "2026-01-16T12:00:00Z",
                  "updated_at": "2026-01-16T12:00:00Z", "version": 2,
                  "line_items": [{"uid": "a", "name": "Latte", "quantity": "2", "base_price_money": {"amount": 400, "currency": "USD"},
                                  "total_money": {"amount": 800, "currency": "USD"}}],
                  "total_money": {"amount": 800, "currency": "USD"},
                  "tenders": [{"id": "T-1", "type": "CARD", "amount_money": {"amount": 800, "currency": "USD"},
                               "card_details": {"card": {"card_brand": "VISA"}}}]}],
                 "cursor": "sq-2"}
                """;
        JsonNode first = page("order", null, null, "full", "2026-01-01T00:00:00Z", "2026-01-31T00:00:00Z", config);

        JsonNode search = calls.get(0).json();
        assertThat(calls.get(0).url()).isEqualTo(API + "/v2/orders/search");
        assertThat(search.path("location_ids")).hasSize(10);
        assertThat(search.path("limit").asInt()).isEqualTo(500);
        assertThat(search.path("query").path("filter").path("date_time_filter").path("closed_at").path("start_at").asText())
                .isEqualTo("2026-01-01T00:00:00Z");
        assertThat(search.path("query").path("sort").path("sort_field").asText()).isEqualTo("CLOSED_AT");
        assertThat(search.path("query").path("sort").path("sort_order").asText()).isEqualTo("ASC");
        assertThat(search.has("cursor")).isFalse();
        JsonNode order = first.path("items").get(0).path("data");
        assertThat(order.path("lineItems").get(0).path("quantity").asInt()).isEqualTo(2);
        assertThat(order.path("totals").path("total").path("amount").asInt()).isEqualTo(800);
        assertThat(order.path("tenders").get(0).path("cardBrand").asText()).isEqualTo("VISA");
        // Half of the range of the first of two batches.
        assertThat(first.path("progress").asDouble()).isBetween(0.24, 0.26);

        calls.clear();
        answer = c -> "{\"orders\": []}";
        JsonNode second = page("order", first.path("nextCursor").asText(), null, "full", "2026-01-01T00:00:00Z",
                "2026-01-31T00:00:00Z", config);
        assertThat(calls.get(0).json().path("cursor").asText()).isEqualTo("sq-2");
        assertThat(second.path("progress").asDouble()).isEqualTo(0.5);

        calls.clear();
        JsonNode third = page("order", second.path("nextCursor").asText(), null, "full", null, null, config);
        assertThat(calls.get(0).json().path("location_ids")).extracting(JsonNode::asText).containsExactly("L11", "L12");
        assertThat(calls.get(0).json().has("cursor")).isFalse();
        assertThat(third.path("nextCursor").isNull()).isTrue();
        assertThat(third.path("progress").asDouble()).isEqualTo(1.0);
    }

    @Test
    void withoutChosenLocationsTheSalesSyncReadsEveryActiveLocation() {
        answer = c -> c.url().endsWith("/v2/locations") ? sandbox("orders.jsonata", "{\"locations\": true}")
                : sandbox("orders.jsonata", "{\"search\": " + c.body() + "}");
        JsonNode page = page("order", null, null, "full", "2026-03-01T00:00:00Z", "2026-03-01T23:59:59Z", Map.of());
        assertThat(calls.get(0).url()).isEqualTo(API + "/v2/locations");
        assertThat(calls.get(1).json().path("location_ids")).extracting(JsonNode::asText)
                .containsExactly("LSANDBOX1", "LSANDBOX2", "LSANDBOX3");
        assertThat(page.path("items")).hasSize(6);
        assertThat(page.path("nextCursor").isNull()).isTrue();
    }

    @Test
    void aRangeLongerThanTwoYearsIsRefusedBeforeCallingSquare() {
        Exchange done = template.send("direct:square.order.page", e -> {
            e.setProperty("HubConfig", Map.of("locationIds", "L1"));
            e.getMessage().setBody("{\"cursor\":null,\"since\":null,\"mode\":\"full\",\"from\":\"2023-01-01T00:00:00Z\","
                    + "\"to\":\"2026-01-01T00:00:00Z\",\"config\":{\"locationIds\":\"L1\"}}");
        });
        assertThat(done.getException()).hasMessageContaining("longer than 731 days");
        assertThat(calls).isEmpty();
    }

    @Test
    void locationsAreListedWithTheChosenOnesMarked() {
        answer = c -> sandbox("orders.jsonata", "{\"locations\": true}");
        JsonNode listing = json(template.requestBodyAndHeader("direct:square.locations",
                "{\"config\":{\"locationIds\":\"LSANDBOX2\"}}", "x", "y", String.class));
        assertThat(listing.path("locations")).hasSize(3);
        assertThat(listing.path("locations").get(0).path("chosen").asBoolean()).isFalse();
        assertThat(listing.path("locations").get(1).path("chosen").asBoolean()).isTrue();
        assertThat(listing.path("locationIds")).extracting(JsonNode::asText).containsExactly("LSANDBOX2");
    }

    @Test
    void theMerchantIsTheAccount() {
        answer = c -> "{\"merchant\":{\"id\":\"MLR1\",\"business_name\":\"Corner Cafe\"}}";
        JsonNode me = json(template.requestBody("direct:square.identity", "", String.class));
        assertThat(calls.get(0).url()).isEqualTo(API + "/v2/merchants/me");
        assertThat(calls.get(0).version()).isEqualTo(VERSION);
        assertThat(me.path("id").asText()).isEqualTo("MLR1");
        assertThat(me.path("name").asText()).isEqualTo("Corner Cafe");
    }

    private void webhook(String type, String body) {
        Exchange done = template.send("direct:webhook.square", e -> {
            e.getMessage().setHeader("HubEventType", type);
            e.getMessage().setHeader("HubTenantId", UUID.randomUUID().toString());
            e.getMessage().setHeader("HubConnectionId", UUID.randomUUID().toString());
            e.getMessage().setBody(body);
        });
        if (done.getException() != null) {
            throw new AssertionError(done.getException());
        }
    }

    @Test
    void aCatalogVersionUpdateAsksForIncrementalCatalogRuns() {
        webhook("catalog.version.updated", "{\"type\":\"catalog.version.updated\",\"data\":{\"type\":\"catalog_version\","
                + "\"object\":{\"catalog_version\":{\"updated_at\":\"2026-12-01T10:00:00Z\"}}}}");
        assertThat(syncRequests).containsExactly("item", "category", "modifier_list");
        assertThat(calls).isEmpty();
    }

    @Test
    void aPaymentUpdateRefreshesItsOrder() {
        answer = c -> sandbox("orders.jsonata", "{\"orderId\": \"S-LSANDBOX1-20261201-1\"}");
        webhook("payment.updated", "{\"type\":\"payment.updated\",\"data\":{\"type\":\"payment\",\"id\":\"PAY-1\","
                + "\"object\":{\"payment\":{\"id\":\"PAY-1\",\"order_id\":\"S-LSANDBOX1-20261201-1\"}}}}");
        assertThat(calls.get(0).method()).isEqualTo("GET");
        assertThat(calls.get(0).url()).isEqualTo(API + "/v2/orders/S-LSANDBOX1-20261201-1");
        assertThat(stored).hasSize(1);
        JsonNode page = json(stored.get(0).substring("order ".length()));
        assertThat(page.path("items").get(0).path("externalId").asText()).isEqualTo("S-LSANDBOX1-20261201-1");
        assertThat(page.path("items").get(0).path("data").path("lineItems").get(0).path("name").asText())
                .isEqualTo("Sourdough loaf");
    }

    @Test
    void anOrderUpdateRefreshesThatOrderAndOtherEventsAreLeftAlone() {
        answer = c -> sandbox("orders.jsonata", "{\"orderId\": \"S-LSANDBOX2-20261130-2\"}");
        webhook("order.updated", "{\"type\":\"order.updated\",\"data\":{\"type\":\"order_updated\",\"id\":\"S-LSANDBOX2-20261130-2\","
                + "\"object\":{\"order_updated\":{\"order_id\":\"S-LSANDBOX2-20261130-2\",\"state\":\"COMPLETED\"}}}}");
        assertThat(calls.get(0).url()).endsWith("/v2/orders/S-LSANDBOX2-20261130-2");
        webhook("customer.created", "{\"type\":\"customer.created\",\"data\":{}}");
        assertThat(calls).hasSize(1);
        assertThat(stored).hasSize(1);
    }
}
