package io.integrationhub.provider.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.provider.notion.NotionFake;
import io.integrationhub.support.HookReceiver;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubIntegrationTest;

/**
 * The Slack family driven over HTTP like a host application, against a wire-level Slack ({@link SlackFake}):
 * OAuth v2 install, the channel picker (conversations.list cursor paging), the hub's operational events posted to the
 * chosen channel as Block Kit — a Notion connection of the same tenant needing re-authorization, five dead letters
 * folded into one thread, a host webhook endpoint disabled — "Send a test alert" with a 429 waited out and
 * {@code channel_not_found}, an Events API mention becoming a {@code message} record without Slack's app token, and
 * {@code token_revoked} turning the Slack connection {@code reauth_required}. Another tenant's Slack channel gets none
 * of it. The tests run in order on one tenant (its Slack channel collects every alert).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlackFamilyTest extends HubIntegrationTest {

    static final SlackFake SLACK = new SlackFake();
    static final NotionFake NOTION = new NotionFake();
    static final String TEAM = "T0ACME";
    static final String ALERTS = "C0ALERTS";
    static final String OTHER_CHANNEL = "C0OTHERTEAM";
    static final String APP_TOKEN = "XXappWideVerificationToken";

    static String key;
    static UUID tenantId;
    static UUID slack;
    static UUID notion;
    static String otherKey;

    @Autowired
    CamelContext camel;
    @Autowired
    ProducerTemplate producer;
    @Autowired
    JdbcTemplate jdbc;
    @Value("${hub.public-url}")
    String publicUrl;

    @DynamicPropertySource
    static void providers(DynamicPropertyRegistry registry) {
        registry.add("hub.providers.slack.client-id", () -> SlackFake.CLIENT_ID);
        registry.add("hub.providers.slack.client-secret", () -> SlackFake.CLIENT_SECRET);
        registry.add("hub.providers.slack.authorize-url", SLACK::authorizeUrl);
        registry.add("hub.providers.slack.token-url", () -> SLACK.api() + "/oauth.v2.access");
        registry.add("hub.providers.slack.api-url", SLACK::api);
        registry.add("hub.providers.notion.client-id", () -> NotionFake.CLIENT_ID);
        registry.add("hub.providers.notion.client-secret", () -> NotionFake.CLIENT_SECRET);
        registry.add("hub.providers.notion.authorize-url", () -> NOTION.root() + "/v1/oauth/authorize");
        registry.add("hub.providers.notion.token-url", () -> NOTION.root() + "/v1/oauth/token");
        registry.add("hub.providers.notion.api-url", NOTION::root);
        // this test's own consumer group reads the hub's topics from their start, so no alert is missed
        registry.add("hub.slack.alerts.offset-reset", () -> "earliest");
        registry.add("hub.slack.channels.page-size", () -> "2");
        registry.add("hub.resilience.max-attempts", () -> "3");
        registry.add("hub.resilience.initial-backoff", () -> "20ms");
        registry.add("hub.resilience.max-backoff", () -> "100ms");
    }

    private String path() {
        return "/api/v1/connections/" + slack;
    }

    private UUID connect(String tenantKey, String provider, String code, String config) {
        HubClient.Response created = hub.post("/api/v1/connections", tenantKey,
                "{\"provider\":\"" + provider + "\",\"config\":" + config + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String authorize = created.json().path("authorizeUrl").asText();
        HubClient.Response back = hub.get("/oauth/callback/" + provider + "?code=" + code + "&state="
                + URLEncoder.encode(param(authorize, "state"), StandardCharsets.UTF_8), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        UUID id = UUID.fromString(created.json().path("id").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(
                hub.get("/api/v1/connections/" + id, tenantKey).json().path("status").asText()));
        return id;
    }

    private static String param(String url, String name) {
        for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError(name + " not in " + url);
    }

    private void alerts(String alerts) {
        HubClient.Response r = hub.patch(path(), key, "{\"config\":{\"channel\":\"" + ALERTS + "\",\"alerts\":\"" + alerts + "\"}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** The channel's messages once there are {@code n}. */
    private List<SlackFake.Message> awaitMessages(String channel, int n) {
        await().atMost(Duration.ofSeconds(60)).until(() -> SLACK.messages(channel).size() >= n);
        List<SlackFake.Message> messages = SLACK.messages(channel);
        assertThat(messages).as("messages in " + channel).hasSize(n);
        return messages;
    }

    private static String blocksText(SlackFake.Message m) {
        return m.blocks() == null ? "" : m.blocks().toString();
    }

    @Test
    @Order(1)
    void shouldInstallTheAppAndPickAChannelFromConversationsList() {
        SLACK.channel(ALERTS, "hub-alerts", true);
        SLACK.channel("C0GENERAL", "general", true);
        SLACK.channel("C0RANDOM", "random", false);
        SLACK.channel(OTHER_CHANNEL, "other-team-alerts", true);
        JsonNode tenant = newTenant();
        key = tenant.path("apiKey").asText();
        tenantId = UUID.fromString(tenant.path("id").asText());

        HubClient.Response created = hub.post("/api/v1/connections", key, "{\"provider\":\"slack\",\"config\":{}}");
        String authorize = created.json().path("authorizeUrl").asText();
        assertThat(authorize).startsWith(SLACK.authorizeUrl() + "?").contains("client_id=" + SlackFake.CLIENT_ID)
                .contains("scope=" + URLEncoder.encode("chat:write,channels:read,channels:history,app_mentions:read",
                        StandardCharsets.UTF_8));
        HubClient.Response back = hub.get("/oauth/callback/slack?code=code-" + TEAM + "-" + UUID.randomUUID()
                + "&state=" + URLEncoder.encode(param(authorize, "state"), StandardCharsets.UTF_8), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        slack = UUID.fromString(created.json().path("id").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(hub.get(path(), key).json().path("status").asText()));
        JsonNode connection = hub.get(path(), key).json();
        assertThat(connection.path("account").path("id").asText()).isEqualTo(TEAM);
        assertThat(connection.toString()).doesNotContain("xoxb-");
        SlackFake.Call exchange = SLACK.calls("oauth.v2.access").get(0);
        assertThat(exchange.contentType()).startsWith("application/x-www-form-urlencoded");
        assertThat(exchange.body()).contains("client_secret=" + SlackFake.CLIENT_SECRET);

        List<JsonNode> channels = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HubClient.Response page = hub.get(path() + "/channels" + (cursor == null ? ""
                    : "?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), key);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            page.json().path("channels").forEach(channels::add);
            cursor = page.json().path("nextCursor").isNull() ? null : page.json().path("nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).as("page size 2, four channels").isEqualTo(2);
        assertThat(channels).extracting(c -> c.path("id").asText()).containsExactly(ALERTS, "C0GENERAL", OTHER_CHANNEL,
                "C0RANDOM");
        assertThat(channels.get(3).path("isMember").asBoolean()).isFalse();
        assertThat(SLACK.calls("conversations.list").get(1).param("cursor")).isNotBlank();

        assertThat(hub.get(path() + "/channels?cursor=..%2Fx", key).status()).isEqualTo(400);
        String stranger = newTenantKey();
        assertThat(hub.get(path() + "/channels", stranger).status()).isEqualTo(404);
        HubClient.Response wrong = hub.patch(path(), key, "{\"config\":{\"channel\":\"#general\"}}");
        assertThat(wrong.status()).isEqualTo(422);
        assertThat(wrong.body()).contains("/config/channel");
        assertThat(hub.patch(path(), key, "{\"config\":{\"alerts\":\"everything\"}}").status()).isEqualTo(422);
        alerts("reauth_required");

        // another tenant, another workspace, its own alert channel taking every alert
        otherKey = newTenantKey();
        connect(otherKey, "slack", "code-T0OTHER-" + UUID.randomUUID(), "{\"channel\":\"" + OTHER_CHANNEL + "\"}");
    }

    @Test
    @Order(2)
    void shouldPostOneMessageWhenAnotherConnectionOfTheTenantNeedsReauthorization() {
        String db = NOTION.database(1);
        notion = connect(key, "notion", "code-" + UUID.randomUUID(), "{\"databaseId\":\"" + db + "\"}");
        // Notion refuses the token, and the refreshed one too: the connection needs the user again.
        NOTION.fail(new NotionFake.Fault(401, "unauthorized", null), new NotionFake.Fault(401, "unauthorized", null));
        HubClient.Response run = hub.post("/api/v1/connections/" + notion + "/syncs", key, "{\"entity\":\"page\",\"mode\":\"full\"}");
        assertThat(run.status()).as(run.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> "reauth_required".equals(
                hub.get("/api/v1/connections/" + notion, key).json().path("status").asText()));

        SlackFake.Message alert = awaitMessages(ALERTS, 1).get(0);
        assertThat(alert.text()).contains("A notion connection needs to be authorized again");
        assertThat(alert.threadTs()).isNull();
        assertThat(blocksText(alert)).contains(notion.toString()).contains("Open the dashboard")
                .contains("\"url\":\"" + publicUrl + "/\"");
        SlackFake.Call post = SLACK.calls("chat.postMessage").get(0);
        assertThat(post.authorization()).startsWith("Bearer xoxb-" + TEAM);
        assertThat(post.contentType()).startsWith("application/json");
    }

    @Test
    @Order(3)
    void shouldFoldFiveDeadLettersOfOneCauseIntoOneThread() throws Exception {
        alerts("dead_letter");
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:slack-test.always-fails").routeId("slack-test.always-fails")
                        .routeConfigurationId("platform-dead-letter")
                        .throwException(new IllegalStateException("the host's order service said no"));
            }
        });
        for (int i = 0; i < 5; i++) {
            producer.sendBodyAndHeaders("direct:slack-test.always-fails", "{\"order\":" + i + "}",
                    Map.of("HubTenantId", tenantId.toString(), "HubConnectionId", notion.toString()));
        }

        List<SlackFake.Message> messages = awaitMessages(ALERTS, 6);
        List<SlackFake.Message> thread = messages.subList(1, 6);
        SlackFake.Message parent = thread.get(0);
        assertThat(parent.threadTs()).as("the first alert of the cause is a new message").isNull();
        assertThat(parent.text()).contains("A message failed and was dead-lettered");
        assertThat(blocksText(parent)).contains("slack-test.always-fails").contains("IllegalStateException");
        assertThat(thread.subList(1, 5)).as("the four repeats are replies in its thread")
                .allSatisfy(m -> assertThat(m.threadTs()).isEqualTo(parent.ts()));
        assertThat(thread.get(4).text()).contains("Again (5×)");
        HubClient.Response letters = hub.get("/api/v1/dead-letters", key);
        assertThat(letters.json().path("deadLetters")).hasSize(5);
    }

    @Test
    @Order(4)
    void shouldWaitOutA429WhenSendingATestAlert() {
        int before = SLACK.messages(ALERTS).size();
        SLACK.clearCalls();
        SLACK.rateLimitNext(1);

        HubClient.Response sent = hub.post(path() + "/actions/test-alert", key, "{\"data\":{}}");

        assertThat(sent.status()).as(sent.body()).isIn(200, 201);
        assertThat(sent.json().path("externalId").asText()).startsWith(ALERTS + ":");
        assertThat(SLACK.calls("chat.postMessage")).extracting(SlackFake.Call::status).containsExactly(429, 200);
        List<SlackFake.Message> messages = SLACK.messages(ALERTS);
        assertThat(messages).hasSize(before + 1);
        assertThat(messages.get(before).text()).contains("Test alert from the integration hub");
        assertThat(sent.json().path("externalId").asText()).isEqualTo(ALERTS + ":" + messages.get(before).ts());
    }

    @Test
    @Order(5)
    void shouldTellTheUserWhenTheChannelIsGone() {
        assertThat(hub.patch(path(), key, "{\"config\":{\"channel\":\"C0DELETED\"}}").status()).isEqualTo(200);

        HubClient.Response refused = hub.post(path() + "/actions/test-alert", key, "{\"data\":{}}");

        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body()).contains("channel_not_found");
        JsonNode connection = hub.get(path(), key).json();
        assertThat(connection.path("status").asText()).as("the token is fine").isEqualTo("active");
        assertThat(connection.path("lastError").asText()).contains("channel_not_found").contains("C0DELETED");

        alerts("webhook_endpoint_disabled");
        HubClient.Response again = hub.post(path() + "/actions/test-alert", key, "{\"data\":{}}");
        assertThat(again.status()).as(again.body()).isIn(200, 201);
        assertThat(hub.get(path(), key).json().path("lastError").isNull()).as("a delivered alert clears it").isTrue();
    }

    @Test
    @Order(6)
    void shouldPostWhenAHostWebhookEndpointIsDisabled() {
        int before = SLACK.messages(ALERTS).size();
        try (HookReceiver gone = HookReceiver.answering(410)) {
            HubClient.Response endpoint = hub.post("/api/v1/webhook-endpoints", key, "{\"url\":\"" + gone.url()
                    + "\",\"events\":[\"io.integrationhub.connection.status_changed\"],\"description\":\"old host\"}");
            assertThat(endpoint.status()).as(endpoint.body()).isEqualTo(201);
            String id = endpoint.json().path("id").asText();
            assertThat(hub.delete("/api/v1/connections/" + notion, key).status()).isEqualTo(200);

            SlackFake.Message alert = awaitMessages(ALERTS, before + 1).get(before);
            assertThat(alert.text()).contains("A host webhook endpoint was disabled");
            assertThat(blocksText(alert)).contains(id).contains("410 Gone");
        }
    }

    @Test
    @Order(7)
    void shouldTurnAMentionIntoAMessageRecordWithoutSlacksAppToken() {
        String ts = SLACK.userMessage(ALERTS, "U0ALICE", "<@U0BOT> is the Xero sync done?");
        String event = """
                {"token":"%s","team_id":"%s","api_app_id":"A0HUB","type":"event_callback","event_id":"Ev%s",
                 "event_time":%d,"event":{"type":"app_mention","user":"U0ALICE","text":"<@U0BOT> is the Xero sync done?",
                 "ts":"%s","channel":"%s","event_ts":"%s"}}
                """.formatted(APP_TOKEN, TEAM, UUID.randomUUID().toString().replace("-", ""),
                Instant.now().getEpochSecond(), ts, ALERTS, ts);
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        HubClient.Response accepted = hub.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + "/webhooks/slack"))
                .header("Content-Type", "application/json")
                .header("X-Slack-Request-Timestamp", timestamp)
                .header("X-Slack-Signature", SlackWebhookVerifier.signature("test-slack-signing-secret", timestamp,
                        event.getBytes(StandardCharsets.UTF_8)))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(event)).build());
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);

        JsonNode[] record = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode r : hub.get(path() + "/records/message?limit=100", key).json().path("records")) {
                if (r.path("externalId").asText().equals(ALERTS + ":" + ts)) {
                    record[0] = r;
                }
            }
            return record[0] != null;
        });
        assertThat(record[0].path("data").path("text").asText()).isEqualTo("<@U0BOT> is the Xero sync done?");
        assertThat(record[0].path("data").path("user").asText()).isEqualTo("U0ALICE");
        assertThat(record[0].toString()).doesNotContain(APP_TOKEN);
        HubClient.Response events = hub.get("/api/v1/webhook-events?provider=slack", key);
        assertThat(events.body()).contains("app_mention").doesNotContain(APP_TOKEN);
        assertThat(jdbc.queryForList("SELECT payload FROM webhook_events WHERE provider = 'slack'", String.class))
                .isNotEmpty().allSatisfy(p -> assertThat(p).doesNotContain(APP_TOKEN));
    }

    @Test
    @Order(8)
    void shouldAskForReauthorizationWhenSlackRevokedTheToken() {
        SLACK.revokeTokens(TEAM);

        HubClient.Response refused = hub.post(path() + "/actions/test-alert", key, "{\"data\":{}}");

        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.body()).contains("token_revoked");
        JsonNode connection = hub.get(path(), key).json();
        assertThat(connection.path("status").asText()).isEqualTo("reauth_required");
        assertThat(connection.path("lastError").asText()).contains("token_revoked");
        assertThat(SLACK.messages(OTHER_CHANNEL)).as("the other tenant's channel got none of this tenant's alerts")
                .isEmpty();
    }
}
