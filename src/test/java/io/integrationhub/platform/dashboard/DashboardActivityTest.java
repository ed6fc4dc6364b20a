package io.integrationhub.platform.dashboard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.provider.square.SquareWebhookVerifier;
import io.integrationhub.support.HubClient.Response;

/** The drawer's Activity: a dead-lettered webhook event replayed, a manual conflict resolved. */
class DashboardActivityTest extends DashboardTestBase {

    private static final String BC = "Dynamics 365 Business Central (OData v4)";

    /** A Square {@code order.updated} notification, signed as Square signs it (key, notification URL + body). */
    private Response squareWebhook(String merchantId, String eventId) {
        String body = "{\"merchant_id\":\"" + merchantId + "\",\"type\":\"order.updated\",\"event_id\":\"" + eventId + "\","
                + "\"created_at\":\"" + Instant.now() + "\",\"data\":{\"type\":\"order_updated\",\"id\":\"o-1\","
                + "\"object\":{\"order_updated\":{\"order_id\":\"o-1\",\"state\":\"OPEN\",\"version\":2}}}}";
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        return hub.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/webhooks/square"))
                .header("Content-Type", "application/json")
                .header("x-square-hmacsha256-signature", SquareWebhookVerifier.signature("test-square-signature-key",
                        HUB_URL + "/webhooks/square", raw))
                .POST(HttpRequest.BodyPublishers.ofByteArray(raw)).build());
    }

    @Test
    void shouldReplayADeadLetteredWebhookEventFromTheActivitySection() {
        String key = newTenantKey();
        UUID square = connectThroughSandbox(key, "square");
        DashboardFakes.SQUARE_API_UP.set(false);
        assertThat(squareWebhook("SANDBOXMERCHANT", "evt-" + UUID.randomUUID()).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> hub.get("/api/v1/dead-letters", key).json().path("deadLetters").size() == 1);
        JsonNode letter = hub.get("/api/v1/dead-letters", key).json().path("deadLetters").get(0);
        assertThat(letter.path("connectionId").asText()).isEqualTo(square.toString());
        String letterId = letter.path("id").asText();
        String eventId = letter.path("sourceId").asText();

        signIn(key);
        manage("Square");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tr[data-dead-letter='" + letterId + "']")));
        assertThat(row.getAttribute("data-status")).isEqualTo("failed");
        assertThat(row.getText()).contains("test.dashboard.square.order-updated").contains("Square API answered 503 Service Unavailable");
        WebElement event = driver.findElement(By.cssSelector("tr[data-webhook-event='" + eventId + "']"));
        assertThat(event.getAttribute("data-status")).isEqualTo("failed");
        assertThat(event.getText()).contains("order.updated");

        DashboardFakes.SQUARE_API_UP.set(true); // Square is back
        button("Replay dead letter " + letterId).click();
        awaitToast("Dead letter replayed");

        wait.until(d -> "replayed".equals(d.findElement(By.cssSelector("tr[data-dead-letter='" + letterId + "']")).getAttribute("data-status")));
        assertThat(driver.findElement(By.cssSelector("tr[data-dead-letter='" + letterId + "']")).getText()).contains("Replayed");
        wait.until(d -> "processed".equals(d.findElement(By.cssSelector("tr[data-webhook-event='" + eventId + "']")).getAttribute("data-status")));
        assertThat(driver.findElements(By.cssSelector("button[aria-label='Replay dead letter " + letterId + "']"))).isEmpty();
        JsonNode after = hub.get("/api/v1/dead-letters", key).json().path("deadLetters").get(0);
        assertThat(after.path("status").asText()).isEqualTo("replayed");
        assertThat(after.path("replayCount").asInt()).isEqualTo(1);
    }

    private Response upsertCustomer(String key, UUID connection, String name, String email) {
        return hub.post("/api/v1/connections/" + connection + "/actions/upsert-customer", key,
                "{\"localRef\":\"crm-42\",\"data\":{\"name\":\"" + name + "\",\"email\":\"" + email + "\"}}");
    }

    @Test
    void shouldShowAManualConflictSideBySideAndKeepTheRemoteVersion() {
        String key = newTenantKey();
        UUID id = connectBusinessCentral(key);
        signIn(key);
        WebElement drawer = manage(BC);
        new Select(drawer.findElement(By.cssSelector("select[aria-label='Conflict policy for customer']"))).selectByValue("manual");
        awaitToast("Conflict policy for customer: manual.");
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("config").path("conflicts").path("customer").asText())
                .isEqualTo("manual");

        // The host app pushes a customer; later someone edits it in Business Central and a sync brings that in;
        // then the host app changes it too: both sides changed, and the policy is manual.
        PROVIDER.stubFor(post(urlPathEqualTo(BC_COMPANIES + "(1)/customers")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"@odata.etag\":\"W/\\\"1\\\"\",\"id\":\"C-42\","
                        + "\"number\":\"10042\",\"displayName\":\"Alpine Ski House\",\"email\":\"orders@alpineski.example\"}")));
        assertThat(upsertCustomer(key, id, "Alpine Ski House", "orders@alpineski.example").status()).isEqualTo(200);
        odataPages("customers", 1, 10, 0, i -> "{\"id\":\"C-42\",\"number\":\"10042\",\"displayName\":\"Alpine Ski House Ltd.\","
                + "\"email\":\"orders@alpineski.example\",\"lastModifiedDateTime\":\"2026-03-02T09:00:00Z\"}");
        String runId = hub.post("/api/v1/connections/" + id + "/syncs", key, "{\"entity\":\"customer\"}").json().path("id").asText();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "succeeded".equals(hub.get("/api/v1/syncs/" + runId, key).json().path("status").asText()));
        Response held = upsertCustomer(key, id, "Alpine Ski House", "buying@alpineski.example");
        assertThat(held.status()).isEqualTo(409);
        String conflictId = held.json().path("conflictId").asText();

        button("Refresh activity").click();
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("tr[data-conflict='" + conflictId + "']")));
        WebElement local = row.findElement(By.cssSelector("td.local"));
        WebElement remote = row.findElement(By.cssSelector("td.remote"));
        assertThat(local.getText()).contains("buying@alpineski.example").contains("Alpine Ski House");
        assertThat(remote.getText()).contains("orders@alpineski.example").contains("Alpine Ski House Ltd.").contains("10042");
        assertThat(local.findElements(By.tagName("mark"))).extracting(WebElement::getText)
                .containsExactlyInAnyOrder("\"buying@alpineski.example\"", "\"Alpine Ski House\"", "—");
        assertThat(row.getText()).contains("manual");

        button("Keep remote version of C-42").click();
        awaitToast("Conflict resolved: the provider's version is kept.");
        wait.until(d -> "resolved".equals(d.findElement(By.cssSelector("tr[data-conflict='" + conflictId + "']")).getAttribute("data-status")));
        assertThat(driver.findElement(By.cssSelector("tr[data-conflict='" + conflictId + "']")).getText()).contains("resolved: remote");
        JsonNode conflict = hub.get("/api/v1/connections/" + id + "/conflicts", key).json().get(0);
        assertThat(conflict.path("status").asText()).isEqualTo("resolved");
        assertThat(conflict.path("resolution").asText()).isEqualTo("remote");
        PROVIDER.verify(0, patchRequestedFor(urlPathMatching(".*/customers\\(.*")));
    }
}
