package io.integrationhub.provider.microsoft.onedrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.webhook.subscription.ProviderSubscription;
import io.integrationhub.platform.webhook.subscription.SubscriptionStore;
import io.integrationhub.provider.microsoft.sandbox.GraphDriveSim;
import io.integrationhub.provider.microsoft.sandbox.GraphSubscriptionsSim;
import io.integrationhub.support.HubClient;
import io.integrationhub.provider.microsoft.MicrosoftTestBase;

/** Listing of file and folder records from Graph's delta; 410 restarts; drive change notifications. */
class OneDriveDeltaTest extends MicrosoftTestBase {

    @Autowired
    SubscriptionStore subscriptionStore;

    GraphDriveSim drive() {
        return MICROSOFT.graph().part(GraphDriveSim.class);
    }

    @AfterEach
    void defaultPages() {
        drive().deltaPageSize(200);
    }

    record Setup(Tenant tenant, String root) {
    }

    Setup drive(String jobRef) {
        String root = "Delta-" + UUID.randomUUID();
        Tenant t = connect("onedrive", "{\"rootPath\":\"" + root + "\",\"subFolders\":[\"Quotes\",\"Invoices\"]}");
        assertThat(action(t, "ensure-job-folders", "{\"jobRef\":\"" + jobRef + "\"}").status()).isEqualTo(200);
        return new Setup(t, root);
    }

