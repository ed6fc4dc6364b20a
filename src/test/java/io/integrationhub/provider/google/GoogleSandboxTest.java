package io.integrationhub.provider.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.SandboxHubTest;

/**
 * The zero-setup experience of the Google families: with the provider sandbox on, Google's OAuth goes to the
 * platform's consent page and the Drive and Calendar APIs to the in-process Google simulator, so a tenant picks a
 * watched folder, scans it, downloads a Google Doc as PDF and writes a calendar event without any Google account.
 */
class GoogleSandboxTest extends SandboxHubTest {

    record Connected(String key, String path) {
    }

    private Connected connect(String provider) {
        String key = newTenantKey();
        String path = connectInSandbox(key, "{\"provider\":\"" + provider + "\"}");
        return new Connected(key, path);
    }

    private JsonNode run(Connected c, String entity) {
        HubClient.Response started = hub.post(c.path() + "/syncs", c.key(), "{\"entity\":\"" + entity + "\",\"mode\":\"full\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String run = started.json().path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("succeeded", "failed")
                .contains(hub.get("/api/v1/syncs/" + run, c.key()).json().path("status").asText()));
        return hub.get("/api/v1/syncs/" + run, c.key()).json();
    }

    @Test
    void shouldPickAFolderScanItAndDownloadADocAsPdfWithNoGoogleAccount() throws Exception {
        Connected drive = connect("google-drive");
        JsonNode top = hub.get(drive.path() + "/folders", drive.key()).json();
        assertThat(top.path("folders").findValuesAsText("name")).containsExactly("Invoices", "Photos", "Recipes");
        String recipes = top.path("folders").get(2).path("id").asText();
        HubClient.Response watched = hub.patch(drive.path(), drive.key(),
                "{\"config\":{\"recipesFolderId\":\"" + recipes + "\",\"recipesFolderName\":\"Recipes\"}}");
        assertThat(watched.status()).as(watched.body()).isEqualTo(200);

        assertThat(run(drive, "folder").path("status").asText()).isEqualTo("succeeded");
        JsonNode files = run(drive, "file");
        assertThat(files.path("status").asText()).as(files.toString()).isEqualTo("succeeded");
        JsonNode records = hub.get(drive.path() + "/records/file?limit=100", drive.key()).json().path("records");
        assertThat(records.findValuesAsText("name")).containsExactlyInAnyOrder("Sourdough.txt", "Tiramisu.txt", "Menu plan");
        String menu = null;
        for (JsonNode r : records) {
            if (r.path("data").path("name").asText().equals("Menu plan")) {
                menu = r.path("externalId").asText();
            }
        }
        HttpResponse<byte[]> pdf = java.net.http.HttpClient.newHttpClient().send(hub.request(drive.path() + "/files/" + menu
                + "/content", drive.key()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(pdf.statusCode()).isEqualTo(200);
        assertThat(new String(pdf.body(), StandardCharsets.UTF_8)).startsWith("%PDF-");

        Connected calendar = connect("google-calendar");
        HubClient.Response event = hub.post(calendar.path() + "/actions/upsert-event", calendar.key(),
                "{\"localRef\":\"tasting-1\",\"subject\":\"Tasting\",\"start\":\"2026-05-02\",\"end\":\"2026-05-02\",\"allDay\":true}");
        assertThat(event.status()).as(event.body()).isEqualTo(200);
        assertThat(event.json().path("response").path("start").path("date").asText()).isEqualTo("2026-05-02");
        HubClient.Response removed = hub.post(calendar.path() + "/actions/delete-event", calendar.key(), "{\"localRef\":\"tasting-1\"}");
        assertThat(removed.status()).as(removed.body()).isEqualTo(200);
    }

    @Test
    void shouldRefuseTheGoogleSandboxApisWithoutTheirOwnSandboxToken() {
        assertThat(hub.get("/sandbox/google-drive/api/drive/v3/files", "not-a-token").status()).isEqualTo(401);
        assertThat(hub.get("/sandbox/google-calendar/api/calendar/v3/calendars/primary", "not-a-token").status()).isEqualTo(401);
    }
}
