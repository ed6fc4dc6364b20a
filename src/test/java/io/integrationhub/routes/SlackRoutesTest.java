package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.integrationhub.platform.deadletter.DeadLetterConfiguration;
import io.integrationhub.platform.resilience.ProviderCallException;

/**
 * The Slack family's routes (routes/slack: alerts, chat, actions, channel picker, message pull, Events API) with their
 * real JSONata mappings, loaded from the routes folder without Spring Boot, a database or Kafka. The Kafka source of
 * the alert flow is replaced by {@code direct:alerts-in}, the platform provider endpoint ({@code direct:slack.provider})
 * by a stand-in that records each request and answers canned Slack JSON, and the family's two Java beans by stand-ins
 * that record what the routes asked of them.
 */
class SlackRoutesTest extends FamilyRoutesTestSupport {

    static final String API = "https://slack.test/api";
    static final String HUB = "https://hub.example.com";
    static final UUID TENANT = UUID.fromString("00000000-0000-4000-8000-0000000000aa");
    static final UUID CONNECTION = UUID.fromString("00000000-0000-4000-8000-0000000000bb");

    final List<Map<String, Object>> requests = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
    final Connections connections = new Connections();
    final Threads threads = new Threads();

    /** Stand-in of SlackConnections: the tenant's Slack connections and what the routes reported. */
    public static class Connections {
        final List<Map<String, Object>> targets = new ArrayList<>();
        final List<String> reported = new CopyOnWriteArrayList<>();

        public List<Map<String, Object>> targets(String tenantId) {
            return TENANT.toString().equals(tenantId) ? targets : List.of();
        }

        public void reauthorize(Exchange exchange, String error) {
            reported.add("reauthorize " + error + " " + exchange.getProperty("HubConnectionId"));
        }

        public void channelRefused(Exchange exchange, String error) {
            reported.add("channel " + error + " " + exchange.getProperty("SlackChannel"));
        }

        public void delivered(Exchange exchange) {
            reported.add("delivered " + exchange.getProperty("SlackChannel"));
        }

        public void refused(String answer) {
            throw new ProviderCallException(ProviderCallException.Kind.REJECTED, 502, "Slack answered " + answer, null);
        }
    }

    /** Stand-in of SlackAlertThreads: an open thread per cause, when the test says so. */
    public static class Threads {
        final Map<String, String> open = new java.util.concurrent.ConcurrentHashMap<>();
        final List<String> remembered = new CopyOnWriteArrayList<>();

        public void fold(Exchange exchange) {
            String ts = open.get(exchange.getProperty("SlackCause", String.class));
            exchange.setProperty("SlackThreadTs", ts == null ? "" : ts);
            exchange.setProperty("SlackRepeat", ts == null ? 0 : 2);
        }

        public void remember(Exchange exchange, String ts) {
            remembered.add(exchange.getProperty("SlackCause") + " " + ts);
        }
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("slack/alerts.camel.yaml", "slack/chat.camel.yaml", "slack/actions.camel.yaml",
                "slack/channels.camel.yaml", "slack/sync.camel.yaml", "slack/webhooks.camel.yaml");
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        List<RoutesBuilder> builders = new ArrayList<>(List.of(new DeadLetterConfiguration(0, 1, 1)));
        builders.addAll(List.of(super.createRouteBuilders()));
        return builders.toArray(RoutesBuilder[]::new);
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.providers.slack.api-url", API);
        properties.setProperty("hub.public-url", HUB);
        properties.setProperty("hub.slack.alerts.topics", "hub.connections");
        properties.setProperty("hub.slack.alerts.consumer-group", "test");
        properties.setProperty("hub.slack.alerts.offset-reset", "earliest");
        properties.setProperty("hub.slack.alerts.channel-interval-ms", "1");
        return properties;
    }

    @BeforeEach
    void prepareRoutes() throws Exception {
        context.getRegistry().bind("slackConnections", connections);
        context.getRegistry().bind("slackAlertThreads", threads);
        context.getRegistry().bind("webhookSyncRequests", new Object() {
            @SuppressWarnings("unused")
            public void requestIncremental(String tenant, String connection, String entity, String reason) {
                requests.add(Map.of("sync", tenant + " " + connection + " " + entity + " " + reason));
            }
        });
        AdviceWith.adviceWith(context, "slack.alerts.consume", route -> route.replaceFromWith("direct:alerts-in"));
        AdviceWith.adviceWith(context, "slack.channels.list", route -> route.weaveById("slack.channels.connection")
                .replace().process(e -> {
                    e.setProperty("HubTenantId", TENANT);
                    e.setProperty("HubConnectionId", CONNECTION);
                }));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:slack.provider").routeId("test.slack-api").process(this::answer);
                from("direct:platform.deadLetter").routeId("test.dead-letters").to("mock:dead-letter");
            }

