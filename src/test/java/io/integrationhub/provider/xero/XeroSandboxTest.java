package io.integrationhub.provider.xero;

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
 * The zero-setup experience of the Xero family: with the provider sandbox on, consent goes to the platform's page and
 * the Accounting API to the hub's own Xero simulator (/sandbox/xero/api), so a tenant connects, sees the sandbox's
 * two organisations, pulls invoices and payments and pushes an invoice without a Xero account.
 */
class XeroSandboxTest extends SandboxHubTest {

    @Test
    void shouldConnectChooseAnOrganisationPullAndPushAgainstTheSandbox() {
        String key = newTenantKey();
        String path = connectInSandbox(key, "{\"provider\":\"xero\",\"config\":{}}");
        UUID id = UUID.fromString(path.substring(path.lastIndexOf('/') + 1));
        assertThat(hub.get(path, key).json().path("account").path("name").asText()).isEqualTo("Sandbox Company (NZ)");
        JsonNode orgs = hub.get(path + "/organisations", key).json();
        assertThat(orgs.path("organisations").findValuesAsText("name")).containsExactly("Sandbox Company (NZ)", "Sandbox Trading Ltd");

        JsonNode invoices = sync(key, path, "invoice");
        assertThat(invoices.path("status").asText()).as(invoices.toString()).isEqualTo("succeeded");
        assertThat(invoices.path("created").asLong()).isEqualTo(3);
        JsonNode records = hub.get(path + "/records/invoice?limit=100", key).json().path("records");
        assertThat(records.findValuesAsText("status")).contains("paid", "approved", "draft");
        assertThat(sync(key, path, "payment").path("created").asLong()).isEqualTo(1);

        HubClient.Response pushed = hub.post(path + "/actions/push-invoice", key, "{\"localRef\":\"job-1\",\"data\":{"
                + "\"number\":\"SBX-1\",\"contact\":{\"number\":\"CUST-001\"},\"status\":\"approved\",\"lineItems\":"
                + "[{\"description\":\"Labour\",\"quantity\":2,\"unitAmount\":90,\"accountCode\":\"200\",\"taxType\":\"OUTPUT2\"}]}}");
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
        assertThat(pushed.json().path("response").path("status").asText()).isEqualTo("AUTHORISED");
        JsonNode again = sync(key, path, "invoice");
        assertThat(again.path("created").asLong()).isEqualTo(1);
    }

    private JsonNode sync(String key, String path, String entity) {
        HubClient.Response started = hub.post(path + "/syncs", key, "{\"entity\":\"" + entity + "\",\"mode\":\"incremental\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String run = started.json().path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("succeeded", "failed")
                .contains(hub.get("/api/v1/syncs/" + run, key).json().path("status").asText()));
        return hub.get("/api/v1/syncs/" + run, key).json();
    }

    @Test
    void shouldRefuseTheSandboxApiWithoutASandboxToken() {
        HubClient.Response r = hub.get("/sandbox/xero/api/connections", "not-a-token");
        assertThat(r.status()).isEqualTo(401);
    }
}
