package io.integrationhub.provider.simpro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.SandboxHubTest;

/**
 * The zero-setup experience of the Simpro import: with the provider sandbox on, Simpro's OAuth goes to the
 * platform's consent page and its API to the family's sandbox build (routes/simpro/sandbox.camel.yaml), so a tenant
 * connects without a build URL and imports the sandbox's customers, sites and 600 jobs ("Import now" in the
 * dashboard does these runs in this order).
 */
class SimproSandboxTest extends SandboxHubTest {

    @Test
    void shouldConnectAndImportTheSandboxBuildWithNoSimproAccount() {
        String key = newTenantKey();
        String path = connectInSandbox(key, "{\"provider\":\"simpro\"}");
        UUID id = UUID.fromString(path.substring(path.lastIndexOf('/') + 1));
        assertThat(hub.get(path, key).json().path("account").path("name").asText()).isEqualTo("Sandbox Plumbing Co");

        for (String entity : List.of("customer", "site", "job")) {
            HubClient.Response started = hub.post(path + "/syncs", key, "{\"entity\":\"" + entity + "\"}");
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            String run = started.json().path("id").asText();
            await().atMost(Duration.ofSeconds(60)).until(() -> List.of("succeeded", "failed")
                    .contains(hub.get("/api/v1/syncs/" + run, key).json().path("status").asText()));
            JsonNode done = hub.get("/api/v1/syncs/" + run, key).json();
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
            assertThat(done.path("recordsTotal").asLong()).isEqualTo(done.path("created").asLong());
        }
        JsonNode jobs = hub.get(path + "/records/job?limit=1000", key).json().path("records");
        assertThat(jobs).hasSize(600);
        JsonNode customers = hub.get(path + "/records/customer?limit=100", key).json().path("records");
        assertThat(customers).hasSize(12);
        JsonNode job = jobs.get(0).path("data");
        assertThat(job.path("customer").path("id").asText()).as(job.toString()).isNotEmpty();
        assertThat(customers.findValuesAsText("id")).contains(job.path("customer").path("id").asText());
    }

    @Test
    void shouldRefuseTheSandboxBuildWithoutASandboxToken() {
        HubClient.Response r = hub.get("/sandbox/simpro-api/api/v1.0/companies/0/jobs/", "not-a-token");
        assertThat(r.status()).isEqualTo(401);
    }
}
