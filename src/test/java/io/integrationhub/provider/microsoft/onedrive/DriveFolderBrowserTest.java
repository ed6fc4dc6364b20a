package io.integrationhub.provider.microsoft.onedrive;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;
import io.integrationhub.provider.microsoft.MicrosoftTestBase;

/** GET /connections/{id}/folders: the OneDrive folder picker's live listing. */
class DriveFolderBrowserTest extends MicrosoftTestBase {

    private int pages;

    private List<String> allNames(Tenant t, String parentId) {
        List<String> names = new ArrayList<>();
        String cursor = null;
        pages = 0;
        do {
            String query = (parentId == null ? "" : "parentId=" + parentId) + (cursor == null ? ""
                    : (parentId == null ? "" : "&") + "cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            HubClient.Response r = hub.get(t.connectionPath() + "/folders" + (query.isEmpty() ? "" : "?" + query), t.key());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().path("folders").forEach(f -> names.add(f.path("name").asText()));
            cursor = r.json().path("nextCursor").isTextual() ? r.json().path("nextCursor").asText() : null;
            pages++;
        } while (cursor != null);
        return names;
    }

    @Test
    void shouldListSubFoldersPageByPageWithPathsAndLeaveFilesOut() {
        String root = "Picker-" + UUID.randomUUID().toString().substring(0, 8);
        Tenant t = connect("onedrive", "{\"rootPath\":\"" + root + "\"}");
        assertThat(action(t, "ensure-job-folders", "{\"jobRef\":\"JOB-7\",\"name\":\"Smith\"}").status()).isEqualTo(200);
        MICROSOFT.graph().part(io.integrationhub.provider.microsoft.sandbox.GraphDriveSim.class)
                .putFile(root + "/JOB-7 Smith/readme.txt", "not a folder".getBytes(StandardCharsets.UTF_8));

        HubClient.Response top = hub.get(t.connectionPath() + "/folders", t.key());
        assertThat(top.status()).isEqualTo(200);
        assertThat(top.json().path("parent").path("path").asText()).isEqualTo("/");
        String rootId = null;
        List<String> topNames = allNames(t, null);
        assertThat(topNames).contains(root);
        for (String cursor = null;;) {
            JsonNode page = hub.get(t.connectionPath() + "/folders" + (cursor == null ? "" : "?cursor="
                    + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), t.key()).json();
            for (JsonNode f : page.path("folders")) {
                if (f.path("name").asText().equals(root)) {
                    rootId = f.path("id").asText();
                    assertThat(f.path("path").asText()).isEqualTo("/" + root);
                }
            }
            if (rootId != null || !page.path("nextCursor").isTextual()) {
                break;
            }
            cursor = page.path("nextCursor").asText();
        }
        assertThat(rootId).isNotNull();

        JsonNode jobs = hub.get(t.connectionPath() + "/folders?parentId=" + rootId, t.key()).json();
        assertThat(jobs.path("parent").path("path").asText()).isEqualTo("/" + root);
        JsonNode job = jobs.path("folders").get(0);
        assertThat(job.path("path").asText()).isEqualTo("/" + root + "/JOB-7 Smith");
        List<String> subFolders = allNames(t, job.path("id").asText());
        assertThat(subFolders).containsExactlyInAnyOrder("Quotes", "Purchase Orders", "Invoices", "QA", "Photos", "Emails")
                .doesNotContain("readme.txt");
        assertThat(pages).as("seven children (six folders, one file) in pages of two").isEqualTo(4);
    }

    @Test
    void shouldRefuseCursorsItDidNotHandOutAndOtherTenantsAndConnectionsWithoutFolders() {
        Tenant t = connect("onedrive");
        String foreign = Base64.getUrlEncoder().encodeToString("http://evil.example/steal".getBytes(StandardCharsets.UTF_8));
        HubClient.Response r = hub.get(t.connectionPath() + "/folders?cursor=" + foreign, t.key());
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("cursor");
        assertThat(hub.get(t.connectionPath() + "/folders?cursor=%25%25", t.key()).status()).isEqualTo(400);
        assertThat(hub.get(t.connectionPath() + "/folders?parentId=" + URLEncoder.encode("../../me", StandardCharsets.UTF_8),
                t.key()).status()).isEqualTo(400);
        assertThat(hub.get(t.connectionPath() + "/folders?parentId=NOSUCHITEM123", t.key()).status()).isEqualTo(404);
        assertThat(MICROSOFT.calls().stream().noneMatch(c -> c.path().contains("evil"))).isTrue();

        Tenant other = connect("outlook-calendar");
        assertThat(hub.get(t.connectionPath() + "/folders", other.key()).status()).isEqualTo(404);
        assertThat(hub.get(other.connectionPath() + "/folders", other.key()).status()).isEqualTo(422);
    }
}
