package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.support.HubClient;

/**
 * The intake limit in front of the webhook routes ({@code WebhookBodyFilter}): with {@code hub.webhooks.max-queued=1}
 * a webhook arriving while another one is in the hub (accepted, not yet answered) is refused at once with {@code 503},
 * a problem body and {@code Retry-After}, before the route (whose own admission allows 64 here) sees it; the permit
 * comes back when the first one is answered. The "slow write" is real: the test holds an exclusive lock on the
 * inbox table.
 */
@TestPropertySource(properties = { "hub.webhooks.max-queued=1", "hub.webhooks.max-in-flight=64",
        "hub.webhooks.overload-retry-after=3s" })
class WebhookIntakeLimitTest extends WebhookIntegrationTest {

    @Autowired
    WebhookBodyFilter intake;

    @Test
    void shouldRefuseAWebhookWhileTheIntakeIsFullAndTakeOneAgainOnceTheFirstIsAnswered() throws Exception {
        Tenant tenant = tenant();
        String xeroTenant = unique();
        UUID connection = connection(tenant, "xero", xeroTenant);

        CompletableFuture<HubClient.Response> first = whileInboxLocked(() -> xero(creditNote(xeroTenant)), () -> {
            assertThat(intake.queued()).isEqualTo(1);
            HubClient.Response refused = xero(creditNote(xeroTenant));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isEqualTo("3");
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
            JsonNode problem = new ObjectMapper().readTree(refused.body());
            assertThat(problem.path("status").asInt()).isEqualTo(503);
            assertThat(problem.path("type").asText()).endsWith("overloaded");
            assertThat(problem.path("detail").asText()).contains("more webhooks waiting");
        });
        assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> intake.queued() == 0);
        assertThat(xero(creditNote(xeroTenant)).status()).as("taken again once the first was answered").isEqualTo(200);
        assertThat(rows(connection)).as("the refused webhook was not stored; the provider delivers it again").hasSize(2);
    }
}
