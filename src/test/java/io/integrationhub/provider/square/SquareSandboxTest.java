package io.integrationhub.provider.square;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.SandboxHubTest;

/**
 * The zero-setup experience of the Square family: with the provider sandbox on, Square's OAuth goes to the platform's
 * consent page and its API to the family's sandbox routes (routes/square/sandbox.camel.yaml), so a tenant connects,
 * lists the sandbox bakery's locations, syncs its catalog and a week of its sales without a Square account.
 */
class SquareSandboxTest extends SandboxHubTest {

    @Test
    void shouldConnectListLocationsAndSyncCatalogAndSalesAgainstTheSandbox() {
        String key = newTenantKey();
        String path = connectInSandbox(key, "{\"provider\":\"square\"}");
        assertThat(hub.get(path, key).json().path("account").path("name").asText()).isEqualTo("Sandbox Bakery");

        JsonNode locations = hub.get(path + "/locations", key).json();
        assertThat(locations.path("locations")).hasSize(3);
        assertThat(locations.path("locationIds")).hasSize(3);

        assertThat(run(path, key, "{\"entity\":\"item\",\"mode\":\"full\"}").path("created").asLong()).isEqualTo(3);
        JsonNode sales = run(path, key, "{\"entity\":\"order\",\"mode\":\"full\",\"from\":\"2026-11-01T00:00:00Z\","
                + "\"to\":\"2026-11-07T23:59:59Z\"}");
        assertThat(sales.path("created").asLong()).as("two orders a day at three locations for a week").isEqualTo(42);
        assertThat(sales.path("progress").asDouble()).isEqualTo(1.0);
        JsonNode records = hub.get(path + "/records/order?limit=100", key).json().path("records");
        assertThat(records).hasSize(42);
        assertThat(records.findValuesAsText("name")).contains("Sourdough loaf", "Croissant");
    }

    private JsonNode run(String path, String key, String body) {
        HubClient.Response started = hub.post(path + "/syncs", key, body);
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String id = started.json().path("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of("succeeded", "failed")
                .contains(hub.get("/api/v1/syncs/" + id, key).json().path("status").asText()));
        JsonNode done = hub.get("/api/v1/syncs/" + id, key).json();
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        return done;
    }

    @Test
    void shouldRefuseTheSandboxApiWithoutASandboxToken() {
        HubClient.Response r = hub.get("/sandbox/square-api/v2/locations", "not-a-token");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("errors").get(0).path("code").asText()).isEqualTo("UNAUTHORIZED");
    }
}
