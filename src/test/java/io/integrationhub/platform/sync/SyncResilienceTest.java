package io.integrationhub.platform.sync;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.KafkaProbe;

/**
 * The engine against misbehaving providers: 429 with Retry-After, 5xx bursts, a token expiring in the
 * middle of a run, a daily quota, a bad record, and a crash between two pages.
 */
class SyncResilienceTest extends SyncTestBase {

    static String invoice(int n, Object total) {
        return "{\"InvoiceID\":\"inv-" + n + "\",\"InvoiceNumber\":\"INV-" + n + "\",\"Type\":\"ACCREC\",\"Status\":\"AUTHORISED\","
                + "\"DateString\":\"2026-01-0" + (1 + n % 9) + "T00:00:00\",\"Total\":" + total
                + ",\"UpdatedDateUTC\":\"/Date(1767225600000+0000)/\"}";
    }

    /** Xero Invoices pages of two (the test source asks pageSize=2): page n holds invoices 2n-1, 2n. */
    static void invoicePages(int invoices) {
        int pages = invoices / 2 + 1;
        for (int page = 1; page <= pages; page++) {
            List<String> items = new ArrayList<>();
            for (int i = (page - 1) * 2 + 1; i <= Math.min(invoices, page * 2); i++) {
                items.add(invoice(i, 100 + i));
            }
            PROVIDER.stubFor(get(urlPathEqualTo("/api.xro/2.0/Invoices")).withQueryParam("page", equalTo(String.valueOf(page)))
                    .atPriority(5).willReturn(okJson(xero(items))));
        }
    }

    static String xero(List<String> invoices) {
        return "{\"Id\":\"4c0d\",\"Status\":\"OK\",\"ProviderName\":\"hub\",\"DateTimeUTC\":\"/Date(1767225600000)/\","
                + "\"Invoices\":[" + String.join(",", invoices) + "]}";
    }

    @Test
    void shouldWaitRetryAfterOn429AndRetry5xxBurstsThenFinish() {
        Tenant t = tenantWith("xero");
        invoicePages(5);
        PROVIDER.stubFor(get(urlPathEqualTo("/api.xro/2.0/Invoices")).withQueryParam("page", equalTo("2")).atPriority(1)
                .inScenario("429").whenScenarioStateIs(STARTED).willSetStateTo("waited")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")
                        .withHeader("X-Rate-Limit-Problem", "minute")));
        PROVIDER.stubFor(get(urlPathEqualTo("/api.xro/2.0/Invoices")).withQueryParam("page", equalTo("3")).atPriority(1)
                .inScenario("5xx").whenScenarioStateIs(STARTED).willSetStateTo("one")
                .willReturn(aResponse().withStatus(503)));
        PROVIDER.stubFor(get(urlPathEqualTo("/api.xro/2.0/Invoices")).withQueryParam("page", equalTo("3")).atPriority(1)
                .inScenario("5xx").whenScenarioStateIs("one").willSetStateTo("two")
                .willReturn(aResponse().withStatus(502)));

        JsonNode run = awaitStatus(t, startSync(t, "{\"entity\":\"invoice\",\"mode\":\"full\"}"), "succeeded");