    JsonNode sync(Tenant t, String entity, String mode) {
        HubClient.Response queued = hub.post(t.connectionPath() + "/syncs", t.key(),
                "{\"entity\":\"" + entity + "\",\"mode\":\"" + mode + "\"}");
        assertThat(queued.status()).as(queued.body()).isEqualTo(202);
        String id = queued.json().path("id").asText();
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            run[0] = hub.get("/api/v1/syncs/" + id, t.key()).json();
            return List.of("succeeded", "failed", "cancelled").contains(run[0].path("status").asText());
        });
        assertThat(run[0].path("status").asText()).as(run[0].toString()).isEqualTo("succeeded");
        return run[0];
    }

    /** Record name → deleted flag. */
    Map<String, Boolean> records(Tenant t, String model) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = hub.get(t.connectionPath() + "/records/" + model + "?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor), t.key()).json();
            page.path("records").forEach(all::add);
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText(null);
        } while (cursor != null);
        return all.stream().collect(Collectors.toMap(r -> r.path("data").path("name").asText(r.path("externalId").asText()),
                r -> r.path("deleted").asBoolean(), (a, b) -> a || b));
    }

    @Test
    void shouldListFilesAndFoldersFromTheDeltaAndFollowItsChanges() {
        Setup s = drive("JOB-20");
        drive().putFile(s.root() + "/JOB-20/Quotes/quote.pdf", new byte[] {1});
        drive().putFile(s.root() + "/JOB-20/Invoices/inv.pdf", new byte[] {2, 3});
        drive().putFile(s.root() + "/JOB-20/site.jpg", new byte[] {4});
        drive().deltaPageSize(2);
        MICROSOFT.graph().clearCalls();

        JsonNode first = sync(s.tenant(), "file", "incremental");
        assertThat(first.path("created").asInt()).isEqualTo(3);
        assertThat(records(s.tenant(), "file")).containsOnlyKeys("quote.pdf", "inv.pdf", "site.jpg").doesNotContainValue(true);
        JsonNode quote = hub.get(s.tenant().connectionPath() + "/records/file", s.tenant().key()).json().path("records")
                .findValues("data").stream().filter(d -> d.path("name").asText().equals("quote.pdf")).findFirst().orElseThrow();
        assertThat(quote.path("path").asText()).isEqualTo("/" + s.root() + "/JOB-20/Quotes/quote.pdf");
        assertThat(quote.path("size").asLong()).isEqualTo(1);
        assertThat(quote.has("@microsoft.graph.downloadUrl")).isFalse();
        assertThat(MICROSOFT.calls().stream().filter(c -> c.path().endsWith("/delta")).count())
                .as("paged through nextLink").isGreaterThan(1);

        sync(s.tenant(), "folder", "incremental");
        assertThat(records(s.tenant(), "folder")).containsOnlyKeys("JOB-20", "Quotes", "Invoices");

        String siteId = drive().itemAt(s.root() + "/JOB-20/site.jpg").orElseThrow().path("id").asText();
        drive().delete(siteId);
        drive().putFile(s.root() + "/JOB-20/Quotes/quote-2.pdf", new byte[] {5});
        MICROSOFT.graph().clearCalls();
        JsonNode next = sync(s.tenant(), "file", "incremental");
        assertThat(next.path("created").asInt()).isEqualTo(1);
        assertThat(next.path("deleted").asInt()).isEqualTo(1);
        assertThat(records(s.tenant(), "file")).containsEntry("site.jpg", true).containsEntry("quote-2.pdf", false)
                .containsEntry("quote.pdf", false);
        assertThat(MICROSOFT.calls()).as("continued from the deltaLink")
                .anyMatch(c -> c.path().endsWith("/delta") && c.rawQuery() != null && c.rawQuery().startsWith("token=d."));
    }

    @Test
    void shouldRestartFromAFullEnumerationWhenTheDeltaTokenIsGone() {
        Setup s = drive("JOB-21");
        drive().putFile(s.root() + "/JOB-21/Quotes/a.pdf", new byte[] {1});
        drive().putFile(s.root() + "/JOB-21/Quotes/b.pdf", new byte[] {2});
        sync(s.tenant(), "file", "incremental");
        assertThat(records(s.tenant(), "file")).containsOnlyKeys("a.pdf", "b.pdf");

        drive().delete(drive().itemAt(s.root() + "/JOB-21/Quotes/a.pdf").orElseThrow().path("id").asText());
        drive().putFile(s.root() + "/JOB-21/Quotes/c.pdf", new byte[] {3});
        drive().expireDeltaTokens();
        MICROSOFT.graph().clearCalls();
        JsonNode run = sync(s.tenant(), "file", "incremental");

        assertThat(MICROSOFT.calls()).anyMatch(c -> c.path().endsWith("/delta") && c.status() == 410);
        assertThat(records(s.tenant(), "file")).containsEntry("a.pdf", true).containsEntry("b.pdf", false)
                .containsEntry("c.pdf", false);
        assertThat(run.path("deleted").asInt()).isEqualTo(1);

        // The restarted enumeration saved a fresh deltaLink: the next run is incremental again.
        MICROSOFT.graph().clearCalls();
        sync(s.tenant(), "file", "incremental");
        assertThat(MICROSOFT.calls()).noneMatch(c -> c.status() == 410)
                .anyMatch(c -> c.path().endsWith("/delta") && c.rawQuery() != null && c.rawQuery().startsWith("token=d."));
    }

    @Test
    void shouldSubscribeToTheDriveRootAndSyncWhenGraphNotifiesAChange() {
        Setup s = drive("JOB-22");
        ProviderSubscription stored = subscriptionStore.forConnection(s.tenant().id(), s.tenant().connectionId()).stream()
                .filter(sub -> sub.resource().equals("me/drive/root")).findFirst().orElseThrow();
        ObjectNode subscription = MICROSOFT.graph().part(GraphSubscriptionsSim.class).subscriptions().get(stored.externalId());
        assertThat(subscription.path("notificationUrl").asText()).endsWith("/webhooks/onedrive");
        assertThat(subscription.path("changeType").asText()).isEqualTo("updated");
        drive().putFile(s.root() + "/JOB-22/Quotes/notified.pdf", new byte[] {9});

        String notification = "{\"value\":[{\"id\":\"" + UUID.randomUUID() + "\",\"subscriptionId\":\""
                + subscription.path("id").asText() + "\",\"clientState\":\"" + subscription.path("clientState").asText()
                + "\",\"changeType\":\"updated\",\"resource\":\"me/drive/root\",\"tenantId\":\"t\","
                + "\"subscriptionExpirationDateTime\":\"" + subscription.path("expirationDateTime").asText() + "\"}]}";
        HubClient.Response accepted = hub.post("/webhooks/onedrive", null, notification);
        assertThat(accepted.status()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(30)).until(() -> records(s.tenant(), "file").containsKey("notified.pdf")
                && records(s.tenant(), "folder").containsKey("Quotes"));
    }
}
