package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;

import jakarta.servlet.DispatcherType;

import io.integrationhub.provider.xero.XeroWebhookVerifier;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.KafkaProbe;

/** Providers calling {@code POST /webhooks/{provider}}: verification, store-before-ack, dedupe. */
class WebhookIngressTest extends WebhookIntegrationTest {

    @Autowired
    WebhookGroupCommit groupCommit;

    /**
     * Group commit: webhooks arriving while a commit is running are stored together in the next transaction (one
     * commit), each answered only once that transaction committed, and a duplicate inside the group is stored once.
     * The running commit is held by a lock on the inbox table; PostgreSQL's {@code xmin} tells the transactions apart.
     */
    @Test
    void shouldStoreWebhooksArrivingDuringACommitTogetherAndAnswerThemOnlyOnceCommitted() throws Exception {
        Tenant tenant = tenant();
        String xeroTenant = unique();
        UUID connection = connection(tenant, "xero", xeroTenant);
        List<String> bodies = List.of(creditNote(xeroTenant), creditNote(xeroTenant), creditNote(xeroTenant));
        ExecutorService senders = Executors.newFixedThreadPool(5);
        try (Connection lock = jdbc.getDataSource().getConnection()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE webhook_events IN EXCLUSIVE MODE");
            }
            Future<HubClient.Response> held = senders.submit(() -> xero(creditNote(xeroTenant)));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                            + "WHERE c.relname = 'webhook_events' AND NOT l.granted", Long.class) > 0);
            List<Future<HubClient.Response>> grouped = new ArrayList<>();
            for (String body : bodies) {
                grouped.add(senders.submit(() -> xero(body)));
            }
            grouped.add(senders.submit(() -> xero(bodies.get(0)))); // the same event delivered twice at once
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> groupCommit.waiting() == 4);
            assertThat(held).as("nothing is answered before its transaction committed").isNotDone();
            assertThat(grouped).noneMatch(Future::isDone);
            lock.rollback();

            assertThat(held.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
            for (Future<HubClient.Response> answer : grouped) {
                assertThat(answer.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
        } finally {
            senders.shutdownNow();
        }
        assertThat(rows(connection)).as("4 distinct events, the duplicate stored once").hasSize(4);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT xmin::text) FROM webhook_events WHERE connection_id = ?",
                Long.class, connection)).as("the held one in its transaction, the four waiting ones in one more")
                .isEqualTo(2L);
        assertThat(awaitRows(connection, 4, "processed")).as("each stored event handed on and processed once")
                .allMatch(r -> ((Number) r.get("delivery_count")).intValue() == 1);
    }

    /**
     * The connections of a group's events are looked up once, in the transaction that stores them, so what counts is
     * the connections at the commit: an account connected by two tenants gets the event once for each, a disconnected
     * one gets it as {@code ignored}, and an account connected while its webhook waited for the commit gets it.
     */
    @Test
    void shouldLookUpTheConnectionsOfAGroupsEventsInItsTransaction() throws Exception {
        Tenant first = tenant();
        Tenant second = tenant();
        String shared = unique();
        String gone = unique();
        String late = unique();
        String merchant = "M" + unique();
        String held = unique();
        UUID sharedFirst = connection(first, "xero", shared);
        UUID sharedSecond = connection(second, "xero", shared);
        UUID goneConnection = connection(second, "xero", gone);
        jdbc.update("UPDATE connections SET status = 'disconnected' WHERE id = ?", goneConnection);
        UUID square = connection(first, "square", merchant);
        connection(first, "xero", held);
        String squareEventId = unique();
        String goneBody = creditNote(gone);
        ExecutorService senders = Executors.newFixedThreadPool(5);
        UUID lateConnection;
        List<Future<HubClient.Response>> answers = new ArrayList<>();
        try (Connection lock = jdbc.getDataSource().getConnection()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE webhook_events IN EXCLUSIVE MODE");
            }
            answers.add(senders.submit(() -> xero(creditNote(held))));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                            + "WHERE c.relname = 'webhook_events' AND NOT l.granted", Long.class) > 0);
            answers.add(senders.submit(() -> xero(creditNote(shared))));
            answers.add(senders.submit(() -> xero(goneBody)));
            answers.add(senders.submit(() -> xero(creditNote(late))));
            answers.add(senders.submit(() -> square(squareEvent(merchant, squareEventId))));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> groupCommit.waiting() == 4);
            lateConnection = connection(second, "xero", late); // connected while its webhook waits for the commit
            lock.rollback();
            for (Future<HubClient.Response> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
        } finally {
            senders.shutdownNow();
        }
        assertThat(rows(sharedFirst)).hasSize(1);
        assertThat(rows(sharedSecond)).as("two tenants connect the same organisation: stored for each").hasSize(1);
        assertThat(rows(sharedSecond).get(0).get("tenant_id")).isEqualTo(second.id());
        assertThat(rows(goneConnection)).as("a disconnected connection gets nothing").isEmpty();
        Map<String, Object> ignored = jdbc.queryForMap("SELECT * FROM webhook_events WHERE account_id = ? AND provider = 'xero'", gone);
        assertThat(ignored.get("status")).isEqualTo("ignored");
        assertThat(ignored.get("tenant_id")).isNull();
        assertThat(rows(lateConnection)).as("connected before the commit: the lookup at the commit sees it").hasSize(1);
        assertThat(rows(square)).extracting(r -> r.get("external_event_id")).containsExactly(squareEventId);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT xmin::text) FROM webhook_events WHERE account_id IN (?, ?, ?, ?)",
                Long.class, shared, gone, late, merchant)).as("the four waiting requests in one transaction").isEqualTo(1L);
    }

    @Test
    void shouldStorePublishAndAcknowledgeASignedXeroEventOnce() {
        Tenant tenant = tenant();
        String xeroTenant = unique();
        UUID connection = connection(tenant, "xero", xeroTenant);
        // A credit-note event: the Xero family routes it without a provider call, so it is processed once here.
        String body = creditNote(xeroTenant);

        try (KafkaProbe topic = new KafkaProbe(bootstrapServers, "hub.webhooks.xero")) {
            HubClient.Response first = xero(body);
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).isEmpty();
            // Stored before the answer: the row exists the moment the provider has its 200.
            assertThat(rows(connection)).hasSize(1);

            JsonNode record = topic.await(connection.toString(), e -> true);
            assertThat(record.path("specversion").asText()).isEqualTo("1.0");
            assertThat(record.path("type").asText()).isEqualTo("io.integrationhub.webhook.received");
            assertThat(record.path("tenantid").asText()).isEqualTo(tenant.id().toString());
            assertThat(record.path("data").path("eventType").asText()).isEqualTo("creditnote.update");
            assertThat(record.path("data").path("payload").path("tenantId").asText()).isEqualTo(xeroTenant);
        }
        assertThat(xero(body).status()).isEqualTo(200);

        List<Map<String, Object>> rows = awaitRows(connection, 1, "processed");
        assertThat(rows.get(0).get("delivery_count")).isEqualTo(1);
    }

    @Test
    void shouldAnswerXeroIntentToReceiveOnlyWhenSignedCorrectly() {
        String intent = "{\"events\":[],\"lastEventSequence\":0,\"firstEventSequence\":0,\"entropy\":\"S0m3r4Nd0mt3xt\"}";
        HubClient.Response good = xero(intent);
        assertThat(good.status()).isEqualTo(200);
        assertThat(good.body()).isEmpty();

        HubClient.Response bad = post("xero", intent, Map.of("x-xero-signature",
                XeroWebhookVerifier.signature("not-the-key", intent.getBytes(StandardCharsets.UTF_8))));
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.json().path("status").asInt()).isEqualTo(401);
        assertThat(bad.body()).doesNotContain("Exception", "at io.");
    }

    @Test
    void shouldRefuseMissingOrWrongSignaturesWithoutStoringAnything() {
        Tenant tenant = tenant();
        String xeroTenant = unique();
        UUID connection = connection(tenant, "xero", xeroTenant);
        String body = xeroEvent(xeroTenant, unique());

        assertThat(post("xero", body, Map.of()).status()).isEqualTo(401);
        // Signature of the same JSON re-serialised differently: the raw bytes are what count.
        String reformatted = body.replace(",", ", ");
        assertThat(post("xero", reformatted, Map.of("x-xero-signature", XeroWebhookVerifier.signature(
                "test-xero-webhook-key", body.getBytes(StandardCharsets.UTF_8)))).status()).isEqualTo(401);
        assertThat(rows(connection)).isEmpty();
    }

    @Test
    void shouldAnswerUnknownProvidersOversizedAndUnparseableBodiesWithProblems() {
        HubClient.Response unknown = post("nope", "{}", Map.of());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(post("business-central", "{}", Map.of()).status()).isEqualTo(404);
        // The bench's bare-200 endpoint exists only with hub.bench.enabled=true.
        assertThat(post("/bench/ping", new byte[0], Map.of(), "application/json").status()).isEqualTo(404);

        byte[] big = new byte[1024 * 1024 + 1];
        Arrays.fill(big, (byte) 'a');
        HubClient.Response tooLarge = post("/webhooks/xero", big, Map.of(), "application/json");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.contentType()).startsWith("application/problem+json");

        HubClient.Response unparseable = xero("{\"events\": [");
        assertThat(unparseable.status()).isEqualTo(400);
        assertThat(unparseable.contentType()).startsWith("application/problem+json");
        assertThat(unparseable.body()).doesNotContain("Exception", "at com.");
        // The signature is checked over the bytes as they arrived (not a decoded and re-encoded copy): a correctly
        // signed body that is not UTF-8 is refused as unparseable, not as forged.
        byte[] latin1 = "{\"events\": [], \"note\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        HubClient.Response notUtf8 = post("/webhooks/xero", latin1,
                Map.of("x-xero-signature", XeroWebhookVerifier.signature("test-xero-webhook-key", latin1)), "application/json");
        assertThat(notUtf8.status()).isEqualTo(400);
        assertThat(notUtf8.contentType()).startsWith("application/problem+json");
    }

    @Test
    void shouldVerifySquareOverTheRegisteredUrlAndDedupeByEventId() {
        Tenant tenant = tenant();
        String merchant = "M" + unique().substring(0, 8);
        UUID connection = connection(tenant, "square", merchant);
        String eventId = unique();

        assertThat(square(squareEvent(merchant, eventId)).status()).isEqualTo(200);
        // A redelivery has a new created_at in some providers' retries; the event id is what dedupes.
        assertThat(square(squareEvent(merchant, eventId)).status()).isEqualTo(200);
        // The test family handler for order.updated (WebhookIntegrationTest) processes it.
        List<Map<String, Object>> rows = awaitRows(connection, 1, "processed");
        assertThat(rows.get(0).get("external_event_id")).isEqualTo(eventId);
        assertThat(rows.get(0).get("event_type")).isEqualTo("order.updated");
    }

    @Test
    void shouldStoreEventsOfUnknownAccountsAsIgnored() {
        String merchant = "unknown-" + unique();
        String eventId = unique();
        assertThat(square(squareEvent(merchant, eventId)).status()).isEqualTo(200);
        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM webhook_events WHERE external_event_id = ?", eventId);
        assertThat(row.get("status")).isEqualTo("ignored");
        assertThat(row.get("tenant_id")).isNull();
        assertThat((String) row.get("error")).contains(merchant);
    }

    @Test
    void shouldVerifyHubSpotV3AndRefuseStaleTimestamps() {
        Tenant tenant = tenant();
        String portal = String.valueOf(System.nanoTime() % 100000000);
        UUID connection = connection(tenant, "hubspot", portal);
        String body = "[{\"eventId\":1,\"subscriptionId\":2,\"portalId\":" + portal + ",\"appId\":3,\"occurredAt\":"
                + System.currentTimeMillis() + ",\"subscriptionType\":\"ticket.propertyChange\",\"attemptNumber\":0,"
                + "\"objectId\":123,\"propertyName\":\"email\",\"propertyValue\":\"a@b.example\",\"changeSource\":\"CRM\"}]";

        assertThat(hubspot(body, System.currentTimeMillis()).status()).isEqualTo(200);
        // HubSpot's retry: same event, next attemptNumber → the same event, stored once.
        assertThat(hubspot(body.replace("\"attemptNumber\":0", "\"attemptNumber\":1"), System.currentTimeMillis()).status())
                .isEqualTo(200);
        HubClient.Response stale = hubspot(body, System.currentTimeMillis() - 6 * 60 * 1000);
        assertThat(stale.status()).isEqualTo(401);
        assertThat(stale.json().path("detail").asText()).contains("window");
        // The HubSpot family's router (direct:webhook.hubspot) handles it: a ticket is none of its objects.
        awaitRows(connection, 1, "processed");
    }

    @Test
    void shouldAnswerSlackUrlVerificationAndRefuseStaleRequests() {
        long now = Instant.now().getEpochSecond();
        HubClient.Response challenge = slack("{\"token\":\"Jhj5dZrVaK7ZwHHjRyZWjbDl\",\"challenge\":\"3eZbrw1aBm2rZgRNFdx\","
                + "\"type\":\"url_verification\"}", "application/json", now);
        assertThat(challenge.status()).isEqualTo(200);
        assertThat(challenge.json().path("challenge").asText()).isEqualTo("3eZbrw1aBm2rZgRNFdx");

        assertThat(slack("{\"type\":\"url_verification\",\"challenge\":\"x\"}", "application/json", now - 301).status())
                .isEqualTo(401);
    }

    @Test
    void shouldVerifySlackFormBodiesOnTheRawBytes() {
        Tenant tenant = tenant();
        String team = "T" + unique().substring(0, 8).toUpperCase();
        UUID connection = connection(tenant, "slack", team);
        String form = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=" + team + "&command=%2Fwebhook-collect&text=&response_url="
                + "https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1%2F2%2F3";
        assertThat(slack(form, "application/x-www-form-urlencoded", Instant.now().getEpochSecond()).status()).isEqualTo(200);
        List<Map<String, Object>> rows = awaitRows(connection, 1, "ignored");
        assertThat(rows.get(0).get("event_type")).isEqualTo("command");
        assertThat((String) rows.get(0).get("payload")).contains("/webhook-collect");
    }

    @Test
    void shouldStoreSlackEventCallbacksOncePerEventId() {
        Tenant tenant = tenant();
        String team = "T" + unique().substring(0, 8).toUpperCase();
        UUID connection = connection(tenant, "slack", team);
        String eventId = "Ev" + unique().substring(0, 10);
        String body = "{\"token\":\"t\",\"team_id\":\"" + team + "\",\"api_app_id\":\"A1\",\"event\":{\"type\":\"reaction_added\","
                + "\"text\":\"hi\"},\"type\":\"event_callback\",\"event_id\":\"" + eventId + "\",\"event_time\":1}";
        assertThat(slack(body, "application/json", Instant.now().getEpochSecond()).status()).isEqualTo(200);
        assertThat(slack(body, "application/json", Instant.now().getEpochSecond()).status()).isEqualTo(200);
        // an event type the Slack family has no route for (app_mention has one: routes/slack/webhooks.camel.yaml)
        assertThat(awaitRows(connection, 1, "ignored").get(0).get("event_type")).isEqualTo("reaction_added");
    }

    @Test
    void shouldNeverStoreListOrPublishSlacksAppWideVerificationToken() {
        Tenant tenant = tenant();
        String team = "T" + unique().substring(0, 8).toUpperCase();
        UUID connection = connection(tenant, "slack", team);
        String token = "AppWideVerificationToken0" + unique().substring(0, 8);
        long now = Instant.now().getEpochSecond();
        String event = "{\"token\":\"" + token + "\",\"team_id\":\"" + team + "\",\"api_app_id\":\"A1\",\"event\":"
                + "{\"type\":\"reaction_added\",\"reaction\":\"tada\"},\"type\":\"event_callback\",\"event_id\":\"Ev"
                + unique().substring(0, 10) + "\",\"event_time\":1}";
        String command = "token=" + token + "&team_id=" + team + "&command=%2Fcollect&text=&response_url="
                + "https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1%2F2%2F3";
        String interaction = "payload=" + java.net.URLEncoder.encode("{\"type\":\"block_actions\",\"token\":\"" + token
                + "\",\"team\":{\"id\":\"" + team + "\"},\"actions\":[]}", StandardCharsets.UTF_8);

        try (KafkaProbe topic = new KafkaProbe(bootstrapServers, "hub.webhooks.slack")) {
            assertThat(slack(event, "application/json", now).status()).isEqualTo(200);
            JsonNode published = topic.await(connection.toString(), e -> true);
            assertThat(published.path("data").path("payload").path("event").path("type").asText()).isEqualTo("reaction_added");
            assertThat(published.toString()).doesNotContain(token);
        }
        assertThat(slack(command, "application/x-www-form-urlencoded", now).status()).isEqualTo(200);
        assertThat(slack(interaction, "application/x-www-form-urlencoded", now).status()).isEqualTo(200);

        List<Map<String, Object>> rows = awaitRows(connection, 3, "ignored");
        assertThat(rows).allSatisfy(row -> assertThat((String) row.get("payload")).doesNotContain(token));
        HubClient.Response listed = hub.get("/api/v1/webhook-events?provider=slack", tenant.apiKey());
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.json().path("events")).hasSize(3);
        assertThat(listed.body()).doesNotContain(token).contains("reaction_added", "/collect", "block_actions");
    }

    /**
     * A platform-http route runs on the request's own Tomcat thread (RouteThreads), not on a second pool: no hand-over
     * between threads per request, and Tomcat's limits bound the requests in the hub.
     */
    @Test
    void shouldRunPlatformHttpRoutesOnTheRequestThread() {
        TestHandlers.PROBE_DISPATCHES.clear();
        HubClient.Response answer = post("/it/route-thread", new byte[0], Map.of(), "application/json");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).startsWith("http-nio-");
        // answered on the first dispatch: no second (asynchronous) pass through the filters and the DispatcherServlet
        assertThat(TestHandlers.PROBE_DISPATCHES).containsExactly(DispatcherType.REQUEST);

        TestHandlers.PROBE_DISPATCHES.clear();
        HubClient.Response failed = post("/it/route-thread?fail=true", new byte[0], Map.of(), "application/json");
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.body()).doesNotContain("the probe failed as asked");
        assertThat(TestHandlers.PROBE_DISPATCHES).containsExactly(DispatcherType.REQUEST);
    }
}
