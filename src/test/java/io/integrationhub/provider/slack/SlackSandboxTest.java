package io.integrationhub.provider.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.SandboxHubTest;

/**
 * The zero-setup experience of the Slack family: with the provider sandbox on, Slack's OAuth goes to the platform's
 * consent page and its Web API to the family's sandbox routes (routes/slack/sandbox.camel.yaml), so a tenant installs
 * the app, picks a channel, sends a test alert and pulls the channel's messages without a Slack workspace.
 */
class SlackSandboxTest extends SandboxHubTest {

    @Test
    void shouldInstallPickAChannelSendATestAlertAndPullMessagesAgainstTheSandbox() {
        String key = newTenantKey();
        String path = connectInSandbox(key, "{\"provider\":\"slack\",\"config\":{}}");
        assertThat(hub.get(path, key).json().path("account").path("name").asText()).isEqualTo("Sandbox Workspace");

        HubClient.Response channels = hub.get(path + "/channels", key);
        assertThat(channels.status()).as(channels.body()).isEqualTo(200);
        assertThat(channels.json().path("channels").findValuesAsText("name"))
                .containsExactly("hub-alerts", "general", "kitchen", "random");
        assertThat(channels.json().path("nextCursor").isNull()).isTrue();

        assertThat(hub.patch(path, key, "{\"config\":{\"channel\":\"C0SANDBOX1\"}}").status()).isEqualTo(200);
        HubClient.Response alert = hub.post(path + "/actions/test-alert", key, "{\"data\":{}}");
        assertThat(alert.status()).as(alert.body()).isIn(200, 201);
        assertThat(alert.json().path("externalId").asText()).startsWith("C0SANDBOX1:");

        HubClient.Response started = hub.post(path + "/syncs", key, "{\"entity\":\"message\",\"mode\":\"full\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String run = started.json().path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("succeeded", "failed")
                .contains(hub.get("/api/v1/syncs/" + run, key).json().path("status").asText()));
        assertThat(hub.get("/api/v1/syncs/" + run, key).json().path("status").asText()).isEqualTo("succeeded");
        JsonNode records = hub.get(path + "/records/message?limit=100", key).json().path("records");
        assertThat(records.findValuesAsText("text")).contains("Morning all");

        assertThat(hub.patch(path, key, "{\"config\":{\"channel\":\"C0SANDBOX4\"}}").status()).isEqualTo(200);
        HubClient.Response refused = hub.post(path + "/actions/test-alert", key, "{\"data\":{}}");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.body()).contains("not_in_channel");
    }

    @Test
    void shouldRefuseTheSandboxApiWithoutASandboxToken() {
        HubClient.Response r = hub.post("/sandbox/slack-api/chat.postMessage", "not-a-token", "{\"channel\":\"C0SANDBOX1\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("ok").asBoolean()).isFalse();
        assertThat(r.json().path("error").asText()).isEqualTo("invalid_auth");
    }
}
