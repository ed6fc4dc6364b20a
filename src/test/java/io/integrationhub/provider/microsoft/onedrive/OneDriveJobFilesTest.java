package io.integrationhub.provider.microsoft.onedrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.provider.microsoft.sandbox.GraphDriveSim;
import io.integrationhub.provider.microsoft.sandbox.GraphSimulator;
import io.integrationhub.provider.microsoft.graph.JobFiles;
import io.integrationhub.provider.microsoft.MicrosoftTestBase;

/** The Java API other families use to file things in a job's OneDrive folders (mail attachments). */
class OneDriveJobFilesTest extends MicrosoftTestBase {

    @Autowired
    JobFiles jobFiles;

    GraphDriveSim drive() {
        return MICROSOFT.graph().part(GraphDriveSim.class);
    }

    @Test
    void shouldFindTheTenantsDriveConnectionAndEnsureTheJobsFoldersOnce() {
        Tenant t = connect("onedrive", "{\"rootPath\":\"JobFiles-" + UUID.randomUUID() + "\"}");
        assertThat(jobFiles.driveConnection(t.id())).contains(t.connectionId());
        assertThat(jobFiles.driveConnection(UUID.fromString(newTenant().path("id").asText()))).isEmpty();
        String root = hub.get(t.connectionPath(), t.key()).json().path("config").path("rootPath").asText();

        String emails = jobFiles.ensureFolder(t.id(), t.connectionId(), "JOB-7", "Emails");
        assertThat(drive().itemAt(root + "/JOB-7/Emails")).hasValueSatisfying(f -> assertThat(f.path("id").asText())
                .isEqualTo(emails));
        assertThat(drive().childNames(drive().itemAt(root + "/JOB-7").orElseThrow().path("id").asText()))
                .containsExactlyInAnyOrder("Quotes", "Purchase Orders", "Invoices", "QA", "Photos", "Emails");

        MICROSOFT.graph().clearCalls();
        assertThat(jobFiles.ensureFolder(t.id(), t.connectionId(), "JOB-7", "Emails")).isEqualTo(emails);
        assertThat(MICROSOFT.calls()).noneMatch(c -> c.method().equals("POST"));
    }

    @Test
    void shouldUploadSmallFilesInOnePutAndLargeOnesThroughAnUploadSession() throws Exception {
        Tenant t = connect("onedrive", "{\"rootPath\":\"JobFiles-" + UUID.randomUUID() + "\"}");
        byte[] small = "attachment body".getBytes();
        JsonNode note = jobFiles.upload(t.id(), t.connectionId(), "JOB-8", "Emails", "note.txt", "text/plain",
                new ByteArrayInputStream(small), small.length);
        assertThat(note.path("name").asText()).isEqualTo("note.txt");
        assertThat(note.has("@microsoft.graph.downloadUrl")).as("pre-authenticated URL kept inside").isFalse();
        assertThat(Files.readAllBytes(drive().content(note.path("id").asText()))).isEqualTo(small);

        byte[] large = new byte[5 * 1024 * 1024 + 123];
        new Random(7).nextBytes(large);
        MICROSOFT.graph().clearCalls();
        JsonNode scan = jobFiles.upload(t.id(), t.connectionId(), "JOB-8", "Emails", "scan.pdf", "application/pdf",
                new ByteArrayInputStream(large), large.length);
        assertThat(scan.path("size").asLong()).isEqualTo(large.length);
        assertThat(Files.readAllBytes(drive().content(scan.path("id").asText()))).isEqualTo(large);
        List<GraphSimulator.Call> fragments = MICROSOFT.calls().stream()
                .filter(c -> c.method().equals("PUT") && c.path().startsWith("/upload-sessions/")).toList();
        assertThat(MICROSOFT.calls()).anyMatch(c -> c.path().endsWith(":/createUploadSession") && c.authorized());
        assertThat(fragments).hasSize(2).allSatisfy(c -> assertThat(c.authorized()).isFalse());
        assertThat(fragments.get(0).contentRange()).isEqualTo("bytes 0-3276799/" + large.length);
        assertThat(fragments.get(0).bodyBytes() % GraphDriveSim.FRAGMENT_UNIT).isZero();

        // A second file of the same name is renamed (the connection's default conflict behaviour).
        JsonNode again = jobFiles.upload(t.id(), t.connectionId(), "JOB-8", "Emails", "note.txt", "text/plain",
                new ByteArrayInputStream(small), small.length);
        assertThat(again.path("name").asText()).isEqualTo("note 1.txt");
    }

    @Test
    void shouldRefuseAnotherProvidersConnection() {
        Tenant t = connect("outlook");
        assertThatThrownBy(() -> jobFiles.ensureFolder(t.id(), t.connectionId(), "JOB-9", "Emails"))
                .isInstanceOf(ProblemException.class);
    }
}
