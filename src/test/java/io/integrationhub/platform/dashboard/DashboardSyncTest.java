package io.integrationhub.platform.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.provider.businesscentral.sandbox.BcODataService;
import io.integrationhub.support.HubClient;

/**
 * Syncs from the manage drawer: live progress of a run whose provider pages slowly (Business Central's OData
 * API on WireMock, one page a second, {@code @odata.count} known), the toasts, the sync log, Cancel, and a
 * sync the hub cannot run.
 */
class DashboardSyncTest extends DashboardTestBase {

    private static final String BC = "Dynamics 365 Business Central (OData v4)";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private WebElement run(String entity) {
        return driver.findElement(By.cssSelector(".progress[data-entity='" + entity + "'] .run"));
    }

    /** value/max of the run's bar, "" while it is indeterminate. */
    private String bar(String entity) {
        return (String) js("const b = document.querySelector(`.progress[data-entity='${arguments[0]}'] progress`);"
                + "return b ? (b.hasAttribute('value') ? b.value + '/' + b.max : '') : null;", entity);
    }

    @Test
    void shouldShowTheProgressBarMovingToOneHundredPercentThenTheLogRow() {
        String key = newTenantKey();
        UUID id = connectBusinessCentral(key);
        odataPages("customers", 12, 3, 1000, i -> customer(i, "Customer " + i));
        signIn(key);
        manage(BC);
        assertThat(driver.findElement(By.id("sync-log")).getText()).isEqualTo("Nothing yet.");

        button("Sync customer now").click();
        awaitToast("Sync of customer started.");

        List<String> seen = new ArrayList<>();
        wait.until(d -> {
            String value = bar("customer");
            if (value != null && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(value))) {
                seen.add(value);
            }
            return "succeeded".equals(run("customer").getAttribute("data-status"));
        });
        // the bar is read before the status: the page may have drawn both between the two reads of the last round
        String last = bar("customer");
        if (last != null && (seen.isEmpty() || !last.equals(seen.get(seen.size() - 1)))) {
            seen.add(last);
        }
        assertThat(seen).as("bar values seen: %s", seen)
                .anyMatch(v -> v.matches("([1-9]|1[01])/12")) // part-way, with the total known
                .last().isEqualTo("12/12");
        assertThat(run("customer").getText()).contains("Succeeded · 12 of 12 records (100%)");
        assertThat(run("customer").findElements(By.cssSelector("button.cancel"))).isEmpty();
        awaitToast("Sync of customer succeeded: 12 records (+12 ~0 −0).");

        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#sync-log tr[data-sync]")));
        assertThat(row.getAttribute("data-status")).isEqualTo("succeeded");
        assertThat(row.getText()).contains("customer").contains("incremental").contains("12 / 12 (+12 ~0 −0)");
        JsonNode runs = hub.get("/api/v1/connections/" + id + "/syncs", key).json();
        assertThat(runs).hasSize(1);
        assertThat(row.getAttribute("data-sync")).isEqualTo(runs.get(0).path("id").asText());
        assertThat(hub.get("/api/v1/connections/" + id + "/records/customer?limit=100", key).json().path("records")).hasSize(12);

