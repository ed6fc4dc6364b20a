package io.integrationhub.platform.webhook;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.camel.builder.LambdaRouteBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.webhook.subscription.ConnectionAccessTokens;
import io.integrationhub.provider.hubspot.HubSpotWebhookVerifier;
import io.integrationhub.provider.slack.SlackWebhookVerifier;
import io.integrationhub.provider.square.SquareWebhookVerifier;
import io.integrationhub.provider.xero.XeroWebhookVerifier;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubIntegrationTest;

/**
 * Shared base of the webhook tests (one application context for all of them): signs requests the
 * way each provider does, with the test secrets of application-test.yaml, and points the Graph and
 * Drive API URLs at one WireMock server.
 */
@Import({ WebhookIntegrationTest.TestTokens.class, WebhookIntegrationTest.TestHandlers.class })
public abstract class WebhookIntegrationTest extends HubIntegrationTest {

    protected static final String PUBLIC_URL = "http://localhost:8080";
    protected static final WireMockServer PROVIDERS = new WireMockServer(WireMockConfiguration.options().dynamicPort());

    static {
        PROVIDERS.start();
    }

    @DynamicPropertySource
    static void providerUrls(DynamicPropertyRegistry registry) {
        registry.add("hub.providers.microsoft.api-url", () -> PROVIDERS.baseUrl() + "/graph/v1.0");
        registry.add("hub.providers.google-drive.api-url", () -> PROVIDERS.baseUrl() + "/google");
    }

    @TestConfiguration
    static class TestTokens {
        @Bean
        @Primary
        ConnectionAccessTokens testAccessTokens() {
            return (tenantId, connectionId) -> "access-token-for-" + connectionId;
        }
    }

    /** Calls of the test family handler by webhook event id; events whose payload says so fail. */
    protected static final Map<String, Integer> HANDLED = new ConcurrentHashMap<>();
    protected static final Set<String> FIXED = ConcurrentHashMap.newKeySet();
    protected static final Map<String, String> BODIES = new ConcurrentHashMap<>();

    /** A provider family's handler, registered by the naming convention {@code direct:webhook.<provider>.<type>}. */
    @TestConfiguration
    static class TestHandlers {
        /** The dispatcher types the probe's requests went through, in order. */
        static final Queue<DispatcherType> PROBE_DISPATCHES = new ConcurrentLinkedQueue<>();

