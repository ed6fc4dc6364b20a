package io.integrationhub.platform.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Syncs from the manage drawer: live progress of a run whose provider pages slowly (Business Central's OData
 * API on WireMock, one page a second, {@code @odata.count} known), the toasts, the sync log, Cancel, and a
 * sync the hub cannot run.
 */
class DashboardSyncTest extends DashboardTestBase {

    private static final String BC = "Dynamics 365 Business Central (OData v4)";

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

    @Test
    @org.junit.jupiter.api.Disabled("Business Central pulls of more than one page hang inside the hub since the family "
            + "moved to camel-olingo4 (docs/business-central.md, Known gaps); this test paged through BC's old Java source")
    void shouldCancelARunningSyncAtThenextPageAndLogIt() {
        String key = newTenantKey();
        UUID id = connectBusinessCentral(key);
        odataPages("salesInvoices", 10, 1, 1000, i -> "{\"id\":\"SI-" + i + "\",\"number\":\"" + (103000 + i) + "\","
                + "\"displayName\":\"Invoice " + i + "\",\"totalAmountIncludingTax\":" + (100 + i) + "}");
        signIn(key);
        manage(BC);

        button("Sync sales_invoice now").click();
        wait.until(d -> {
            String value = bar("sales_invoice");
            return value != null && value.matches("[1-9]/10");
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
