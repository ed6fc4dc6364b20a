package io.integrationhub.platform.sync;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;

/** Push through actions: Idempotency-Key, localRef links, and two-way conflicts. */
class ActionsTest extends SyncTestBase {

    private HubClient.Response action(Tenant t, String key, String body) {
        HttpRequest.Builder b = hub.request("/api/v1/connections/" + t.connectionId() + "/actions/upsert-contact", t.key())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return hub.send(b.build());
    }

    private static void hubspotCreates(String id) {
        PROVIDER.stubFor(post(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"" + id + "\",\"properties\":{},"
                        + "\"createdAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\"2026-01-01T00:00:00Z\",\"archived\":false}")));
        PROVIDER.stubFor(patch(urlPathEqualTo("/crm/v3/objects/contacts/" + id)).willReturn(okJson("{\"id\":\"" + id
                + "\",\"properties\":{},\"updatedAt\":\"2026-01-02T00:00:00Z\",\"archived\":false}")));
    }

    @Test
    void shouldReplayTheFirstResultForARepeatedIdempotencyKeyWithoutCallingTheProviderAgain() {
        Tenant t = tenantWith("hubspot");
        hubspotCreates("501");
        String body = "{\"localRef\":\"crm-1\",\"data\":{\"email\":\"a@example.com\"}}";

        HubClient.Response first = action(t, "key-1", body);
        HubClient.Response again = action(t, "key-1", body);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("externalId").asText()).isEqualTo("501");
        assertThat(first.json().path("outcome").asText()).isEqualTo("created");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(first.json());
        assertThat(PROVIDER.findAll(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts")))).hasSize(1);

        HubClient.Response other = action(t, "key-1", "{\"localRef\":\"crm-1\",\"data\":{\"email\":\"b@example.com\"}}");
        assertThat(other.status()).isEqualTo(422);
        assertThat(PROVIDER.findAll(patchRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/501")))).isEmpty();
    }

    @Test
    void shouldUpdateTheSameProviderObjectForTheSameLocalRef() {
        Tenant t = tenantWith("hubspot");
        hubspotCreates("777");
        action(t, null, "{\"localRef\":\"crm-9\",\"data\":{\"email\":\"a@example.com\"}}");

        HubClient.Response update = action(t, null, "{\"localRef\":\"crm-9\",\"data\":{\"email\":\"new@example.com\"}}");
        HubClient.Response unchanged = action(t, null, "{\"localRef\":\"crm-9\",\"data\":{\"email\":\"new@example.com\"}}");

        assertThat(update.json().path("outcome").asText()).isEqualTo("updated");
        assertThat(update.json().path("externalId").asText()).isEqualTo("777");
        assertThat(unchanged.json().path("outcome").asText()).isEqualTo("unchanged");
        assertThat(PROVIDER.findAll(postRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts")))).hasSize(1);
        assertThat(PROVIDER.findAll(patchRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/777")))).hasSize(1);
        PROVIDER.verify(patchRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/777"))
                .withRequestBody(equalToJson("{\"properties\":{\"email\":\"new@example.com\"}}")));
    }

    @Test
    void shouldHoldAManualConflictUntilResolvedAndThenPushTheLocalVersion() {
        Tenant t = tenantWith("hubspot");
        assertThat(hub.patch("/api/v1/connections/" + t.connectionId(), t.key(),
                "{\"config\":{\"conflicts\":{\"contact\":\"manual\"}}}").status()).isEqualTo(200);
        assertThat(hub.patch("/api/v1/connections/" + t.connectionId(), t.key(),
                "{\"config\":{\"conflicts\":{\"contact\":\"coin-flip\"}}}").status()).isEqualTo(422);
        hubspotCreates("900");
        action(t, null, "{\"localRef\":\"crm-5\",\"data\":{\"email\":\"local@example.com\"}}");
        // Someone edits the contact in HubSpot; the next sync brings the change into the hub.
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(okJson("{\"results\":["
                + SyncRunsTest.contact("900", "remote@example.com", "2026-03-01T00:00:00Z") + "]}")));
        awaitStatus(t, startSync(t, "{\"entity\":\"contact\"}"), "succeeded");

        HubClient.Response held = action(t, null, "{\"localRef\":\"crm-5\",\"data\":{\"email\":\"local-2@example.com\"}}");

        assertThat(held.status()).isEqualTo(409);
        String conflictId = held.json().path("conflictId").asText();
        JsonNode open = hub.get("/api/v1/connections/" + t.connectionId() + "/conflicts?status=open", t.key()).json();
        assertThat(open).hasSize(1);
        assertThat(open.get(0).path("id").asText()).isEqualTo(conflictId);
        assertThat(open.get(0).path("local").path("email").asText()).isEqualTo("local-2@example.com");
        assertThat(open.get(0).path("remote").path("email").asText()).isEqualTo("remote@example.com");
        assertThat(PROVIDER.findAll(patchRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/900")))).isEmpty();

        HubClient.Response resolved = hub.post("/api/v1/connections/" + t.connectionId() + "/conflicts/" + conflictId
                + "/resolve", t.key(), "{\"resolution\":\"local\"}");
        assertThat(resolved.status()).isEqualTo(200);
        assertThat(resolved.json().path("status").asText()).isEqualTo("resolved");
        PROVIDER.verify(patchRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/900"))
                .withRequestBody(equalToJson("{\"properties\":{\"email\":\"local-2@example.com\"}}")));
        assertThat(hub.post("/api/v1/connections/" + t.connectionId() + "/conflicts/" + conflictId + "/resolve", t.key(),
                "{\"resolution\":\"remote\"}").status()).isEqualTo(409);
    }

    @Test
    void shouldLetOnlyOneOfTwoConcurrentResolutionsPushAndAnswerTheOther409() throws Exception {
        Tenant t = tenantWith("hubspot");
        assertThat(hub.patch("/api/v1/connections/" + t.connectionId(), t.key(),
                "{\"config\":{\"conflicts\":{\"contact\":\"manual\"}}}").status()).isEqualTo(200);
        hubspotCreates("950");
        action(t, null, "{\"localRef\":\"crm-7\",\"data\":{\"email\":\"local@example.com\"}}");
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(okJson("{\"results\":["
                + SyncRunsTest.contact("950", "remote@example.com", "2026-03-01T00:00:00Z") + "]}")));
        awaitStatus(t, startSync(t, "{\"entity\":\"contact\"}"), "succeeded");
        HubClient.Response held = action(t, null, "{\"localRef\":\"crm-7\",\"data\":{\"email\":\"local-2@example.com\"}}");
        assertThat(held.status()).isEqualTo(409);
        String resolve = "/api/v1/connections/" + t.connectionId() + "/conflicts/" + held.json().path("conflictId").asText()
                + "/resolve";
        // A slow provider: both resolutions are in flight together, as two clicks or two operators would be.
        PROVIDER.stubFor(patch(urlPathEqualTo("/crm/v3/objects/contacts/950")).willReturn(okJson("{\"id\":\"950\","
                + "\"properties\":{},\"updatedAt\":\"2026-03-02T00:00:00Z\",\"archived\":false}").withFixedDelay(1500)));

        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Callable<HubClient.Response> call = () -> hub.post(resolve, t.key(), "{\"resolution\":\"local\"}");
            java.util.List<java.util.concurrent.Future<HubClient.Response>> answers = two.invokeAll(java.util.List.of(call, call));
            java.util.List<Integer> statuses = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<HubClient.Response> f : answers) {
                statuses.add(f.get().status());
            }
            assertThat(statuses).containsExactlyInAnyOrder(200, 409);
        } finally {
            two.shutdownNow();
        }
        assertThat(PROVIDER.findAll(patchRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/950")))).hasSize(1);
        JsonNode conflict = hub.get("/api/v1/connections/" + t.connectionId() + "/conflicts", t.key()).json().get(0);
        assertThat(conflict.path("status").asText()).isEqualTo("resolved");
        assertThat(conflict.path("resolution").asText()).isEqualTo("local");
    }

    @Test
    void shouldReopenAConflictWhosePushFailedSoItCanBeResolvedAgain() {
        Tenant t = tenantWith("hubspot");
        assertThat(hub.patch("/api/v1/connections/" + t.connectionId(), t.key(),
                "{\"config\":{\"conflicts\":{\"contact\":\"manual\"}}}").status()).isEqualTo(200);
        hubspotCreates("960");
        action(t, null, "{\"localRef\":\"crm-8\",\"data\":{\"email\":\"local@example.com\"}}");
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(okJson("{\"results\":["
                + SyncRunsTest.contact("960", "remote@example.com", "2026-03-01T00:00:00Z") + "]}")));
        awaitStatus(t, startSync(t, "{\"entity\":\"contact\"}"), "succeeded");
        HubClient.Response held = action(t, null, "{\"localRef\":\"crm-8\",\"data\":{\"email\":\"local-2@example.com\"}}");
        String resolve = "/api/v1/connections/" + t.connectionId() + "/conflicts/" + held.json().path("conflictId").asText()
                + "/resolve";
        PROVIDER.stubFor(patch(urlPathEqualTo("/crm/v3/objects/contacts/960")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Property values were not valid\"}")));

        HubClient.Response failed = hub.post(resolve, t.key(), "{\"resolution\":\"local\"}");
        assertThat(failed.status()).isGreaterThanOrEqualTo(400);
        assertThat(hub.get("/api/v1/connections/" + t.connectionId() + "/conflicts?status=open", t.key()).json()).hasSize(1);
        assertThat(hub.post(resolve, t.key(), "{\"resolution\":\"remote\"}").status()).isEqualTo(200);
    }

    @Test
    void shouldApplyLastWriteWinsByDefaultAndRecordTheConflict() {
        Tenant t = tenantWith("hubspot");
        hubspotCreates("950");
        action(t, null, "{\"localRef\":\"crm-7\",\"data\":{\"email\":\"local@example.com\"}}");
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(okJson("{\"results\":["
                + SyncRunsTest.contact("950", "remote@example.com", "2026-03-01T00:00:00Z") + "]}")));
        awaitStatus(t, startSync(t, "{\"entity\":\"contact\"}"), "succeeded");

        // The local edit is older than the remote one: the provider's version stays.
        HubClient.Response older = action(t, null, "{\"localRef\":\"crm-7\",\"modifiedAt\":\"2026-02-01T00:00:00Z\","
                + "\"data\":{\"email\":\"older@example.com\"}}");

        assertThat(older.status()).isEqualTo(200);
        assertThat(older.json().path("outcome").asText()).isEqualTo("remote-kept");
        assertThat(PROVIDER.findAll(patchRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts/950")))).isEmpty();
        JsonNode conflicts = hub.get("/api/v1/connections/" + t.connectionId() + "/conflicts", t.key()).json();
        assertThat(conflicts.get(0).path("policy").asText()).isEqualTo("last-write-wins");
        assertThat(conflicts.get(0).path("resolution").asText()).isEqualTo("remote");
    }
}
