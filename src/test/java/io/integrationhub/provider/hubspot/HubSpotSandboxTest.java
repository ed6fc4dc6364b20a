package io.integrationhub.provider.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.SandboxHubTest;

/**
 * The zero-setup experience of the HubSpot family: with the provider sandbox on, HubSpot's OAuth goes to the
 * platform's consent page and its API to the family's simulator (routes/hubspot/sandbox.camel.yaml over
 * sandbox/crm.jsonata), so a tenant connects, pulls contacts, companies and deals with their associations, and pushes a
 * contact without any HubSpot account.
 */
class HubSpotSandboxTest extends SandboxHubTest {

    private JsonNode run(String path, String key, String body) {
        HubClient.Response started = hub.post(path + "/syncs", key, body);
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String run = started.json().path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("succeeded", "failed")
                .contains(hub.get("/api/v1/syncs/" + run, key).json().path("status").asText()));
        return hub.get("/api/v1/syncs/" + run, key).json();
    }

    @Test
    void shouldConnectPullAndPushAgainstTheSandboxWithNoHubSpotAccount() {
        String key = newTenantKey();
        String path = connectInSandbox(key, "{\"provider\":\"hubspot\"}");
        assertThat(hub.get(path, key).json().path("account").path("id").asText()).isEqualTo("1234567");

        JsonNode contacts = run(path, key, "{\"entity\":\"contact\",\"mode\":\"full\"}");
        assertThat(contacts.path("status").asText()).as(contacts.toString()).isEqualTo("succeeded");
        assertThat(contacts.path("created").asLong()).isEqualTo(6);
        JsonNode deals = run(path, key, "{\"entity\":\"deal\",\"mode\":\"full\"}");
        assertThat(deals.path("created").asLong()).as(deals.toString()).isEqualTo(3);
        JsonNode records = hub.get(path + "/records/deal?limit=100", key).json().path("records");
        assertThat(records.toString()).contains("Acme — kitchen refit").contains("\"companyIds\":[\"101\"]");
        JsonNode incremental = run(path, key, "{\"entity\":\"contact\",\"mode\":\"incremental\"}");
        assertThat(incremental.path("status").asText()).as(incremental.toString()).isEqualTo("succeeded");
        assertThat(hub.get(path + "/records/contact?limit=100", key).json().toString()).contains("\"companyIds\":[\"101\"]");

        HubClient.Response pushed = hub.post(path + "/actions/upsert-contact", key,
                "{\"localRef\":\"app-1\",\"data\":{\"email\":\"ana@acme-kitchens.example\",\"firstName\":\"Ana\",\"lastName\":\"M.\"}}");
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
        assertThat(pushed.json().path("externalId").asText()).isEqualTo("201");
    }

    @Test
    void shouldRefuseTheSandboxApiWithoutASandboxToken() {
        HubClient.Response r = hub.get("/sandbox/hubspot-api/crm/v3/objects/contacts", "not-a-token");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("category").asText()).isEqualTo("INVALID_AUTHENTICATION");
    }
}
