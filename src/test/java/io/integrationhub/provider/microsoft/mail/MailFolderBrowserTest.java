package io.integrationhub.provider.microsoft.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.provider.microsoft.sandbox.GraphMailSim;
import io.integrationhub.support.HubClient;
import io.integrationhub.provider.microsoft.MicrosoftTestBase;

/** GET /connections/{id}/folders for Outlook: the mailbox's folders, for choosing captured folders. */
class MailFolderBrowserTest extends MicrosoftTestBase {

    @Test
    void shouldListTheMailboxFoldersAndAFoldersChildren() {
        String projects = MICROSOFT.graph().part(GraphMailSim.class).addFolder("Projects 2026");
        Tenant t = connect("outlook");

        HubClient.Response top = hub.get(t.connectionPath() + "/folders", t.key());
        assertThat(top.status()).as(top.body()).isEqualTo(200);
        assertThat(top.json().path("parent").path("path").asText()).isEqualTo("/");
        List<String> paths = new ArrayList<>();
        top.json().path("folders").forEach(f -> paths.add(f.path("path").asText()));
        assertThat(paths).contains("/Inbox", "/Sent Items", "/Projects 2026");

        JsonNode children = hub.get(t.connectionPath() + "/folders?parentId=" + projects, t.key()).json();
        assertThat(children.path("parent").path("name").asText()).isEqualTo("Projects 2026");
        assertThat(children.path("parent").path("path").asText()).isEqualTo("/Projects 2026");
        assertThat(children.path("folders")).isEmpty();

        // The chosen id is what config.mail.folders takes.
        assertThat(hub.patch(t.connectionPath(), t.key(), "{\"config\":{\"mail\":{\"folders\":[\"" + projects + "\"]}}}")
                .status()).isEqualTo(200);
    }

    @Test
    void shouldAnswerUnknownAndMalformedFolderIdsWithProblems() {
        Tenant t = connect("outlook");
        HubClient.Response unknown = hub.get(t.connectionPath() + "/folders?parentId=AAMkNoSuchFolder", t.key());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(hub.get(t.connectionPath() + "/folders?parentId=..%2F..%2Fme", t.key()).status()).isEqualTo(400);
    }
}
