package io.integrationhub.platform.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import com.github.tomakehurst.wiremock.client.WireMock;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.integrationhub.platform.webhook.subscription.ProviderSubscription;
import io.integrationhub.platform.webhook.subscription.SubscriptionRegistry;
import io.integrationhub.platform.webhook.subscription.SubscriptionStore;
import io.integrationhub.platform.webhook.subscription.SyncRequests;
import io.integrationhub.support.HubClient;

/**
 * Graph subscriptions and Drive channels: created through the platform API, notifications
 * authenticated by their stored secret, renewed, re-created after removal, removed on disconnect.
 * Graph and Drive are WireMock, answering as their docs describe.
 */
class SubscriptionLifecycleTest extends WebhookIntegrationTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Autowired
    SubscriptionRegistry registry;
    @Autowired
    SubscriptionStore subscriptions;
    @Autowired
    SyncRequests syncs;

    @BeforeEach
    void graphAndDrive() {
        // Graph answers like POST /subscriptions: a new id, the expiration it granted, the client state echoed.
        PROVIDERS.stubFor(WireMock.post(urlEqualTo("/graph/v1.0/subscriptions")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withTransformers("response-template")
                .withBody("{\"id\":\"{{randomValue type='UUID'}}\",\"resource\":\"{{jsonPath request.body '$.resource'}}\","
                        + "\"changeType\":\"{{jsonPath request.body '$.changeType'}}\",\"clientState\":"
                        + "\"{{jsonPath request.body '$.clientState'}}\",\"notificationUrl\":"
                        + "\"{{jsonPath request.body '$.notificationUrl'}}\",\"expirationDateTime\":"
                        + "\"{{jsonPath request.body '$.expirationDateTime'}}\"}")));
        PROVIDERS.stubFor(patch(urlPathMatching("/graph/v1.0/subscriptions/.*")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withTransformers("response-template")
                .withBody("{\"id\":\"{{request.pathSegments.[3]}}\",\"expirationDateTime\":"
                        + "\"{{jsonPath request.body '$.expirationDateTime'}}\"}")));
        PROVIDERS.stubFor(delete(urlPathMatching("/graph/v1.0/subscriptions/.*")).willReturn(aResponse().withStatus(204)));
        PROVIDERS.stubFor(get(urlPathEqualTo("/google/drive/v3/changes/startPageToken")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json")
                .withBody("{\"kind\":\"drive#startPageToken\",\"startPageToken\":\"1234\"}")));
        PROVIDERS.stubFor(WireMock.post(urlPathEqualTo("/google/drive/v3/changes/watch")).willReturn(aResponse()
                .withHeader("Content-Type", "application/json").withTransformers("response-template")
                .withBody("{\"kind\":\"api#channel\",\"id\":\"{{jsonPath request.body '$.id'}}\",\"resourceId\":"
                        + "\"res-{{jsonPath request.body '$.id'}}\",\"resourceUri\":\"https://www.googleapis.com/drive/v3/"
                        + "changes\",\"token\":\"{{jsonPath request.body '$.token'}}\",\"expiration\":"
                        + "{{jsonPath request.body '$.expiration'}} }")));
        PROVIDERS.stubFor(WireMock.post(urlPathEqualTo("/google/drive/v3/channels/stop")).willReturn(aResponse().withStatus(204)));
    }

    private static JsonNode json(LoggedRequest request) {
        try {
            return MAPPER.readTree(request.getBodyAsString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The client state the hub sent Graph when creating subscription {@code id} (Graph echoes it in notifications). */
    private String clientStateSentFor(String resource) {
        List<LoggedRequest> creates = PROVIDERS.findAll(postRequestedFor(urlEqualTo("/graph/v1.0/subscriptions"))
                .withRequestBody(matchingJsonPath("$.resource", equalTo(resource))));
        return json(creates.get(creates.size() - 1)).path("clientState").asText();
    }

    private HubClient.Response graphNotification(String provider, String subscriptionId, String clientState, String extra) {
        return post(provider, "{\"value\":[{\"subscriptionId\":\"" + subscriptionId + "\",\"clientState\":\"" + clientState
                + "\",\"tenantId\":\"t\"," + extra + "}]}", Map.of());
    }

    @Test
    void shouldEchoTheGraphValidationTokenDecoded() {
        HubClient.Response r = post("/webhooks/outlook?validationToken=Validation%3A%20Testing%20client%20application",
                new byte[0], Map.of(), "text/plain; charset=utf-8");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        assertThat(r.body()).isEqualTo("Validation: Testing client application");
    }

    @Test
    void shouldAcceptGraphNotificationsOnlyWithTheSubscriptionsClientState() {
        Tenant tenant = tenant();
        UUID connection = connection(tenant, "onedrive", null);
        String resource = "me/drive/root-" + unique();
        ProviderSubscription s = registry.subscribeGraph(tenant.id(), connection, "onedrive", resource, "updated");
        LoggedRequest create = PROVIDERS.findAll(postRequestedFor(urlEqualTo("/graph/v1.0/subscriptions"))
                .withRequestBody(matchingJsonPath("$.resource", equalTo(resource)))).get(0);
        assertThat(create.getHeader("Authorization")).isEqualTo("Bearer access-token-for-" + connection);
        assertThat(json(create).path("notificationUrl").asText()).isEqualTo(PUBLIC_URL + "/webhooks/onedrive");
        String clientState = clientStateSentFor(resource);
        assertThat(clientState).hasSizeGreaterThan(30);
        // Stored encrypted only.
        byte[] stored = jdbc.queryForObject("SELECT secret_ct FROM provider_subscriptions WHERE id = ?", byte[].class, s.id());
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(clientState);

        String change = "\"changeType\":\"updated\",\"resource\":\"me/drive/root\",\"resourceData\":{\"id\":\"item-1\"}";
        assertThat(graphNotification("onedrive", s.externalId(), "wrong-state", change).status()).isEqualTo(401);
        HubClient.Response ok = graphNotification("onedrive", s.externalId(), clientState, change);
        assertThat(ok.status()).isEqualTo(202);
        assertThat(graphNotification("onedrive", s.externalId(), clientState, change).status()).isEqualTo(202);
        // Processed by the OneDrive family's handler (direct:webhook.onedrive: an incremental delta sync request).
        Map<String, Object> row = awaitRows(connection, 1, "processed").get(0);
        assertThat(row.get("event_type")).isEqualTo("change.updated");
        // The subscription's secret was checked, then dropped: not in the inbox nor in the events API.
        assertThat(String.valueOf(row.get("payload"))).contains("item-1").doesNotContain(clientState);
        HubClient.Response listed = hub.get("/api/v1/webhook-events?provider=onedrive", tenant.apiKey());
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body()).contains("item-1").doesNotContain(clientState);

        // Unknown subscriptions cannot be authenticated: acknowledged, nothing stored.
        assertThat(graphNotification("onedrive", unique(), clientState, change).status()).isEqualTo(202);
        assertThat(rows(connection)).hasSize(1);
    }

    @Test
    void shouldRenewSubscriptionsBeforeTheyExpire() {
        Tenant tenant = tenant();
        UUID connection = connection(tenant, "outlook-calendar", null);
        ProviderSubscription s = registry.subscribeGraph(tenant.id(), connection, "outlook-calendar", "me/events", "created,updated,deleted");
        jdbc.update("UPDATE provider_subscriptions SET expires_at = ? WHERE id = ?",
                java.sql.Timestamp.from(Instant.now().plus(1, ChronoUnit.HOURS)), s.id());

        registry.renewDue();

        PROVIDERS.verify(patchRequestedFor(urlEqualTo("/graph/v1.0/subscriptions/" + s.externalId()))
                .withRequestBody(matchingJsonPath("$.expirationDateTime")));
        ProviderSubscription renewed = subscriptions.find(tenant.id(), s.id()).orElseThrow();
        assertThat(renewed.expiresAt()).isAfter(Instant.now().plus(2, ChronoUnit.DAYS));
        assertThat(renewed.externalId()).isEqualTo(s.externalId());
    }

    @Test
    void shouldRecreateAfterSubscriptionRemovedAndAskForAnIncrementalSync() {
        Tenant tenant = tenant();
        UUID connection = connection(tenant, "outlook", null);
        String resource = "me/mailFolders('inbox')/messages-" + unique();
        ProviderSubscription s = registry.subscribeGraph(tenant.id(), connection, "outlook", resource, "created");
        String clientState = clientStateSentFor(resource);
        assertThat(graphNotification("outlook", s.externalId(), clientState,
                "\"lifecycleEvent\":\"subscriptionRemoved\"").status()).isEqualTo(202);
        JsonNode request = awaitRecord("hub.sync.requests", connection.toString(), e -> true);
        assertThat(request.path("data").path("entity").asText()).isEqualTo("email");
        assertThat(request.path("data").path("mode").asText()).isEqualTo("incremental");
        assertThat(request.path("data").path("reason").asText()).contains("subscriptionRemoved");
        awaitRows(connection, 1, "processed");
        ProviderSubscription recreated = subscriptions.find(tenant.id(), s.id()).orElseThrow();
        assertThat(recreated.externalId()).isNotEqualTo(s.externalId());
        assertThat(clientStateSentFor(resource)).isNotEqualTo(clientState);

        assertThat(graphNotification("outlook", recreated.externalId(), clientStateSentFor(resource),
                "\"lifecycleEvent\":\"missed\"").status()).isEqualTo(202);
        assertThat(awaitRecord("hub.sync.requests", connection.toString(),
                e -> e.path("data").path("reason").asText().startsWith("missed"))).isNotNull();
    }

    @Test
    void shouldReauthorizeTheSubscriptionWhenGraphAsksForIt() {
        Tenant tenant = tenant();
        UUID connection = connection(tenant, "outlook-calendar", null);
        String resource = "me/events-" + unique();
        ProviderSubscription s = registry.subscribeGraph(tenant.id(), connection, "outlook-calendar", resource, "updated");
        // Graph: POST /subscriptions/{id}/reauthorize, no body, answers 204 No Content.
        PROVIDERS.stubFor(WireMock.post(urlEqualTo("/graph/v1.0/subscriptions/" + s.externalId() + "/reauthorize"))
                .willReturn(aResponse().withStatus(204)));

        assertThat(graphNotification("outlook-calendar", s.externalId(), clientStateSentFor(resource),
                "\"lifecycleEvent\":\"reauthorizationRequired\",\"subscriptionExpirationDateTime\":\""
                        + s.expiresAt() + "\"").status()).isEqualTo(202);
        awaitRows(connection, 1, "processed");

        List<LoggedRequest> calls = PROVIDERS.findAll(postRequestedFor(
                urlEqualTo("/graph/v1.0/subscriptions/" + s.externalId() + "/reauthorize")));
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).getHeader("Authorization")).isEqualTo("Bearer access-token-for-" + connection);
        assertThat(calls.get(0).getBody()).isEmpty();
        PROVIDERS.verify(0, patchRequestedFor(urlEqualTo("/graph/v1.0/subscriptions/" + s.externalId())));
        ProviderSubscription after = subscriptions.find(tenant.id(), s.id()).orElseThrow();
        assertThat(after.externalId()).isEqualTo(s.externalId());
        assertThat(after.status()).isEqualTo("active");
    }

    @Test
    void shouldRecreateTheSubscriptionWhenGraphNoLongerKnowsItOnReauthorization() {
        Tenant tenant = tenant();
        UUID connection = connection(tenant, "onedrive", null);
        String resource = "me/drive/root-" + unique();
        ProviderSubscription s = registry.subscribeGraph(tenant.id(), connection, "onedrive", resource, "updated");
        String clientState = clientStateSentFor(resource);
        PROVIDERS.stubFor(WireMock.post(urlEqualTo("/graph/v1.0/subscriptions/" + s.externalId() + "/reauthorize"))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"The object was not found.\"}}")));

        assertThat(graphNotification("onedrive", s.externalId(), clientState,
                "\"lifecycleEvent\":\"reauthorizationRequired\"").status()).isEqualTo(202);
        awaitRows(connection, 1, "processed");

        PROVIDERS.verify(1, postRequestedFor(urlEqualTo("/graph/v1.0/subscriptions/" + s.externalId() + "/reauthorize")));
        ProviderSubscription recreated = subscriptions.find(tenant.id(), s.id()).orElseThrow();
        assertThat(recreated.externalId()).isNotEqualTo(s.externalId());
        assertThat(clientStateSentFor(resource)).isNotEqualTo(clientState);
        assertThat(awaitRecord("hub.sync.requests", connection.toString(),
                e -> e.path("data").path("reason").asText().startsWith("reauthorizationRequired"))).isNotNull();
    }

    @Test
    void shouldDeleteSubscriptionsAtTheProviderOnDisconnect() {
        Tenant tenant = tenant();
        UUID connection = connection(tenant, "onedrive", null);
        ProviderSubscription s = registry.subscribeGraph(tenant.id(), connection, "onedrive", "me/drive/root", "updated");

        assertThat(hub.delete("/api/v1/connections/" + connection, tenant.apiKey()).status()).isEqualTo(200);

        PROVIDERS.verify(deleteRequestedFor(urlEqualTo("/graph/v1.0/subscriptions/" + s.externalId())));
        assertThat(subscriptions.find(tenant.id(), s.id()).orElseThrow().status()).isEqualTo("removed");
    }

    @Test
    void shouldAuthenticateDriveNotificationsByChannelTokenAndSkipSyncMessages() {
        Tenant tenant = tenant();
        UUID connection = connection(tenant, "google-drive", null);
        ProviderSubscription channel = registry.watchDriveChanges(tenant.id(), connection);
        List<LoggedRequest> watches = PROVIDERS.findAll(postRequestedFor(urlPathEqualTo("/google/drive/v3/changes/watch"))
                .withRequestBody(matchingJsonPath("$.id", equalTo(channel.externalId()))));
        assertThat(watches.get(0).queryParameter("pageToken").firstValue()).isEqualTo("1234");
        JsonNode watch = json(watches.get(0));
        assertThat(watch.path("type").asText()).isEqualTo("web_hook");
        assertThat(watch.path("address").asText()).isEqualTo(PUBLIC_URL + "/webhooks/google-drive");
        String token = watch.path("token").asText();

        Map<String, String> sync = Map.of("X-Goog-Channel-ID", channel.externalId(), "X-Goog-Channel-Token", token,
                "X-Goog-Resource-ID", "res-" + channel.externalId(), "X-Goog-Resource-State", "sync",
                "X-Goog-Message-Number", "1", "X-Goog-Resource-URI", "https://www.googleapis.com/drive/v3/changes");
        assertThat(post("/webhooks/google-drive", new byte[0], sync, "application/json").status()).isEqualTo(200);
        assertThat(rows(connection)).isEmpty();

        Map<String, String> change = new java.util.HashMap<>(sync);
        change.put("X-Goog-Resource-State", "change");
        change.put("X-Goog-Message-Number", "2");
        assertThat(post("/webhooks/google-drive", new byte[0], change, "application/json").status()).isEqualTo(200);
        assertThat(post("/webhooks/google-drive", new byte[0], change, "application/json").status()).isEqualTo(200);
        assertThat(awaitRows(connection, 1, "processed").get(0).get("event_type")).isEqualTo("change");

        change.put("X-Goog-Channel-Token", "forged");
        assertThat(post("/webhooks/google-drive", new byte[0], change, "application/json").status()).isEqualTo(401);
        change.put("X-Goog-Channel-ID", unique());
        assertThat(post("/webhooks/google-drive", new byte[0], change, "application/json").status()).isEqualTo(401);
    }

    @Test
    void shouldReplaceDriveChannelsOnRenewal() {
        Tenant tenant = tenant();
        UUID connection = connection(tenant, "google-drive", null);
        ProviderSubscription channel = registry.watchDriveChanges(tenant.id(), connection);
        jdbc.update("UPDATE provider_subscriptions SET expires_at = ? WHERE id = ?",
                java.sql.Timestamp.from(Instant.now().plus(1, ChronoUnit.HOURS)), channel.id());

        registry.renewDue();

        ProviderSubscription renewed = subscriptions.find(tenant.id(), channel.id()).orElseThrow();
        assertThat(renewed.externalId()).isNotEqualTo(channel.externalId());
        PROVIDERS.verify(postRequestedFor(urlPathEqualTo("/google/drive/v3/channels/stop"))
                .withRequestBody(matchingJsonPath("$.id", equalTo(channel.externalId()))));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> renewed.expiresAt().isAfter(Instant.now().plus(2, ChronoUnit.DAYS)));
    }

    @Test
    void shouldAnnounceASubscriptionThatCouldNotBeRenewed() {
        Tenant tenant = tenant();
        UUID connection = connection(tenant, "outlook", null);
        String resource = "me/mailFolders('inbox')/messages-" + unique();
        ProviderSubscription s = registry.subscribeGraph(tenant.id(), connection, "outlook", resource, "created");
        PROVIDERS.stubFor(patch(urlEqualTo("/graph/v1.0/subscriptions/" + s.externalId())).willReturn(aResponse()
                .withStatus(403).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"ExtensionError\",\"message\":\"Operation: Update; Forbidden\"}}")));
        jdbc.update("UPDATE provider_subscriptions SET expires_at = ? WHERE id = ?",
                java.sql.Timestamp.from(Instant.now().plus(1, ChronoUnit.HOURS)), s.id());

        try (io.integrationhub.support.KafkaProbe probe = new io.integrationhub.support.KafkaProbe(bootstrapServers,
                "hub.connections")) {
            registry.renewDue();
            JsonNode lost = probe.await(connection.toString(),
                    e -> e.path("type").asText().equals("io.integrationhub.connection.subscription_lost"));
            assertThat(lost.path("tenantid").asText()).isEqualTo(tenant.id().toString());
            assertThat(lost.path("data").path("provider").asText()).isEqualTo("outlook");
            assertThat(lost.path("data").path("resource").asText()).isEqualTo(resource);
            assertThat(lost.path("data").path("subscriptionId").asText()).isEqualTo(s.id().toString());
        }
        assertThat(subscriptions.find(tenant.id(), s.id()).orElseThrow().status()).isEqualTo(ProviderSubscription.FAILED);
    }

    @Test
    void shouldScheduleRenewalOnTheClusteredJdbcJobStore() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM qrtz_scheduler_state", Integer.class) > 0);
        Map<String, Object> trigger = jdbc.queryForMap("SELECT t.trigger_state, c.cron_expression FROM qrtz_triggers t "
                + "JOIN qrtz_cron_triggers c ON c.sched_name = t.sched_name AND c.trigger_name = t.trigger_name "
                + "AND c.trigger_group = t.trigger_group WHERE t.trigger_name = 'subscription-renewal'");
        assertThat(trigger.get("cron_expression")).isEqualTo("0 */15 * * * ?");
    }
}
