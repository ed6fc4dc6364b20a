package io.integrationhub.provider.notion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.SandboxHubTest;

/**
 * The zero-setup experience of the Notion family: with the provider sandbox on, Notion's OAuth goes to the
 * platform's consent page and its API to the family's own sandbox routes (routes/notion/sandbox.camel.yaml), so a
 * tenant connects, syncs the sandbox database's recipes and creates a page without any Notion account. The hub
 * listens on its public URL here, because the sandbox is reached through it.
 */
class NotionSandboxTest extends SandboxHubTest {

    static final String SANDBOX_DATABASE = "5a1e0000-0000-4000-8000-00000000d0b1";

    @Test
    void shouldConnectSyncAndCreateAPageAgainstTheSandboxWithNoNotionAccount() {
        String key = newTenantKey();
        HubClient.Response created = hub.post("/api/v1/connections", key,
                "{\"provider\":\"notion\",\"config\":{\"databaseId\":\"" + SANDBOX_DATABASE + "\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String authorize = created.json().path("authorizeUrl").asText();
        assertThat(authorize).startsWith(PUBLIC_URL + "/sandbox/notion/authorize?");

        // The consent page, "Approve", then the redirect back to the hub's callback.
        HubClient.Response consent = hub.get(URI.create(authorize).getRawPath() + "?" + URI.create(authorize).getRawQuery(), null);
        assertThat(consent.status()).isEqualTo(200);
        Matcher approve = Pattern.compile("id=\"approve\" href=\"([^\"]+)\"").matcher(consent.body());
        assertThat(approve.find()).as(consent.body()).isTrue();
        HubClient.Response decided = hub.get(approve.group(1).replace("&amp;", "&"), null);
        String callback = decided.header("Location");
        assertThat(callback).contains("/oauth/callback/notion?");
        HubClient.Response back = hub.get(URI.create(callback).getRawPath() + "?" + URI.create(callback).getRawQuery(), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        UUID id = UUID.fromString(created.json().path("id").asText());
        String path = "/api/v1/connections/" + id;
        await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(hub.get(path, key).json().path("status").asText()));
        assertThat(hub.get(path, key).json().path("account").path("name").asText()).isEqualTo("Sandbox Kitchen");

        HubClient.Response started = hub.post(path + "/syncs", key, "{\"entity\":\"page\",\"mode\":\"full\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String run = started.json().path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("succeeded", "failed")
                .contains(hub.get("/api/v1/syncs/" + run, key).json().path("status").asText()));
        JsonNode done = hub.get("/api/v1/syncs/" + run, key).json();
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.path("created").asLong()).isEqualTo(7);
        JsonNode records = hub.get(path + "/records/page?limit=100", key).json().path("records");
        assertThat(records).hasSize(7);
        assertThat(records.findValuesAsText("title")).contains("Sourdough loaf", "Caesar salad");

        HubClient.Response page = hub.post(path + "/actions/create-page", key,
                "{\"localRef\":\"menu-1\",\"data\":{\"title\":\"Winter menu\"}}");
        assertThat(page.status()).as(page.body()).isIn(200, 201);
        String pageId = page.json().path("externalId").asText();
        assertThat(pageId).startsWith("5a1e0000-");
        HubClient.Response again = hub.post(path + "/actions/create-page", key,
                "{\"localRef\":\"menu-1\",\"data\":{\"title\":\"Winter menu (v2)\"}}");
        assertThat(again.json().path("externalId").asText()).as(again.body()).isEqualTo(pageId);
    }

    @Test
    void shouldRefuseTheSandboxApiWithoutASandboxToken() {
        HubClient.Response r = hub.post("/sandbox/notion-api/v1/databases/" + SANDBOX_DATABASE + "/query", "not-a-token", "{}");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("code").asText()).isEqualTo("unauthorized");
    }
}