        assertThat(run.path("created").asLong()).isEqualTo(5);
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> page2 = PROVIDER.findAll(
                getRequestedFor(urlPathEqualTo("/api.xro/2.0/Invoices")).withQueryParam("page", equalTo("2")));
        assertThat(page2).hasSize(2);
        // The retry came only after the Retry-After second.
        long waited = page2.get(1).getLoggedDate().getTime() - page2.get(0).getLoggedDate().getTime();
        assertThat(waited).isGreaterThanOrEqualTo(1000);
        assertThat(PROVIDER.findAll(getRequestedFor(urlPathEqualTo("/api.xro/2.0/Invoices"))
                .withQueryParam("page", equalTo("3")))).hasSize(3);
    }

    @Test
    void shouldRefreshATokenThatExpiresMidRunAndContinue() {
        Tenant t = tenantWith("hubspot");
        // Page 1 accepts token-1; page 2 says the token expired and accepts only token-2.
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).withQueryParam("after", absent())
                .withHeader("Authorization", equalTo("Bearer token-1"))
                .willReturn(okJson("{\"results\":[" + SyncRunsTest.contact("1", "a@example.com", "2026-01-01T00:00:00Z")
                        + "],\"paging\":{\"next\":{\"after\":\"p2\"}}}")));
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).withQueryParam("after", equalTo("p2"))
                .withHeader("Authorization", equalTo("Bearer token-1"))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"error\",\"message\":\"The OAuth token used to make this call expired\","
                                + "\"category\":\"EXPIRED_AUTHENTICATION\"}")));
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).withQueryParam("after", equalTo("p2"))
                .withHeader("Authorization", equalTo("Bearer token-2"))
                .willReturn(okJson("{\"results\":[" + SyncRunsTest.contact("2", "b@example.com", "2026-01-01T00:00:00Z")
                        + "]}")));
        int before = tokens.refreshes.get();

        JsonNode run = awaitStatus(t, startSync(t, "{\"entity\":\"contact\"}"), "succeeded");

        assertThat(run.path("created").asLong()).isEqualTo(2);
        assertThat(tokens.refreshes.get()).isEqualTo(before + 1);
        assertThat(hub.get("/api/v1/connections/" + t.connectionId(), t.key()).json().path("status").asText())
                .isEqualTo("active");
    }

    @Test
    void shouldMarkTheConnectionErrorOnADailyQuotaAndKeepTheRunToResumeLater() {
        Tenant t = tenantWith("xero");
        invoicePages(3);
        PROVIDER.stubFor(get(urlPathEqualTo("/api.xro/2.0/Invoices")).withQueryParam("page", equalTo("2")).atPriority(1)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")
                        .withHeader("X-Rate-Limit-Problem", "day")));
        try (KafkaProbe connections = new KafkaProbe(kafka, "hub.connections")) {
            String runId = startSync(t, "{\"entity\":\"invoice\"}");
            JsonNode event = connections.await(t.connectionId().toString(),
                    e -> e.path("data").path("status").asText().equals("error"));
            assertThat(event.path("data").path("reason").asText()).contains("daily");
            JsonNode run = awaitStatus(t, runId, "queued");
            assertThat(run.path("message").asText()).contains("daily");
            assertThat(run.path("recordsProcessed").asLong()).isEqualTo(2);
            JsonNode connection = hub.get("/api/v1/connections/" + t.connectionId(), t.key()).json();
            assertThat(connection.path("status").asText()).isEqualTo("error");
            assertThat(connection.path("lastError").asText()).contains("daily");
            // Still holds its entity: the run resumes from page 2 once the quota resets.
            assertThat(hub.post("/api/v1/connections/" + t.connectionId() + "/syncs", t.key(), "{\"entity\":\"invoice\"}")
                    .json().path("runId").asText()).isEqualTo(runId);
        }
    }

    @Test
    void shouldCountAndDeadLetterABadRecordWithoutFailingTheRun() {
        Tenant t = tenantWith("xero");
        PROVIDER.stubFor(get(urlPathEqualTo("/api.xro/2.0/Invoices")).withQueryParam("page", equalTo("1"))
                .willReturn(okJson(xero(List.of(invoice(1, 10), invoice(2, "\"not a number\""))))));
        PROVIDER.stubFor(get(urlPathEqualTo("/api.xro/2.0/Invoices")).withQueryParam("page", equalTo("2"))
                .willReturn(okJson(xero(List.of(invoice(3, 30))))));

        JsonNode run = awaitStatus(t, startSync(t, "{\"entity\":\"invoice\"}"), "succeeded");

        assertThat(run.path("created").asLong()).isEqualTo(2);
        assertThat(run.path("recordsProcessed").asLong()).isEqualTo(3);
        assertThat(run.path("errors")).hasSize(1);
        assertThat(run.path("errors").get(0).path("message").asText()).contains("inv-2");
        Map<String, Object> dead = jdbc.queryForMap("SELECT route_id, source_type, source_id, body FROM dead_letters "
                + "WHERE connection_id = :c", Map.of("c", t.connectionId()));
        assertThat(dead.get("route_id")).isEqualTo("sync.run");
        assertThat(dead.get("source_id")).isEqualTo(run.path("id").asText());
        assertThat((String) dead.get("body")).contains("\"InvoiceID\":\"inv-2\"").contains("not a number");
    }

    @Test
    void shouldResumeACrashedRunFromTheLastCommittedPageWithoutDuplicatesOrGaps() {
        Tenant t = tenantWith("business-central");
        String base = PROVIDER.baseUrl() + "/v2.0/companies(1)/customers";
        int pages = 5;
        for (int p = 1; p <= pages; p++) {
            StringBuilder body = new StringBuilder("{\"@odata.context\":\"" + PROVIDER.baseUrl()
                    + "/v2.0/$metadata#companies(1)/customers\",\"value\":[");
            for (int i = 1; i <= 3; i++) {
                int n = (p - 1) * 3 + i;
                body.append(i > 1 ? "," : "").append("{\"@odata.etag\":\"W/\\\"JzQ0OzE7Jw==\\\"\",\"id\":\"c-").append(n)
                        .append("\",\"number\":\"C").append(n).append("\",\"displayName\":\"Customer ").append(n)
                        .append("\",\"email\":\"c").append(n).append("@example.com\",\"lastModifiedDateTime\":\"2026-01-01T00:00:00Z\"}");
            }
            body.append("]");
            if (p < pages) {
                body.append(",\"@odata.nextLink\":\"").append(base).append("?$skiptoken=").append(p * 3).append("\"");
            }
            body.append("}");
            PROVIDER.stubFor(get(urlPathEqualTo("/v2.0/companies(1)/customers"))
                    .withQueryParam("$skiptoken", p == 1 ? absent() : equalTo(String.valueOf((p - 1) * 3)))
                    .willReturn(okJson(body.toString())));
        }
        // The instance "dies" after committing page 2, just before fetching page 3.
        TestProviders.Crash.beforeCursor = cursor -> cursor.endsWith("$skiptoken=6");

        String runId = startSync(t, "{\"entity\":\"customer\",\"mode\":\"full\"}");

        JsonNode run = awaitStatus(t, runId, "succeeded");
        assertThat(run.path("recordsProcessed").asLong()).isEqualTo(15);
        assertThat(run.path("created").asLong()).isEqualTo(15);
        assertThat(liveRecords(t, "customer")).isEqualTo(15);
        for (int p = 1; p <= pages; p++) {
            // Pages committed before the crash are not fetched again.
            assertThat(PROVIDER.findAll(getRequestedFor(urlPathEqualTo("/v2.0/companies(1)/customers"))
                    .withQueryParam("$skiptoken", p == 1 ? absent() : equalTo(String.valueOf((p - 1) * 3))))).hasSize(1);
        }
    }
}
