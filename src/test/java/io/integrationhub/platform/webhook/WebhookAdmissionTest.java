package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.support.HubClient;

/**
 * Admission control of the webhook ingress (route {@code webhooks.ingress.handle}, step
 * {@code webhooks.ingress.admission}): with {@code hub.webhooks.max-in-flight=1}, a webhook arriving while another
 * one is still storing is refused at once with {@code 503}, a problem body and {@code Retry-After}, instead of
 * queueing behind it; the one being stored is acknowledged when its write completes, and the next one after it is
 * admitted again. The "slow write" is real: the test holds an exclusive lock on the inbox table.
 */
@TestPropertySource(properties = { "hub.webhooks.max-in-flight=1", "hub.webhooks.overload-retry-after=2s" })
class WebhookAdmissionTest extends WebhookIntegrationTest {

    @Test
    void shouldRefuseAWebhookBeyondTheInFlightLimitWith503AndRetryAfter() throws Exception {
        Tenant tenant = tenant();
        String xeroTenant = unique();
        UUID connection = connection(tenant, "xero", xeroTenant);

        // the first webhook is inside the admission step, waiting for the table lock
        CompletableFuture<HubClient.Response> first = whileInboxLocked(() -> xero(creditNote(xeroTenant)), () -> {
            HubClient.Response refused = xero(creditNote(xeroTenant));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isEqualTo("2");
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            JsonNode problem = new ObjectMapper().readTree(refused.body());
            assertThat(problem.path("status").asInt()).isEqualTo(503);
            assertThat(problem.path("type").asText()).endsWith("overloaded");
        });
        assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(xero(creditNote(xeroTenant)).status()).as("admitted again once the first is stored")
                .isEqualTo(200);
        assertThat(rows(connection)).as("the refused webhook was not stored; the provider delivers it again")
                .hasSize(2);
    }
}
