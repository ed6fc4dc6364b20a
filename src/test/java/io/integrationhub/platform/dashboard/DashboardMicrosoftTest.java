package io.integrationhub.platform.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.provider.microsoft.sandbox.GraphMailSim;
import io.integrationhub.provider.microsoft.sandbox.GraphSandbox;
import io.integrationhub.support.HubClient.Response;

/**
 * The Microsoft family in the manage drawer, against the in-process Graph sandbox: OneDrive's job-folder root
 * chosen with the folder picker, and Outlook calendar's push-only entity offering a resync instead of a pull.
 */
class DashboardMicrosoftTest extends DashboardTestBase {

    @Test
    void shouldChooseTheOneDriveJobFolderRootWithTheFolderPicker() {
        String key = newTenantKey();
        String root = "Clients-" + UUID.randomUUID().toString().substring(0, 6);
        UUID id = connectThroughSandbox(key, "onedrive");
        Response folders = hub.post("/api/v1/connections/" + id + "/actions/ensure-job-folders", key,
                "{\"jobRef\":\"JOB-9\",\"name\":\"Picker\"}");
        assertThat(folders.status()).as(folders.body()).isEqualTo(200);
        assertThat(hub.patch("/api/v1/connections/" + id, key, "{\"config\":{\"rootPath\":\"" + root + "\"}}").status())
                .isEqualTo(200);
        assertThat(hub.post("/api/v1/connections/" + id + "/actions/ensure-job-folders", key,
                "{\"jobRef\":\"JOB-10\",\"name\":\"Elsewhere\"}").status()).isEqualTo(200);

        signIn(key);
        manage("Microsoft OneDrive");
        assertThat(driver.findElement(By.id("root-folder")).getText()).isEqualTo("/" + root);
        button("Choose the job folders root").click();
        // The drive's root lists both roots; into Jobs, then one job folder, and choose it.
        button("Open folder /Jobs").click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("folder-picker"), "/Jobs"));
        WebElement job = button("Open folder /Jobs/JOB-9 Picker");
        job.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("folder-picker"), "Emails"));
        button("Use /Jobs/JOB-9 Picker as the job folder root").click();
        awaitToast("Job folders now go under /Jobs/JOB-9 Picker.");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("root-folder"), "/Jobs/JOB-9 Picker"));
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("config").path("rootPath").asText())
                .isEqualTo("Jobs/JOB-9 Picker");
    }

    @Autowired
    GraphSandbox graphSandbox;

    @Test
    void shouldAddAndRemoveACapturedOutlookFolderWithThePicker() {
        String key = newTenantKey();
        String name = "Projects " + UUID.randomUUID().toString().substring(0, 6);
        String folderId = graphSandbox.simulator().part(GraphMailSim.class).addFolder(name);
        UUID id = connectThroughSandbox(key, "outlook");

        signIn(key);
        manage("Microsoft Outlook Mail");
        button("Add a captured mail folder").click();
        button("Watch mail folder " + name).click();
        awaitToast(name + " is now captured.");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("watched-mail-folders"), folderId));
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("config").path("mail").path("folders").get(0)
                .asText()).isEqualTo(folderId);

        button("Stop capturing " + folderId).click();
        awaitToast(folderId + " is no longer captured.");
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("config").path("mail").path("folders")).isEmpty();
    }

    @Test
    void shouldOfferAResyncForOutlookCalendarEventsInsteadOfAPull() {
        String key = newTenantKey();
        UUID id = connectThroughSandbox(key, "outlook-calendar");
        Response pushed = hub.post("/api/v1/connections/" + id + "/actions/upsert-event", key,
                "{\"localRef\":\"assignment-1\",\"subject\":\"Fit kitchen\",\"start\":\"2026-12-01T09:00:00Z\","
                        + "\"end\":\"2026-12-01T12:00:00Z\",\"status\":\"confirmed\"}");
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);

        signIn(key);
        manage("Microsoft Outlook Calendar");
        assertThat(driver.findElements(By.cssSelector("button[aria-label='Sync calendar_event now']"))).isEmpty();
        button("Resync calendar_event to the provider").click();
        awaitToast("started.");
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#sync-log tr[data-sync]")));
        wait.until(d -> "succeeded".equals(d.findElement(By.cssSelector("#sync-log tr[data-sync]")).getAttribute("data-status")));
        JsonNode runs = hub.get("/api/v1/connections/" + id + "/syncs", key).json();
        assertThat(runs.get(0).path("direction").asText()).isEqualTo("push");
        assertThat(row.getAttribute("data-sync")).isEqualTo(runs.get(0).path("id").asText());
    }
}