        // The catalog card learnt about the sync without a reload.
        driver.findElement(By.id("drawer-close")).click();
        assertThat(card("business-central").getText()).contains("Last synced just now");
    }

    /**
     * Business Central's own family (camel-olingo4, BC's server-driven paging) over the wire: Apache Olingo's answers
     * of {@link BcODataService} — one-invoice pages chained by {@code @odata.nextLink} with a {@code $skiptoken} —
     * served by the provider fake, a page a second ({@code $metadata}: {@link #businessCentralAccepts}).
     */
    private UUID businessCentralInvoicePages(int total) throws Exception {
        String root = PROVIDER.baseUrl() + BC_ROOT;
        String rootPath = BC_ROOT;
        BcODataService bc = new BcODataService(1, authorization -> true);
        UUID company = bc.addCompany("CRONUS UK Ltd.");
        for (int i = 1; i <= total; i++) {
            bc.put(company, "salesInvoices", Map.of("number", String.valueOf(103000 + i), "customerNumber", "10000",
                    "customerName", "Adatum", "status", "Open", "totalAmountIncludingTax", new BigDecimal(100 + i)));
        }
        Map<String, String> accept = Map.of("Accept", "application/json");
        String path = "/companies(" + company + ")/salesInvoices";
        String query = "$select=id,number,invoiceDate,dueDate,customerId,customerNumber,customerName,currencyCode,status,"
                + "totalAmountIncludingTax,lastModifiedDateTime";
        String token = null;
        do {
            BcODataService.Answer page = bc.handle("GET", root, path, query, accept, null);
            assertThat(page.status()).as(page.text()).isEqualTo(200);
            PROVIDER.stubFor(get(urlPathEqualTo(rootPath + path))
                    .withQueryParam("$skiptoken", token == null ? absent() : equalTo(token))
                    .willReturn(aResponse().withStatus(200).withFixedDelay(1000)
                            .withHeader("Content-Type", "application/json; odata.metadata=minimal")
                            .withHeader("OData-Version", "4.0").withBody(page.body())));
            String next = MAPPER.readTree(page.text()).path("@odata.nextLink").asText(null);
            query = next == null ? null : next.substring(next.indexOf('?') + 1);
            token = next == null ? null : next.substring(next.indexOf("$skiptoken=") + "$skiptoken=".length());
        } while (query != null);
        return company;
    }

    @Test
    void shouldCancelARunningSyncAtThenextPageAndLogIt() throws Exception {
        String key = newTenantKey();
        UUID id = connectBusinessCentral(key);
        UUID company = businessCentralInvoicePages(10);
        HubClient.Response configured = hub.patch("/api/v1/connections/" + id, key,
                "{\"config\":{\"environment\":\"production\",\"companyId\":\"" + company + "\"}}");
        assertThat(configured.status()).as(configured.body()).isEqualTo(200);
        signIn(key);
        manage(BC);

        button("Sync sales_invoice now").click();
        // BC answers no total: the run shows its records so far; cancel once the first page is in.
        wait.until(d -> {
            JsonNode runs = hub.get("/api/v1/connections/" + id + "/syncs", key).json();
            return runs.size() > 0 && runs.get(0).path("recordsProcessed").asLong() >= 1
                    && "running".equals(runs.get(0).path("status").asText());
        });
        button("Cancel sales_invoice sync").click();
        awaitToast("Cancelling the sales invoice sync");

        wait.until(d -> "cancelled".equals(run("sales_invoice").getAttribute("data-status")));
        awaitToast("Sync of sales invoice cancelled");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#sync-log tr[data-status='cancelled']")));
        assertThat(row.getText()).contains("invoice");
        JsonNode r = hub.get("/api/v1/connections/" + id + "/syncs", key).json().get(0);
        assertThat(r.path("status").asText()).isEqualTo("cancelled");
        assertThat(r.path("recordsProcessed").asLong()).isBetween(1L, 9L);
        // Each page followed BC's nextLink (camel-olingo4 read $metadata once, then the pages in order).
        List<String> pages = new ArrayList<>(PROVIDER.getAllServeEvents().stream().map(e -> e.getRequest().getUrl())
                .filter(u -> u.contains("/salesInvoices")).map(u -> u.contains("$skiptoken=") ? "next" : "first").toList());
        java.util.Collections.reverse(pages); // WireMock lists the newest first
        assertThat(pages).startsWith("first", "next").containsOnlyOnce("first");
    }

    @Test
    void shouldShowTheProblemWhenASyncCannotStartAndFollowARunStartedElsewhere() {
        String key = newTenantKey();
        UUID id = connectBusinessCentral(key);
        odataPages("customers", 6, 2, 1000, i -> customer(i, "Customer " + i));
        signIn(key);
        manage(BC);

        // An entity this hub cannot pull or push is not in the catalog at all (it lists only what is implemented),
        // so the drawer offers nothing for it; the implemented one is there with its sync.
        assertThat(driver.findElements(By.cssSelector(".entity[data-entity='employee']"))).isEmpty();
        assertThat(driver.findElement(By.cssSelector(".entity[data-entity='customer']")).findElements(By.tagName("button")))
                .isNotEmpty();

        // A range the API refuses: the problem's title, detail and field are shown.
        js("const set = (label, v) => { const i = document.querySelector(`input[aria-label='${label}']`); i.value = v; };"
                + "set('From date for customer', '2026-02-01'); set('To date for customer', '2026-01-01');");
        button("Sync customer for the date range").click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".toast.error")));
        assertThat(error.getText()).isEqualTo("Request cannot be carried out: 'from' must be before 'to'."
                + " (/from: must be before 'to')");

        // A run the drawer did not start (a schedule, another admin, the API) is followed once the log shows it.
        String runId = hub.post("/api/v1/connections/" + id + "/syncs", key, "{\"entity\":\"customer\",\"mode\":\"full\"}")
                .json().path("id").asText();
        button("Refresh activity").click();
        wait.until(d -> "succeeded".equals(run("customer").getAttribute("data-status")));
        assertThat(run("customer").getAttribute("data-run")).isEqualTo(runId);
        assertThat(run("customer").getText()).contains("6 of 6 records");
        awaitToast("Sync of customer succeeded: 6 records");
    }
}
