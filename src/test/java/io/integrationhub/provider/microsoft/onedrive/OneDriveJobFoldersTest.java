package io.integrationhub.provider.microsoft.onedrive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.provider.microsoft.sandbox.GraphDriveSim;
import io.integrationhub.provider.microsoft.sandbox.GraphSimulator;
import io.integrationhub.support.HubClient;
import io.integrationhub.provider.microsoft.MicrosoftTestBase;

/** Action ensure-job-folders: created once, found again (by id, also after a rename; by path after a 409). */
class OneDriveJobFoldersTest extends MicrosoftTestBase {

    static final List<String> TEMPLATE = List.of("Quotes", "Purchase Orders", "Invoices", "QA", "Photos", "Emails");

    GraphDriveSim drive() {
        return MICROSOFT.graph().part(GraphDriveSim.class);
    }

    static String rootConfig(String root) {
        return "{\"rootPath\":\"" + root + "\"}";
    }

    @Test
    void shouldCreateTheJobFoldersOnceAndMakeNoNewFolderOnRepeat() {
        String root = "Jobs-" + UUID.randomUUID();
        Tenant t = connect("onedrive", rootConfig(root));
        MICROSOFT.graph().clearCalls();

        HubClient.Response first = action(t, "ensure-job-folders", "{\"jobRef\":\"JOB-1\",\"name\":\"Smith kitchen\"}");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        JsonNode r = first.json().path("response");
        assertThat(r.path("folderName").asText()).isEqualTo("JOB-1 Smith kitchen");
        assertThat(first.json().path("externalId").asText()).isEqualTo(r.path("folderId").asText());
        JsonNode job = drive().itemAt(root + "/JOB-1 Smith kitchen").orElseThrow();
        assertThat(job.path("id").asText()).isEqualTo(r.path("folderId").asText());
        assertThat(drive().childNames(job.path("id").asText())).containsExactlyInAnyOrderElementsOf(TEMPLATE);
        for (String sub : TEMPLATE) {
            assertThat(r.path("subFolders").path(sub).asText())
                    .isEqualTo(drive().itemAt(root + "/JOB-1 Smith kitchen/" + sub).orElseThrow().path("id").asText());
        }
        assertThat(r.path("created")).hasSize(8); // root, job folder, six sub-folders
        long creates = MICROSOFT.calls().stream().filter(c -> c.method().equals("POST") && c.path().endsWith("/children")
                && c.status() == 201).count();
        assertThat(creates).isEqualTo(8);

        MICROSOFT.graph().clearCalls();
        HubClient.Response again = action(t, "ensure-job-folders", "{\"jobRef\":\"JOB-1\",\"name\":\"Smith kitchen\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("response").path("folderId").asText()).isEqualTo(r.path("folderId").asText());
        assertThat(again.json().path("response").path("subFolders")).isEqualTo(r.path("subFolders"));
        assertThat(again.json().path("response").path("created")).isEmpty();
        assertThat(MICROSOFT.calls()).as("no folder created or renamed on repeat")
                .noneMatch(c -> !c.method().equals("GET"));
        assertThat(drive().childNames(drive().itemAt(root).orElseThrow().path("id").asText()))
                .containsExactly("JOB-1 Smith kitchen");
    }

    @Test
    void shouldKeepAFolderTheUserRenamedAndRecreateOneTheUserDeleted() {
        String root = "Jobs-" + UUID.randomUUID();
        Tenant t = connect("onedrive", rootConfig(root));
        String id = action(t, "ensure-job-folders", "{\"jobRef\":\"JOB-2\",\"name\":\"Jones\"}").json()
                .path("response").path("folderId").asText();
        drive().rename(id, "JOB-2 Jones (bathroom)");

        MICROSOFT.graph().clearCalls();
        JsonNode renamed = action(t, "ensure-job-folders", "{\"jobRef\":\"JOB-2\",\"name\":\"Jones\"}").json().path("response");
        assertThat(renamed.path("folderId").asText()).isEqualTo(id);
        assertThat(renamed.path("folderName").asText()).isEqualTo("JOB-2 Jones (bathroom)");
        assertThat(MICROSOFT.calls()).noneMatch(c -> c.method().equals("POST") || c.method().equals("PATCH"));

        drive().delete(id);
        JsonNode recreated = action(t, "ensure-job-folders", "{\"jobRef\":\"JOB-2\",\"name\":\"Jones\"}").json().path("response");
        assertThat(recreated.path("folderId").asText()).isNotEqualTo(id);
        assertThat(drive().itemAt(root + "/JOB-2 Jones/Photos")).isPresent();
    }

    @Test
    void shouldFindFoldersThatExistWithoutALinkAfterNameAlreadyExists() {
        String root = "Shared-" + UUID.randomUUID();
        Tenant first = connect("onedrive", rootConfig(root));
        JsonNode made = action(first, "ensure-job-folders", "{\"jobRef\":\"JOB-3\"}").json().path("response");

        // A second connection to the same drive has no links: creating answers 409 and the folder is looked up.
        Tenant second = connect("onedrive", rootConfig(root));
        MICROSOFT.graph().clearCalls();
        HubClient.Response found = action(second, "ensure-job-folders", "{\"jobRef\":\"JOB-3\"}");
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.json().path("response").path("folderId").asText()).isEqualTo(made.path("folderId").asText());
        assertThat(found.json().path("response").path("subFolders")).isEqualTo(made.path("subFolders"));
        assertThat(found.json().path("response").path("created")).isEmpty();
        List<GraphSimulator.Call> creates = MICROSOFT.calls().stream()
                .filter(c -> c.method().equals("POST") && c.path().endsWith("/children")).toList();
        assertThat(creates).isNotEmpty().allSatisfy(c -> assertThat(c.status()).isEqualTo(409));
        assertThat(drive().childNames(drive().itemAt(root).orElseThrow().path("id").asText())).containsExactly("JOB-3");
    }

    @Test
    void shouldUseTheConnectionsSubFolderTemplate() {
        String root = "Clients-" + UUID.randomUUID() + "/Jobs";
        Tenant t = connect("onedrive", "{\"rootPath\":\"" + root + "\",\"subFolders\":[\"Drawings\",\"Site photos\"]}");
        JsonNode r = action(t, "ensure-job-folders", "{\"jobRef\":\"JOB-4\",\"name\":\"A/B: test\"}").json().path("response");
        assertThat(r.path("folderName").asText()).isEqualTo("JOB-4 A_B_ test");
        assertThat(drive().childNames(r.path("folderId").asText())).containsExactlyInAnyOrder("Drawings", "Site photos");
        assertThat(drive().itemAt(root + "/JOB-4 A_B_ test/Site photos")).isPresent();
    }

    @Test
    void shouldRefuseBadInputAndBadConfig() {
        Tenant t = connect("onedrive", rootConfig("Jobs-" + UUID.randomUUID()));
        HubClient.Response missing = action(t, "ensure-job-folders", "{\"name\":\"x\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(missing.json().path("errors").get(0).path("field").asText()).isEqualTo("/jobRef");
        assertThat(action(t, "ensure-job-folders", "{\"jobRef\":42}").status()).isEqualTo(400);

        HubClient.Response badConfig = hub.patch(t.connectionPath(), t.key(),
                "{\"config\":{\"subFolders\":[\"ok\",\"no/slash\"],\"conflictBehavior\":\"overwrite\"}}");
        assertThat(badConfig.status()).isEqualTo(422);
        assertThat(badConfig.body()).contains("/config/subFolders/1").contains("/config/conflictBehavior");
    }
}
