package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
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

        CompletableFuture<HubClient.Response> first;
        try (Connection lock = jdbc.getDataSource().getConnection()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE webhook_events IN EXCLUSIVE MODE");
            }
            first = CompletableFuture.supplyAsync(() -> xero(creditNote(xeroTenant)));
            // the first webhook is inside the admission step, waiting for the table lock
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                            + "WHERE c.relname = 'webhook_events' AND NOT l.granted", Long.class) > 0);

            HubClient.Response refused = xero(creditNote(xeroTenant));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isEqualTo("2");
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            JsonNode problem = new ObjectMapper().readTree(refused.body());
            assertThat(problem.path("status").asInt()).isEqualTo(503);
            assertThat(problem.path("type").asText()).endsWith("overloaded");
            assertThat(first).as("the admitted webhook still waits for its write").isNotDone();
            lock.rollback();
        }
        assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(xero(creditNote(xeroTenant)).status()).as("admitted again once the first is stored")
                .isEqualTo(200);
        assertThat(rows(connection)).as("the refused webhook was not stored; the provider delivers it again")
                .hasSize(2);
    }
}