        @Bean
        RouteBuilder squareOrderHandler() {
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:webhook.square.order.updated").routeId("test.webhook.square.order-updated")
                            .routeConfigurationId("platform-dead-letter")
                            .process(e -> {
                                String id = e.getMessage().getHeader("HubWebhookEventId", String.class);
                                HANDLED.merge(id, 1, Integer::sum);
                                String body = e.getMessage().getBody(String.class);
                                BODIES.put(id, body);
                                if (body.contains("always-fails") && !FIXED.contains(id)) {
                                    throw new IllegalStateException("provider API said no");
                                }
                            });
                }
            };
        }

        /** Answers with the name of the thread its route ran on (RouteThreads); {@code ?fail=true}: the route throws. */
        @Bean
        LambdaRouteBuilder routeThreadProbe() {
            return routes -> routes.from("platform-http:/it/route-thread").routeId("test.route-thread")
                    .process(e -> {
                        if ("true".equals(e.getMessage().getHeader("fail", String.class))) {
                            throw new IllegalStateException("the probe failed as asked");
                        }
                    })
                    .setBody(e -> Thread.currentThread().getName());
        }

        /** Records the dispatches of every request to the probe: REQUEST, and ASYNC when a second dispatch answered. */
        @Bean
        FilterRegistrationBean<Filter> routeThreadProbeDispatches() {
            FilterRegistrationBean<Filter> bean = new FilterRegistrationBean<>((request, response, chain) -> {
                PROBE_DISPATCHES.add(request.getDispatcherType());
                chain.doFilter(request, response);
            });
            bean.addUrlPatterns("/it/route-thread");
            bean.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
            return bean;
        }
    }

    @Autowired
    protected JdbcTemplate jdbc;
    @Autowired
    protected ConnectionRepository connections;
    @Value("${hub.kafka.bootstrap-servers}")
    protected String bootstrapServers;

    /** A tenant (id, apiKey). */
    protected record Tenant(UUID id, String apiKey) {
    }

    protected Tenant tenant() {
        JsonNode t = newTenant();
        return new Tenant(UUID.fromString(t.path("id").asText()), t.path("apiKey").asText());
    }

    /** An active connection of the tenant to the provider account {@code accountId}. */
    protected UUID connection(Tenant tenant, String provider, String accountId) {
        Connection c = connections.insert(tenant.id(), provider, provider + " test", ConnectionStatus.ACTIVE, List.of(),
                null);
        if (accountId != null) {
            connections.updateAccount(tenant.id(), c.id(), new Connection.Account(accountId, "Test account", null), List.of());
        }
        return c.id();
    }

    protected static String unique() {
        return UUID.randomUUID().toString();
    }

    protected HubClient.Response post(String provider, String body, Map<String, String> headers) {
        return post("/webhooks/" + provider, body.getBytes(StandardCharsets.UTF_8), headers, "application/json");
    }

    protected HubClient.Response post(String path, byte[] body, Map<String, String> headers, String contentType) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return hub.send(b.build());
    }

    protected HubClient.Response xero(String body) {
        return post("xero", body, Map.of("x-xero-signature",
                XeroWebhookVerifier.signature("test-xero-webhook-key", body.getBytes(StandardCharsets.UTF_8))));
    }

    protected HubClient.Response square(String body) {
        return post("square", body, Map.of("x-square-hmacsha256-signature", SquareWebhookVerifier.signature(
                "test-square-signature-key", PUBLIC_URL + "/webhooks/square", body.getBytes(StandardCharsets.UTF_8))));
    }

    protected HubClient.Response hubspot(String body, long timestampMillis) {
        String ts = String.valueOf(timestampMillis);
        return post("hubspot", body, Map.of("X-HubSpot-Request-Timestamp", ts, "X-HubSpot-Signature-v3",
                HubSpotWebhookVerifier.signatureV3("test-hubspot-app-secret", "POST", PUBLIC_URL + "/webhooks/hubspot",
                        body.getBytes(StandardCharsets.UTF_8), ts), "X-HubSpot-Signature-Version", "v3"));
    }

    protected HubClient.Response slack(String body, String contentType, long epochSeconds) {
        String ts = String.valueOf(epochSeconds);
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        return post("/webhooks/slack", raw, Map.of("X-Slack-Request-Timestamp", ts, "X-Slack-Signature",
                SlackWebhookVerifier.signature("test-slack-signing-secret", ts, raw)), contentType);
    }

    /**
     * A Xero credit-note event: stored, handed on and processed without a call to Xero (the Xero family fetches only
     * invoices and contacts, routes/xero/webhooks.camel.yaml).
     */
    protected static String creditNote(String xeroTenant) {
        return xeroEvent(xeroTenant, unique()).replace("\"INVOICE\"", "\"CREDITNOTE\"");
    }

    protected static String xeroEvent(String tenantId, String resourceId) {
        return "{\"events\":[{\"resourceUrl\":\"https://api.xero.com/api.xro/2.0/Invoices/" + resourceId + "\","
                + "\"resourceId\":\"" + resourceId + "\",\"eventDateUtc\":\"2024-06-21T01:15:39.902\",\"eventType\":\"UPDATE\","
                + "\"eventCategory\":\"INVOICE\",\"tenantId\":\"" + tenantId + "\",\"tenantType\":\"ORGANISATION\"}],"
                + "\"firstEventSequence\":1,\"lastEventSequence\":1,\"entropy\":\"" + unique() + "\"}";
    }

    protected static String squareEvent(String merchantId, String eventId) {
        return "{\"merchant_id\":\"" + merchantId + "\",\"type\":\"order.updated\",\"event_id\":\"" + eventId + "\","
                + "\"created_at\":\"" + Instant.now() + "\",\"data\":{\"type\":\"order_updated\",\"id\":\"o-1\","
                + "\"object\":{\"order_updated\":{\"order_id\":\"o-1\",\"state\":\"OPEN\",\"version\":2}}}}";
    }

    /** The first record keyed {@code key} on {@code topic}, reading the topic from its beginning (no subscribe race). */
    protected JsonNode awaitRecord(String topic, String key, java.util.function.Predicate<JsonNode> matching) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(300))) {
                    if (key.equals(record.key())) {
                        JsonNode value = MAPPER.readTree(record.value());
                        if (matching.test(value)) {
                            return value;
                        }
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no matching record keyed " + key + " on " + topic);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The inbox rows of a connection. */
    protected List<Map<String, Object>> rows(UUID connectionId) {
        return jdbc.queryForList("SELECT * FROM webhook_events WHERE connection_id = ? ORDER BY received_at", connectionId);
    }

    /** Waits until the connection has {@code count} rows, all in {@code status}. */
    protected List<Map<String, Object>> awaitRows(UUID connectionId, int count, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<Map<String, Object>> rows = rows(connectionId);
            return rows.size() == count && rows.stream().allMatch(r -> status.equals(r.get("status")));
        });
        return rows(connectionId);
    }

    /** What runs while {@link #whileInboxLocked} holds the inbox table. */
    protected interface WhileLocked {
        void run() throws Exception;
    }

    /**
     * Starts {@code first} (a webhook) while a transaction holds an exclusive lock on the inbox table, waits until
     * it waits for that lock (a real slow write), runs {@code whileHeld}, then lets the write go; returns the first
     * webhook's answer to come.
     */
    protected java.util.concurrent.CompletableFuture<HubClient.Response> whileInboxLocked(
            java.util.function.Supplier<HubClient.Response> first, WhileLocked whileHeld) throws Exception {
        java.util.concurrent.CompletableFuture<HubClient.Response> answer;
        try (java.sql.Connection lock = jdbc.getDataSource().getConnection()) {
            lock.setAutoCommit(false);
            try (java.sql.Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE webhook_events IN EXCLUSIVE MODE");
            }
            answer = java.util.concurrent.CompletableFuture.supplyAsync(first);
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                            + "WHERE c.relname = 'webhook_events' AND NOT l.granted", Long.class) > 0);
            whileHeld.run();
            assertNotDone(answer);
            lock.rollback();
        }
        return answer;
    }

    private static void assertNotDone(java.util.concurrent.CompletableFuture<?> answer) {
        if (answer.isDone()) {
            throw new AssertionError("the first webhook was answered while its write was held");
        }
    }
}
