package io.integrationhub.provider.microsoft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.provider.microsoft.sandbox.GraphDriveSim;
import io.integrationhub.support.HubClient;

/**
 * A OneDrive delta sync is route sync.run paging through route onedrive.file.page: Jolokia (what Hawtio reads) counts
 * one exchange of the page route and of the run's page node (sync.run.page) per Graph delta page.
 */
class SyncRouteStatisticsTest extends MicrosoftTestBase {

    GraphDriveSim drive() {
        return MICROSOFT.graph().part(GraphDriveSim.class);
    }

    @AfterEach
    void defaultPages() {
        drive().deltaPageSize(200);
    }

    @Autowired
    CamelContext camel;

    long exchangesTotal(String type, String name) {
        // this context's own MBeans: other test contexts in the JVM registered theirs first under other names
        HubClient.Response r = hub.get("/actuator/jolokia/read/org.apache.camel:context=" + camel.getManagementName() + ",type=" + type
                + ",name=%22" + name + "%22/ExchangesTotal", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode value = r.json().path("value");
        assertThat(value.isNumber()).as(r.body()).isTrue();
        return value.asLong();
    }

    @Test
    void shouldCountOneExchangePerDeltaPageOnThePageRouteAndTheRunsPageNode() {
        String root = "Stats-" + UUID.randomUUID();
        Tenant t = connect("onedrive", "{\"rootPath\":\"" + root + "\",\"subFolders\":[\"Quotes\",\"Invoices\"]}");
        assertThat(action(t, "ensure-job-folders", "{\"jobRef\":\"JOB-30\"}").status()).isEqualTo(200);
        for (int i = 1; i <= 5; i++) {
            drive().putFile(root + "/JOB-30/Quotes/quote-" + i + ".pdf", new byte[] {(byte) i});
        }
        drive().deltaPageSize(2);
        long routeBefore = exchangesTotal("routes", "onedrive.file.page");
        long nodeBefore = exchangesTotal("processors", "sync.run.page");
        long runsBefore = exchangesTotal("routes", "sync.run");
        MICROSOFT.graph().clearCalls();

        HubClient.Response queued = hub.post(t.connectionPath() + "/syncs", t.key(), "{\"entity\":\"file\",\"mode\":\"full\"}");
        assertThat(queued.status()).as(queued.body()).isEqualTo(202);
        String id = queued.json().path("id").asText();
        JsonNode[] run = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            run[0] = hub.get("/api/v1/syncs/" + id, t.key()).json();
            return List.of("succeeded", "failed", "cancelled").contains(run[0].path("status").asText());
        });
        assertThat(run[0].path("status").asText()).as(run[0].toString()).isEqualTo("succeeded");
        assertThat(run[0].path("created").asInt()).isEqualTo(5);

        long pages = MICROSOFT.calls().stream().filter(c -> c.path().endsWith("/delta")).count();
        assertThat(pages).as("Graph delta pages of two items").isGreaterThanOrEqualTo(3);
        assertThat(exchangesTotal("routes", "onedrive.file.page") - routeBefore).as("page route exchanges").isEqualTo(pages);
        assertThat(exchangesTotal("processors", "sync.run.page") - nodeBefore).as("sync.run.page node exchanges")
                .isEqualTo(pages);
        assertThat(exchangesTotal("routes", "sync.run") - runsBefore).as("one sync.run exchange per run").isEqualTo(1);
    }
}
