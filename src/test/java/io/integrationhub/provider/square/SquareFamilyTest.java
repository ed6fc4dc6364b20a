package io.integrationhub.provider.square;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubIntegrationTest;

/**
 * The Square family (routes/square: catalog data, routes, JSONata mappings; Java only for the webhook signature and
 * the revocation call) driven over HTTP like a host application against a wire-level Square ({@link SquareFake}):
 * consent → ObtainToken with a JSON body and Square-Version → the merchant as the account; the seller's locations;
 * the catalog in full (ListCatalog) and incrementally (SearchCatalogObjects, a deleted item becoming a deleted record);
 * a two-year sales backfill over three locations across many SearchOrders pages whose progress moves with the dates
 * covered, interrupted by a crash and resumed without reading a committed page again; a signed payment.updated
 * webhook refreshing one order; 429 RATE_LIMITED without Retry-After backed off; revocation with
 * "Authorization: Client".
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestPropertySource(properties = {
        "hub.sync.stale-after=PT2S",
        "hub.sync.queued-grace=PT3S",
        "hub.sync.heartbeat-period-ms=300",
        "hub.sync.sweep-period-ms=500",
        "hub.resilience.initial-backoff=PT0.02S",
        "hub.resilience.max-backoff=PT0.1S",
        "hub.resilience.default-retry-after=PT0.1S",
        "hub.resilience.budgets.square=1000" })
class SquareFamilyTest extends HubIntegrationTest {

    static final SquareFake SQUARE = new SquareFake();
    static final String PUBLIC_URL = "http://localhost:8080";
    static final String SIGNATURE_KEY = "test-square-signature-key";

    @DynamicPropertySource
    static void squareUrls(DynamicPropertyRegistry registry) {
        registry.add("hub.providers.square.client-id", () -> SquareFake.CLIENT_ID);
        registry.add("hub.providers.square.client-secret", () -> SquareFake.CLIENT_SECRET);
        registry.add("hub.providers.square.authorize-url", () -> SQUARE.root() + "/oauth2/authorize");
        registry.add("hub.providers.square.token-url", () -> SQUARE.root() + "/oauth2/token");
        registry.add("hub.providers.square.revoke-url", () -> SQUARE.root() + "/oauth2/revoke");
        registry.add("hub.providers.square.api-url", SQUARE::root);
        registry.add("hub.providers.square.version", () -> "2025-10-16");
    }

    @Autowired
    CamelContext camel;

    record Tenant(String key, UUID connectionId) {
        String path() {
            return "/api/v1/connections/" + connectionId;
        }
    }

    @BeforeEach
    void reset() {
        SQUARE.clearCalls();
        SQUARE.locations("LHARBOUR", "LMARKET", "LSTATION");
    }

    private Tenant connect(String config) {
        String key = newTenantKey();
        HubClient.Response created = hub.post("/api/v1/connections", key, "{\"provider\":\"square\",\"config\":" + config + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String authorize = created.json().path("authorizeUrl").asText();
        assertThat(authorize).startsWith(SQUARE.root() + "/oauth2/authorize?").contains("session=false")
                .contains("client_id=" + SquareFake.CLIENT_ID).contains("ORDERS_READ");
        String state = param(authorize, "state");
        HubClient.Response back = hub.get("/oauth/callback/square?code=sq0cgp-" + UUID.randomUUID()
                + "&response_type=code&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        UUID id = UUID.fromString(created.json().path("id").asText());
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(
                hub.get("/api/v1/connections/" + id, key).json().path("status").asText()));
        return new Tenant(key, id);
    }

    private static String param(String url, String name) {
        for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError(name + " not in " + url);
    }

    private String start(Tenant t, String body) {
        HubClient.Response started = hub.post(t.path() + "/syncs", t.key(), body);
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        return started.json().path("id").asText();
    }

    private JsonNode finished(Tenant t, String run) {
        JsonNode[] last = new JsonNode[1];
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(120)).until(() -> {
            last[0] = hub.get("/api/v1/syncs/" + run, t.key()).json();
            return List.of("succeeded", "failed", "cancelled").contains(last[0].path("status").asText());
        });
        return last[0];
    }

    private JsonNode sync(Tenant t, String entity, String mode) {
        return finished(t, start(t, "{\"entity\":\"" + entity + "\",\"mode\":\"" + mode + "\"}"));
    }

    private List<JsonNode> records(Tenant t, String model) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            HubClient.Response r = hub.get(t.path() + "/records/" + model + "?limit=500" + (cursor == null ? "" : "&cursor="
                    + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), t.key());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().path("records").forEach(all::add);
            cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText(null);
        } while (cursor != null);
        return all;
    }

    private JsonNode record(Tenant t, String model, String externalId) {
        return records(t, model).stream().filter(r -> r.path("externalId").asText().equals(externalId)).findFirst()
                .orElseThrow(() -> new AssertionError(externalId + " not among the " + model + " records"));
    }

    @Test
    @Order(1)
    void shouldConnectWithAJsonTokenRequestAndTakeTheMerchantAsAccount() {
        Tenant t = connect("{}");
        SquareFake.Call exchange = SQUARE.tokenCalls().get(0);
        assertThat(exchange.path()).isEqualTo("/oauth2/token");
        assertThat(exchange.json().path("grant_type").asText()).isEqualTo("authorization_code");
        assertThat(exchange.json().path("client_id").asText()).isEqualTo(SquareFake.CLIENT_ID);
        assertThat(exchange.version()).as("Square-Version from hub.providers.square.version").isEqualTo("2025-10-16");
        JsonNode connection = hub.get(t.path(), t.key()).json();
        assertThat(connection.path("account").path("id").asText()).isEqualTo(SquareFake.MERCHANT);
        assertThat(connection.path("account").path("name").asText()).isEqualTo(SquareFake.BUSINESS);
        assertThat(connection.toString()).doesNotContain("EAAAE-").doesNotContain("EQAAE-");
        assertThat(SQUARE.calls("/v2/merchants/me")).allSatisfy(c -> assertThat(c.version()).isEqualTo("2025-10-16"));

        JsonNode providers = hub.get("/api/v1/providers", t.key()).json();
        JsonNode square = null;
        for (JsonNode p : providers) {
            if (p.path("key").asText().equals("square")) {
                square = p;
            }
        }
        assertThat(square).isNotNull();
        assertThat(square.path("entities").toString()).isEqualTo("[\"item\",\"category\",\"modifier_list\",\"order\"]");
    }

    @Test
    @Order(2)
    void shouldListTheSellersLocationsAndKeepTheChosenOnes() {
        Tenant t = connect("{}");
        HubClient.Response listed = hub.get(t.path() + "/locations", t.key());
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        assertThat(listed.json().path("locations")).hasSize(3);
        assertThat(listed.json().path("locations").get(0).path("name").asText()).isEqualTo("Store LHARBOUR");
        assertThat(listed.json().path("locations").get(0).path("chosen").asBoolean()).isTrue();

        HubClient.Response bad = hub.patch(t.path(), t.key(), "{\"config\":{\"locationIds\":\"../v2/merchants\"}}");
        assertThat(bad.status()).isIn(400, 422);
        assertThat(bad.body()).contains("/config/locationIds");

        HubClient.Response chosen = hub.patch(t.path(), t.key(), "{\"config\":{\"locationIds\":\"LMARKET,LSTATION\"}}");
        assertThat(chosen.status()).as(chosen.body()).isEqualTo(200);
        JsonNode again = hub.get(t.path() + "/locations", t.key()).json();
        assertThat(again.path("locationIds")).extracting(JsonNode::asText).containsExactly("LMARKET", "LSTATION");
        assertThat(again.path("locations").get(0).path("chosen").asBoolean()).isFalse();

        HubClient.Response other = hub.get(t.path() + "/locations", newTenantKey());
        assertThat(other.status()).as("another tenant's connection").isEqualTo(404);
    }

    @Test
    @Order(3)
    void shouldPullTheCatalogInFullThenOnlyWhatChangedWithDeletedObjectsDeleted() {
        for (int i = 1; i <= 130; i++) {
            SQUARE.item("ITEM-" + i, "Item " + i, i % 2 == 0 ? "CAT-COFFEE" : "CAT-FOOD", 450, 550);
        }
        SQUARE.category("CAT-COFFEE", "Coffee");
        SQUARE.category("CAT-FOOD", "Food");
        SQUARE.modifierList("MOD-MILK", "Milk");
        Tenant t = connect("{}");
        SQUARE.clearCalls();

        JsonNode items = sync(t, "item", "incremental");
        assertThat(items.path("status").asText()).as(items.toString()).isEqualTo("succeeded");
        assertThat(items.path("created").asLong()).isEqualTo(130);
        List<SquareFake.Call> lists = SQUARE.calls("/v2/catalog/list");
        assertThat(lists).hasSize(2);
        assertThat(lists.get(0).query()).isEqualTo("types=ITEM");
        assertThat(lists.get(1).query()).isEqualTo("types=ITEM&cursor=c100");
        assertThat(lists).allSatisfy(c -> assertThat(c.version()).isEqualTo("2025-10-16"));
        JsonNode item = record(t, "item", "ITEM-7").path("data");
        assertThat(item.path("name").asText()).isEqualTo("Item 7");
        assertThat(item.path("categoryId").asText()).isEqualTo("CAT-FOOD");
        assertThat(item.path("variations")).hasSize(2);
        assertThat(item.path("variations").get(1).path("price").path("amount").asInt()).isEqualTo(550);

        assertThat(sync(t, "category", "full").path("created").asLong()).isEqualTo(2);
        JsonNode modifiers = sync(t, "modifier_list", "full");
        assertThat(modifiers.path("created").asLong()).isEqualTo(1);
        assertThat(record(t, "modifier_list", "MOD-MILK").path("data").path("modifiers").get(0).path("name").asText())
                .isEqualTo("Oat milk");

        SQUARE.renameItem("ITEM-3", "Item three, bigger");
        SQUARE.deleteObject("ITEM-4");
        SQUARE.clearCalls();
        JsonNode incremental = sync(t, "item", "incremental");
        assertThat(incremental.path("status").asText()).as(incremental.toString()).isEqualTo("succeeded");
        assertThat(incremental.path("updated").asLong()).isEqualTo(1);
        assertThat(incremental.path("deleted").asLong()).isEqualTo(1);
        assertThat(SQUARE.calls("/v2/catalog/list")).isEmpty();
        SquareFake.Call search = SQUARE.calls("/v2/catalog/search").get(0);
        assertThat(search.json().path("object_types").get(0).asText()).isEqualTo("ITEM");
        assertThat(search.json().path("include_deleted_objects").asBoolean()).isTrue();
        assertThat(search.json().path("begin_time").asText()).isNotEmpty();
        assertThat(record(t, "item", "ITEM-3").path("data").path("name").asText()).isEqualTo("Item three, bigger");
        assertThat(record(t, "item", "ITEM-4").path("deleted").asBoolean()).isTrue();
        assertThat(records(t, "item").stream().filter(r -> !r.path("deleted").asBoolean()).count()).isEqualTo(129);
    }

    @Test
    @Order(4)
    void shouldBackfillTwoYearsOfSalesAcrossLocationsWithProgressByDateAndResumeACrashWithoutDuplicates()
            throws Exception {
        Instant from = Instant.parse("2024-12-01T00:00:00Z");
        Instant to = Instant.parse("2026-11-30T00:00:00Z");
        int total = SQUARE.orders(from, 729, 1);
        assertThat(total).isEqualTo(2187);
        Tenant t = connect("{}");
        HubClient.Response chosen = hub.patch(t.path(), t.key(), "{\"config\":{\"locationIds\":\"LHARBOUR,LMARKET,LSTATION\"}}");
        assertThat(chosen.status()).as(chosen.body()).isEqualTo(200);

        // The instance "dies" once, before the page route's 4th page of this run (pages 1-3 committed).
        AtomicInteger pages = new AtomicInteger();
        AdviceWith.adviceWith(camel, "square.order.page", route -> route.weaveAddFirst().process(e -> {
            if (pages.incrementAndGet() == 4) {
                // Carried as a cause, as a provider call's failure would carry it: the engine finds the Error and
                // leaves the run as a killed process would (running, no heartbeat) for the sweep to resume.
                throw new IllegalStateException("instance died", new SimulatedCrash());
            }
        }));
        SQUARE.clearCalls();
        SQUARE.holdSearch(3);
        String run = start(t, "{\"entity\":\"order\",\"mode\":\"full\",\"from\":\"" + from + "\",\"to\":\"" + to + "\"}");

        // Two pages of 500 are committed while Square holds the third (the 2nd page's transaction is written behind
        // the 3rd page's request, so it may land a moment after the hold began): the bar stands where the dates stand.
        assertThat(SQUARE.awaitHeld()).isTrue();
        JsonNode[] held = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            held[0] = hub.get("/api/v1/syncs/" + run, t.key()).json();
            return held[0].path("recordsProcessed").asLong() >= 1000;
        });
        JsonNode middle = held[0];
        assertThat(middle.path("status").asText()).isEqualTo("running");
        assertThat(middle.path("recordsProcessed").asLong()).as("no page beyond the held one").isEqualTo(1000);
        List<Instant> closed = SQUARE.orders().stream().map(o -> Instant.parse(o.path("closed_at").asText())).sorted().toList();
        double expected = (double) Duration.between(from, closed.get(999)).toMillis() / Duration.between(from, to).toMillis();
        assertThat(middle.path("progress").asDouble()).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.001));
        assertThat(middle.path("progress").asDouble()).isBetween(0.4, 0.5);

        List<Double> seen = new CopyOnWriteArrayList<>();
        seen.add(middle.path("progress").asDouble());
        SQUARE.release();
        JsonNode[] last = new JsonNode[1];
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(120)).until(() -> {
            last[0] = hub.get("/api/v1/syncs/" + run, t.key()).json();
            if (last[0].hasNonNull("progress")) {
                seen.add(last[0].path("progress").asDouble());
            }
            return List.of("succeeded", "failed", "cancelled").contains(last[0].path("status").asText());
        });
        JsonNode done = last[0];
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(pages.get()).as("the crashed run was resumed").isGreaterThan(4);
        assertThat(done.path("created").asLong()).isEqualTo(total);
        assertThat(done.path("recordsProcessed").asLong()).as("no page read twice").isEqualTo(total);
        assertThat(done.path("progress").asDouble()).isEqualTo(1.0);
        assertThat(seen).as("progress only rises").isSorted();

        List<SquareFake.Call> searches = SQUARE.calls("/v2/orders/search");
        assertThat(searches).hasSize(5);
        List<String> cursors = searches.stream().map(c -> c.json().path("cursor").asText("")).toList();
        assertThat(cursors).doesNotHaveDuplicates();
        assertThat(searches).allSatisfy(c -> {
            assertThat(c.json().path("location_ids")).hasSize(3);
            assertThat(c.json().path("limit").asInt()).isEqualTo(500);
            assertThat(c.json().path("query").path("filter").path("date_time_filter").path("closed_at").path("start_at").asText())
                    .isEqualTo(from.toString());
        });
        List<JsonNode> records = records(t, "order");
        assertThat(records).hasSize(total);
        assertThat(records.stream().map(r -> r.path("externalId").asText()).distinct().count()).isEqualTo(total);
        JsonNode sale = record(t, "order", "LMARKET-10-0").path("data");
        assertThat(sale.path("locationId").asText()).isEqualTo("LMARKET");
        assertThat(sale.path("lineItems").get(0).path("name").asText()).isEqualTo("Flat white");
        assertThat(sale.path("totals").path("total").path("amount").asInt()).isEqualTo(350);
        assertThat(sale.path("tenders").get(0).path("cardBrand").asText()).isEqualTo("VISA");

    }

    @Test
    @Order(5)
    void shouldRefreshOneOrderWhenSquareSaysItsPaymentChanged() {
        Tenant t = connect("{\"locationIds\":\"LHARBOUR,LMARKET,LSTATION\"}");
        Instant day = Instant.parse("2026-11-01T00:00:00Z");
        JsonNode run = finished(t, start(t, "{\"entity\":\"order\",\"mode\":\"full\",\"from\":\"" + day
                + "\",\"to\":\"2026-11-02T00:00:00Z\"}"));
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        String tipped = SQUARE.orders().stream().filter(o -> o.path("closed_at").asText().startsWith("2026-11-01"))
                .filter(o -> o.path("location_id").asText().equals("LHARBOUR")).findFirst().orElseThrow().path("id").asText();
        assertThat(record(t, "order", tipped).path("data").path("totals").path("tip").isNull()).isTrue();
        SQUARE.addTip(tipped, 125);
        SQUARE.clearCalls();

        String event = "{\"merchant_id\":\"" + SquareFake.MERCHANT + "\",\"type\":\"payment.updated\",\"event_id\":\""
                + UUID.randomUUID() + "\",\"created_at\":\"" + Instant.now() + "\",\"data\":{\"type\":\"payment\",\"id\":\"PAY-"
                + tipped + "\",\"object\":{\"payment\":{\"id\":\"PAY-" + tipped + "\",\"order_id\":\"" + tipped
                + "\",\"status\":\"COMPLETED\"}}}}";
        HubClient.Response ack = webhook(event);
        assertThat(ack.status()).as(ack.body()).isEqualTo(200);

        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(30)).until(() -> record(t, "order", tipped).path("data").path("totals")
                .path("tip").path("amount").asInt() == 125);
        JsonNode order = record(t, "order", tipped).path("data");
        assertThat(order.path("totals").path("total").path("amount").asInt()).isEqualTo(350 + 125);
        assertThat(SQUARE.calls("/v2/orders/" + tipped)).isNotEmpty();
        assertThat(SQUARE.calls("/v2/orders/search")).as("one order, not a sync").isEmpty();

        HubClient.Response forged = hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/webhooks/square"))
                .header("Content-Type", "application/json").header("x-square-hmacsha256-signature", "bm90LWl0")
                .POST(HttpRequest.BodyPublishers.ofString(event)).build());
        assertThat(forged.status()).isEqualTo(401);
    }

    /** After the others: the event reaches every connection of the test merchant, whose runs then go on for a while. */
    @Test
    @Order(100)
    void shouldSyncTheCatalogIncrementallyWhenSquareSaysItsVersionChanged() {
        Tenant t = connect("{}");
        assertThat(sync(t, "category", "incremental").path("status").asText()).isEqualTo("succeeded");
        SQUARE.category("CAT-TEA", "Tea");
        SQUARE.clearCalls();
        String event = "{\"merchant_id\":\"" + SquareFake.MERCHANT + "\",\"type\":\"catalog.version.updated\",\"event_id\":\""
                + UUID.randomUUID() + "\",\"created_at\":\"" + Instant.now() + "\",\"data\":{\"type\":\"catalog_version\","
                + "\"id\":\"\",\"object\":{\"catalog_version\":{\"updated_at\":\"" + Instant.now() + "\"}}}}";
        assertThat(webhook(event).status()).isEqualTo(200);

        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> records(t, "category").stream()
                .anyMatch(r -> r.path("externalId").asText().equals("CAT-TEA")));
        JsonNode runs = hub.get(t.path() + "/syncs", t.key()).json();
        assertThat(runs.toString()).contains("square: catalog.version.updated");
        assertThat(SQUARE.calls("/v2/catalog/search")).as("incremental: SearchCatalogObjects").isNotEmpty();
        assertThat(SQUARE.calls("/v2/orders/search")).isEmpty();
    }

    private HubClient.Response webhook(String event) {
        return hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/webhooks/square"))
                .header("Content-Type", "application/json")
                .header("x-square-hmacsha256-signature", SquareWebhookVerifier.signature(SIGNATURE_KEY,
                        PUBLIC_URL + "/webhooks/square", event.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(event)).build());
    }

    @Test
    @Order(6)
    void shouldBackOffWhenSquareAnswers429RateLimitedWithoutRetryAfter() {
        Tenant t = connect("{}");
        SQUARE.clearCalls();
        SQUARE.rateLimit(2, "/v2/catalog/list");
        JsonNode run = sync(t, "category", "full");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.path("created").asLong()).isEqualTo(2);
        assertThat(SQUARE.calls("/v2/catalog/list")).as("two 429s, then the page").hasSize(3);
    }

    @Test
    @Order(8)
    void shouldRefuseASalesRangeLongerThanTwoYearsOrBackwardsBeforeARunIsCreated() {
        Tenant t = connect("{}");
        HubClient.Response tooLong = hub.post(t.path() + "/syncs", t.key(), "{\"entity\":\"order\",\"mode\":\"full\","
                + "\"from\":\"2023-01-01T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}");
        assertThat(tooLong.status()).as(tooLong.body()).isEqualTo(422);
        assertThat(tooLong.contentType()).startsWith("application/problem+json");
        assertThat(tooLong.json().path("detail").asText()).contains("longer than 731 days");
        assertThat(tooLong.json().path("errors").get(0).path("field").asText()).isEqualTo("/to");

        HubClient.Response openEnded = hub.post(t.path() + "/syncs", t.key(), "{\"entity\":\"order\",\"mode\":\"full\","
                + "\"from\":\"2020-01-01T00:00:00Z\"}");
        assertThat(openEnded.status()).as("a range without 'to' ends now: " + openEnded.body()).isEqualTo(422);
        assertThat(openEnded.json().path("errors").get(0).path("field").asText()).isEqualTo("/from");

        HubClient.Response backwards = hub.post(t.path() + "/syncs", t.key(), "{\"entity\":\"order\",\"mode\":\"full\","
                + "\"from\":\"2025-06-01T00:00:00Z\",\"to\":\"2025-05-01T00:00:00Z\"}");
        assertThat(backwards.status()).as(backwards.body()).isEqualTo(422);
        assertThat(backwards.contentType()).startsWith("application/problem+json");
        assertThat(backwards.json().path("errors").get(0).path("field").asText()).isEqualTo("/from");

        assertThat(hub.get(t.path() + "/syncs", t.key()).body()).as("no run was created")
                .doesNotContain("2023-01-01").doesNotContain("2020-01-01").doesNotContain("2025-06-01");
    }

    @Test
    @Order(7)
    void shouldRevokeWithTheClientAuthorizationOnDisconnect() {
        Tenant t = connect("{}");
        SQUARE.clearCalls();
        HubClient.Response gone = hub.delete(t.path(), t.key());
        assertThat(gone.status()).as(gone.body()).isIn(200, 204);
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(10)).until(() -> !SQUARE.tokenCalls().isEmpty());
        SquareFake.Call revoke = SQUARE.tokenCalls().get(0);
        assertThat(revoke.path()).isEqualTo("/oauth2/revoke");
        assertThat(revoke.authorization()).isEqualTo("Client " + SquareFake.CLIENT_SECRET);
        assertThat(revoke.version()).isEqualTo("2025-10-16");
        assertThat(revoke.json().path("client_id").asText()).isEqualTo(SquareFake.CLIENT_ID);
        assertThat(revoke.json().path("access_token").asText()).startsWith("EAAAE-");
    }

    /** An Error, not an Exception: like a killed process, nothing in the engine gets to clean up. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("simulated crash between pages", null, false, false);
        }
    }
}
