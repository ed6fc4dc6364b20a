package io.integrationhub.provider.microsoft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.provider.microsoft.sandbox.GraphCalendarSim;
import io.integrationhub.provider.microsoft.sandbox.GraphDriveSim;
import io.integrationhub.provider.microsoft.sandbox.GraphMailSim;
import io.integrationhub.support.HubClient;

/**
 * The Microsoft family's mappings are files in its folder (routes/microsoft/mappings/): an engineer edits one on a
 * running hub and the next calendar push, and the next synced record, follow the edited file — no rebuild, no
 * restart. The test context loads a copy of routes/ ({@link MicrosoftTestBase#ROUTES}); each test restores the file.
 */
class MicrosoftMappingFilesTest extends MicrosoftTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String edit(String mapping, String from, String to) throws IOException {
        Path file = ROUTES.resolve("microsoft/mappings/" + mapping);
        String original = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(original).contains(from);
        Files.writeString(file, original.replace(from, to), StandardCharsets.UTF_8);
        return original;
    }

    private static void restore(String mapping, String original) throws IOException {
        Files.writeString(ROUTES.resolve("microsoft/mappings/" + mapping), original, StandardCharsets.UTF_8);
    }

    private HubClient.Response upsert(Tenant t, String localRef, String status) {
        return action(t, "upsert-event", JSON.createObjectNode().put("localRef", localRef).put("subject", "Site visit")
                .put("start", "2026-03-10T09:00:00+01:00").put("end", "2026-03-10T10:00:00+01:00").put("status", status)
                .toString());
    }

    @Test
    void shouldPushTheNextCalendarEventThroughAnEditedMappingWithoutARestart() throws IOException {
        Tenant t = connect("outlook-calendar");
        HubClient.Response before = upsert(t, "job-1", "confirmed");
        assertThat(before.status()).as(before.body()).isEqualTo(200);
        GraphCalendarSim outlook = MICROSOFT.graph().part(GraphCalendarSim.class);
        assertThat(outlook.event(before.json().path("externalId").asText()).path("showAs").asText()).isEqualTo("busy");

        String original = edit("calendar-event.jsonata", "? \"busy\" : \"tentative\"", "? \"oof\" : \"free\"");
        try {
            HubClient.Response after = upsert(t, "job-2", "confirmed");
            assertThat(after.status()).as(after.body()).isEqualTo(200);
            JsonNode event = outlook.event(after.json().path("externalId").asText());
            assertThat(event.path("showAs").asText()).isEqualTo("oof");
            HubClient.Response tentative = upsert(t, "job-3", "pencilled");
            assertThat(outlook.event(tentative.json().path("externalId").asText()).path("showAs").asText()).isEqualTo("free");
        } finally {
            restore("calendar-event.jsonata", original);
        }
        HubClient.Response restored = upsert(t, "job-4", "confirmed");
        assertThat(outlook.event(restored.json().path("externalId").asText()).path("showAs").asText()).isEqualTo("busy");
    }

    @Test
    void shouldSyncTheNextRecordThroughAnEditedMappingWithoutARestart() throws IOException {
        String root = "Mapped-" + UUID.randomUUID();
        Tenant t = connect("onedrive", "{\"rootPath\":\"" + root + "\",\"subFolders\":[\"Quotes\"]}");
        assertThat(action(t, "ensure-job-folders", "{\"jobRef\":\"JOB-7\"}").status()).isEqualTo(200);
        GraphDriveSim drive = MICROSOFT.graph().part(GraphDriveSim.class);
        drive.putFile(root + "/JOB-7/Quotes/first.pdf", new byte[] {1});
        sync(t);
        assertThat(file(t, "first.pdf").has("kind")).isFalse();

        String original = edit("drive-item.jsonata", "\"webUrl\": $v(webUrl),", "\"webUrl\": $v(webUrl), \"kind\": \"edited\",");
        try {
            drive.putFile(root + "/JOB-7/Quotes/second.pdf", new byte[] {2});
            sync(t);
            assertThat(file(t, "second.pdf").path("kind").asText()).isEqualTo("edited");
        } finally {
            restore("drive-item.jsonata", original);
        }
    }

    @Test
    void shouldCaptureTheNextEmailThroughAnEditedMappingWithoutARestart() throws IOException {
        Tenant t = connect("outlook");
        GraphMailSim mail = MICROSOFT.graph().part(GraphMailSim.class);
        String before = mail.put("inbox", GraphMailSim.Incoming.of("someone@client.example", "Before the edit", "<p>x</p>"));
        sync(t, "email");
        assertThat(email(t, before).has("kind")).isFalse();

        String original = edit("message.jsonata", "{ \"webLink\": $text(webLink, null) }",
                "{ \"webLink\": $text(webLink, null), \"kind\": \"edited\" }");
        try {
            String after = mail.put("inbox", GraphMailSim.Incoming.of("someone@client.example", "After the edit", "<p>x</p>"));
            sync(t, "email");
            assertThat(email(t, after).path("kind").asText()).isEqualTo("edited");
            assertThat(email(t, after).path("subject").asText()).isEqualTo("After the edit");
        } finally {
            restore("message.jsonata", original);
        }
    }

    private JsonNode email(Tenant t, String id) {
        JsonNode records = hub.get(t.connectionPath() + "/records/email?limit=1000", t.key()).json().path("records");
        for (JsonNode record : records) {
            if (record.path("externalId").asText().equals(id)) {
                return record.path("data");
            }
        }
        throw new AssertionError("no email record " + id + " in " + records);
    }

    private void sync(Tenant t) {
        sync(t, "file");
    }

    private void sync(Tenant t, String entity) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode run : hub.get(t.connectionPath() + "/syncs", t.key()).json()) {
                if (!List.of("succeeded", "failed", "cancelled").contains(run.path("status").asText())) {
                    return false;
                }
            }
            return true;
        });
        HubClient.Response queued = hub.post(t.connectionPath() + "/syncs", t.key(), "{\"entity\":\"" + entity
                + "\",\"mode\":\"incremental\"}");
        assertThat(queued.status()).as(queued.body()).isEqualTo(202);
        String id = queued.json().path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("succeeded", "failed")
                .contains(hub.get("/api/v1/syncs/" + id, t.key()).json().path("status").asText()));
        assertThat(hub.get("/api/v1/syncs/" + id, t.key()).json().path("status").asText()).isEqualTo("succeeded");
    }

    private JsonNode file(Tenant t, String name) {
        return hub.get(t.connectionPath() + "/records/file?limit=100", t.key()).json().path("records").findValues("data")
                .stream().filter(d -> d.path("name").asText().equals(name)).findFirst().orElseThrow();
    }
}