            private void answer(Exchange exchange) {
                var message = exchange.getMessage();
                requests.add(Map.of("method", message.getHeader("ProviderMethod"), "url", message.getHeader("ProviderUrl"),
                        "contentType", String.valueOf(message.getHeader("Content-Type")),
                        "body", String.valueOf(message.getBody(String.class)),
                        "connection", String.valueOf(exchange.getProperty("HubConnectionId"))));
                String answer = answers.poll();
                message.getHeaders().clear();
                message.setHeader("ProviderStatus", 200);
                message.setBody(answer != null ? answer : "{\"ok\":true,\"channel\":\"C0ALERTS\",\"ts\":\"1764900000.000100\"}");
            }
        });
        context.start();
    }

    private void target(String alerts) {
        connections.targets.add(Map.of("tenantId", TENANT, "connectionId", CONNECTION, "channel", "C0ALERTS",
                "alerts", alerts));
    }

    private static String event(String type, String data) {
        return """
                {"specversion":"1.0","id":"%s","source":"/integration-hub","type":"io.integrationhub.%s",
                 "subject":"x","time":"2026-12-05T22:00:00Z","datacontenttype":"application/json",
                 "tenantid":"%s","data":%s}
                """.formatted(UUID.randomUUID(), type, TENANT, data);
    }

    private static String reauth(String connection) {
        return event("connection.status_changed", """
                {"connectionId":"%s","provider":"xero","previousStatus":"active","status":"reauth_required",
                 "reason":"invalid_grant"}""".formatted(connection));
    }

    private List<Map<String, Object>> posts() {
        return requests.stream().filter(r -> String.valueOf(r.get("url")).endsWith("/chat.postMessage")).toList();
    }

    private static JsonNode body(Map<String, Object> request) {
        return json((String) request.get("body"));
    }

    // --- alerts ------------------------------------------------------------------------------------------------

    @Test
    void aConnectionNeedingReauthorizationIsPostedAsBlockKitWithALinkToTheDashboard() {
        target("*");
        String other = UUID.randomUUID().toString();

        template.sendBody("direct:alerts-in", reauth(other));

        assertThat(posts()).hasSize(1);
        Map<String, Object> post = posts().get(0);
        assertThat(post.get("method")).isEqualTo("POST");
        assertThat(post.get("contentType")).isEqualTo("application/json; charset=utf-8");
        assertThat(post.get("connection")).as("the Slack connection's token is used").isEqualTo(CONNECTION.toString());
        JsonNode message = body(post);
        assertThat(message.path("channel").asText()).isEqualTo("C0ALERTS");
        assertThat(message.path("text").asText()).contains("A xero connection needs to be authorized again");
        assertThat(message.has("thread_ts")).as("a first alert starts its own thread").isFalse();
        JsonNode blocks = message.path("blocks");
        assertThat(blocks.get(0).path("text").path("type").asText()).isEqualTo("mrkdwn");
        assertThat(blocks.get(1).path("fields").toString()).contains(other).contains("invalid_grant");
        JsonNode button = blocks.get(blocks.size() - 1).path("elements").get(0);
        assertThat(button.path("type").asText()).isEqualTo("button");
        assertThat(button.path("url").asText()).isEqualTo(HUB + "/");
        assertThat(threads.remembered).containsExactly("reauth_required:" + other + " 1764900000.000100");
        assertThat(connections.reported).containsExactly("delivered C0ALERTS");
    }

    @Test
    void eventsThatAreNoAlertAndAlertsTheConnectionFiltersOutPostNothing() {
        target("sync_failed,dead_letter");

        template.sendBody("direct:alerts-in", reauth(UUID.randomUUID().toString()));
        template.sendBody("direct:alerts-in", event("connection.status_changed",
                "{\"connectionId\":\"c\",\"provider\":\"xero\",\"previousStatus\":\"pending\",\"status\":\"active\"}"));
        template.sendBody("direct:alerts-in", event("sync.finished",
                "{\"syncRunId\":\"r\",\"connectionId\":\"c\",\"entity\":\"invoice\",\"status\":\"succeeded\"}"));
        template.sendBody("direct:alerts-in", event("dead_letter.created",
                "{\"deadLetterId\":\"d\",\"routeId\":\"slack.alert.post\",\"connectionId\":null,\"exceptionType\":\"X\"}"));
        template.sendBody("direct:alerts-in", event("record.created", "{\"id\":\"x\"}"));

        assertThat(posts()).as("reauth filtered out, the rest raise no alert (a Slack route's dead letter neither)")
                .isEmpty();

        template.sendBody("direct:alerts-in", event("sync.finished", """
                {"syncRunId":"r1","connectionId":"c1","entity":"invoice","status":"failed","message":"Xero answered 500"}"""));
        assertThat(posts()).hasSize(1);
        assertThat(body(posts().get(0)).path("text").asText()).contains("A sync of invoice failed");
    }

    @Test
    void anAlertOfAnOpenCauseIsAReplyInItsThread() {
        target("*");
        String data = "{\"deadLetterId\":\"d1\",\"routeId\":\"webhook.square\",\"connectionId\":\"c1\","
                + "\"exceptionType\":\"java.lang.IllegalStateException\"}";
        threads.open.put("dead_letter:webhook.square:c1:java.lang.IllegalStateException", "1764800000.000001");

        template.sendBody("direct:alerts-in", event("dead_letter.created", data));

        JsonNode message = body(posts().get(0));
        assertThat(message.path("thread_ts").asText()).isEqualTo("1764800000.000001");
        assertThat(message.path("text").asText()).contains("Again (3×): A message failed and was dead-lettered");
    }

    @Test
    void quotaLostSubscriptionsAndDisabledEndpointsAreAlertsToo() {
        target("quota_reached,subscription_lost,webhook_endpoint_disabled");

        template.sendBody("direct:alerts-in", event("connection.status_changed", """
                {"connectionId":"c2","provider":"xero","previousStatus":"active","status":"error",
                 "reason":"xero daily API limit reached; syncs resume when it resets"}"""));
        template.sendBody("direct:alerts-in", event("connection.subscription_lost", """
                {"connectionId":"c3","provider":"outlook","subscriptionId":"s","resource":"me/mailFolders('inbox')/messages",
                 "reason":"ProviderCallException: Graph answered 403"}"""));
        template.sendBody("direct:alerts-in", event("webhook-endpoint.disabled",
                "{\"endpointId\":\"e1\",\"reason\":\"answered 410 Gone\",\"deliveryId\":\"d\"}"));

        assertThat(posts()).extracting(p -> body(p).path("text").asText()).containsExactly(
                ":rotating_light: A xero connection reached its daily API quota",
                ":rotating_light: An outlook webhook subscription was lost",
                ":rotating_light: A host webhook endpoint was disabled");
        assertThat(body(posts().get(1)).path("blocks").get(1).path("fields").toString()).contains("inbox")
                .contains("Graph answered 403");
        assertThat(body(posts().get(2)).path("blocks").get(0).path("text").path("text").asText())
                .contains("It answered 410 Gone.");
    }

    @Test
    void slacksErrorCodesDecideWhatHappensToTheConnection() {
        target("*");
        answers.add("{\"ok\":false,\"error\":\"channel_not_found\"}");
        answers.add("{\"ok\":false,\"error\":\"token_revoked\"}");
        answers.add("{\"ok\":false,\"error\":\"msg_too_long\"}");

        template.sendBody("direct:alerts-in", reauth("c1"));
        template.sendBody("direct:alerts-in", reauth("c2"));
        template.sendBody("direct:alerts-in", reauth("c3"));

        assertThat(connections.reported).containsExactly("channel channel_not_found C0ALERTS",
                "reauthorize token_revoked " + CONNECTION);
        assertThat(threads.remembered).as("nothing was posted, so no thread opened").isEmpty();
        assertThat(getMockEndpoint("mock:dead-letter").getReceivedCounter()).isZero();
    }

    // --- actions -----------------------------------------------------------------------------------------------

    private Exchange action(String name, String input, Map<String, Object> config, String link) {
        return template.send("direct:slack.action." + name, e -> {
            e.setProperty("HubTenantId", TENANT);
            e.setProperty("HubConnectionId", CONNECTION);
            e.setProperty("HubConfig", config);
            if (link != null) {
                e.setProperty("HubLinkId", link);
            }
            e.getMessage().setBody(input);
        });
    }

    @Test
    void aTestAlertGoesThroughTheAlertFlowToTheConfiguredChannel() {
        answers.add("{\"ok\":true,\"channel\":\"C0ALERTS\",\"ts\":\"1764900001.000200\",\"message\":{\"text\":\"x\"}}");

        Exchange done = action("test-alert", "{\"data\":{},\"config\":{\"channel\":\"C0ALERTS\",\"alerts\":\"dead_letter\"}}",
                Map.of("channel", "C0ALERTS", "alerts", "dead_letter"), null);

        assertThat(done.getException()).isNull();
        JsonNode result = json(done.getMessage().getBody(String.class));
        assertThat(result.path("externalId").asText()).isEqualTo("C0ALERTS:1764900001.000200");
        JsonNode message = body(posts().get(0));
        assertThat(message.path("channel").asText()).isEqualTo("C0ALERTS");
        assertThat(message.path("text").asText()).isEqualTo(":white_check_mark: Test alert from the integration hub");
        assertThat(message.path("blocks").get(0).path("text").path("text").asText()).contains("dead_letter");
    }

    @Test
    void aTestAlertWithoutAChannelOrToAMissingChannelFails() {
        Exchange none = action("test-alert", "{\"data\":{},\"config\":{}}", Map.of(), null);
        assertThat(none.getException()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config.channel");
        assertThat(requests).isEmpty();

        answers.add("{\"ok\":false,\"error\":\"channel_not_found\"}");
        Exchange missing = action("test-alert", "{\"data\":{},\"config\":{\"channel\":\"C0GONE\"}}",
                Map.of("channel", "C0GONE"), null);
        assertThat(missing.getException()).isInstanceOf(ProviderCallException.class).hasMessageContaining("channel_not_found");
        assertThat(connections.reported).containsExactly("channel channel_not_found C0GONE");
    }

    @Test
    void postMessagePostsAndALinkedMessageIsUpdated() {
        Exchange posted = action("post-message", "{\"data\":{\"text\":\"Order 42 is ready\",\"threadTs\":\"1.2\"}}",
                Map.of("channel", "C0ALERTS"), null);
        assertThat(json(posted.getMessage().getBody(String.class)).path("externalId").asText())
                .isEqualTo("C0ALERTS:1764900000.000100");
        JsonNode first = body(requests.get(0));
        assertThat(first.path("text").asText()).isEqualTo("Order 42 is ready");
        assertThat(first.path("thread_ts").asText()).isEqualTo("1.2");

        answers.add("{\"ok\":true,\"channel\":\"C0OTHER\",\"ts\":\"1764900000.000100\",\"text\":\"x\"}");
        action("post-message", "{\"data\":{\"text\":\"Order 42 was collected\"},\"link\":{\"externalId\":"
                + "\"C0OTHER:1764900000.000100\"}}", Map.of("channel", "C0ALERTS"), "C0OTHER:1764900000.000100");
        assertThat(requests.get(1).get("url")).isEqualTo(API + "/chat.update");
        JsonNode update = body(requests.get(1));
        assertThat(update.path("channel").asText()).isEqualTo("C0OTHER");
        assertThat(update.path("ts").asText()).isEqualTo("1764900000.000100");
        assertThat(update.path("text").asText()).isEqualTo("Order 42 was collected");
    }

    // --- channel picker, message pull, Events API ------------------------------------------------------------------

    @Test
    void theChannelPickerPagesThroughConversationsListWithAnEncodedCursor() {
        answers.add("""
                {"ok":true,"channels":[{"id":"C0ALERTS","name":"hub-alerts","is_member":true,"is_private":false,
                 "num_members":3,"topic":{"value":"alerts"}}],"response_metadata":{"next_cursor":"dGVhbTpDMDYx="}}""");
        Exchange page = template.send("direct:listSlackChannels", e -> e.getMessage().setHeader("cursor", "abc+/="));

        assertThat(requests.get(0).get("method")).isEqualTo("GET");
        assertThat(requests.get(0).get("url")).isEqualTo(API
                + "/conversations.list?types=public_channel&exclude_archived=true&limit=200&cursor=abc%2B%2F%3D");
        JsonNode listing = json(page.getMessage().getBody(String.class));
        assertThat(listing.path("channels").get(0).path("id").asText()).isEqualTo("C0ALERTS");
        assertThat(listing.path("channels").get(0).path("isMember").asBoolean()).isTrue();
        assertThat(listing.path("nextCursor").asText()).isEqualTo("dGVhbTpDMDYx=");

        answers.add("{\"ok\":false,\"error\":\"missing_scope\"}");
        Exchange refused = template.send("direct:listSlackChannels", e -> { });
        assertThat(requests.get(1).get("url")).asString().doesNotContain("cursor");
        assertThat(refused.getMessage().getBody(String.class)).contains("missing_scope");
    }

    @Test
    void aMessagePagePullsTheChannelsHistorySinceTheLastRun() {
        answers.add("""
                {"ok":true,"messages":[
                  {"type":"message","user":"U1","text":"hello <@UBOT>","ts":"1764900000.000300"},
                  {"type":"message","user":"U2","text":"edited","ts":"1764890000.000100","edited":{"ts":"1764900100.000000"},
                   "thread_ts":"1764890000.000100","reply_count":2}],
                 "has_more":true,"response_metadata":{"next_cursor":"bmV4dA=="}}""");
        Exchange done = template.send("direct:slack.message.page", e -> {
            e.setProperty("HubConfig", Map.of("channel", "C0ALERTS"));
            e.getMessage().setBody("{\"cursor\":null,\"since\":\"2025-12-05T00:01:00Z\",\"mode\":\"incremental\","
                    + "\"config\":{\"channel\":\"C0ALERTS\"}}");
        });

        assertThat(requests.get(0).get("url")).isEqualTo(API
                + "/conversations.history?channel=C0ALERTS&limit=200&oldest=1764892800");
        JsonNode page = json(done.getMessage().getBody(String.class));
        assertThat(page.path("nextCursor").asText()).isEqualTo("bmV4dA==");
        JsonNode first = page.path("items").get(0);
        assertThat(first.path("externalId").asText()).isEqualTo("C0ALERTS:1764900000.000300");
        assertThat(first.path("data").path("text").asText()).isEqualTo("hello <@UBOT>");
        assertThat(first.path("data").path("user").asText()).isEqualTo("U1");
        assertThat(first.path("remoteUpdatedAt").asText()).isEqualTo("2025-12-05T02:00:00.000Z");
        JsonNode edited = page.path("items").get(1);
        assertThat(edited.path("remoteUpdatedAt").asText()).isEqualTo("2025-12-05T02:01:40.000Z");
        assertThat(edited.path("data").path("replyCount").asInt()).isEqualTo(2);

        answers.add("{\"ok\":false,\"error\":\"not_in_channel\"}");
        Exchange refused = template.send("direct:slack.message.page", e -> {
            e.setProperty("HubConfig", Map.of("channel", "C0ALERTS"));
            e.getMessage().setBody("{\"cursor\":\"bmV4dA==\",\"mode\":\"full\",\"config\":{\"channel\":\"C0ALERTS\"}}");
        });
        assertThat(requests.get(1).get("url")).isEqualTo(API
                + "/conversations.history?channel=C0ALERTS&limit=200&cursor=bmV4dA%3D%3D");
        assertThat(refused.getException()).hasMessageContaining("not_in_channel");
    }

    @Test
    void aMentionOrAPersonsMessageAsksForAnIncrementalPullOfMessages() {
        for (String type : List.of("app-mention", "message")) {
            template.send("direct:webhook.slack." + type, e -> {
                e.getMessage().setHeader("HubTenantId", TENANT.toString());
                e.getMessage().setHeader("HubConnectionId", CONNECTION.toString());
                e.getMessage().setHeader("HubEventType", type.replace('-', '_'));
                e.getMessage().setBody("{\"event\":{\"type\":\"message\"}}");
            });
        }
        template.send("direct:webhook.slack.message", e -> {
            e.getMessage().setHeader("HubTenantId", TENANT.toString());
            e.getMessage().setHeader("HubConnectionId", CONNECTION.toString());
            e.getMessage().setHeader("HubEventType", "message");
            e.getMessage().setBody("{\"event\":{\"type\":\"message\",\"subtype\":\"bot_message\",\"bot_id\":\"B0BOT\"}}");
        });
        assertThat(requests).as("the hub's own posts ask for no pull").extracting(r -> r.get("sync")).containsExactly(
                TENANT + " " + CONNECTION + " message slack: app_mention event",
                TENANT + " " + CONNECTION + " message slack: message event");
    }
}
