package io.integrationhub.platform.sync;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.KafkaProbe;

/**
 * A page whose records are mostly unchanged (PostgreSQL, the set-based upsert): the unchanged ones keep their
 * {@code updatedAt} (no version change, not listed by {@code modifiedAfter}) and announce nothing, yet are marked as
 * seen; the changed ones are updated and announced, each once, in page order.
 */
class SyncUnchangedRecordsTest extends SyncTestBase {

    private static final int N = 30;

    /** One page of HubSpot contacts 1..N; those named in {@code changed} with another e-mail address. */
    private static void onePage(Set<Integer> changed) {
        List<String> contacts = new ArrayList<>();
        for (int i = 1; i <= N; i++) {
            contacts.add(SyncRunsTest.contact(String.valueOf(i), (changed.contains(i) ? "new-" : "") + "p" + i + "@example.com",
                    "2026-02-01T10:00:00Z"));
        }
        PROVIDER.resetAll();
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts"))
                .withHeader("Authorization", equalTo("Bearer token-1"))
                .willReturn(okJson("{\"results\":[" + String.join(",", contacts) + "]}")));
    }

    private Map<String, JsonNode> byExternalId(Tenant t, String query) {
        Map<String, JsonNode> all = new HashMap<>();
        records(t, "contact", "?limit=100" + query).path("records").forEach(r -> all.put(r.path("externalId").asText(), r));
        return all;
    }

    @Test
    void shouldLeaveUnchangedRecordsOfAPageAsTheyWereAndAnnounceOnlyTheChangedOnes() {
        Tenant t = tenantWith("hubspot");
        onePage(Set.of());
        JsonNode first = awaitStatus(t, startSync(t, "{\"entity\":\"contact\",\"mode\":\"full\"}"), "succeeded");
        assertThat(first.path("created").asLong()).isEqualTo(N);
        Map<String, JsonNode> before = byExternalId(t, "");
        assertThat(before).hasSize(N);
        // Every stored updatedAt lies before this, every one the second run writes after it.
        Instant between = Instant.now();

        // The last record of the page is a changed one: an event of an unchanged record would be read before it.
        onePage(Set.of(5, 17, N));
        try (KafkaProbe changes = new KafkaProbe(kafka, "hub.records.changes")) {
            JsonNode second = awaitStatus(t, startSync(t, "{\"entity\":\"contact\",\"mode\":\"full\"}"), "succeeded");
            assertThat(second.path("recordsProcessed").asLong()).isEqualTo(N);
            assertThat(second.path("created").asLong()).isZero();
            assertThat(second.path("updated").asLong()).isEqualTo(3);
            assertThat(second.path("deleted").asLong()).isZero();

            String key = t.connectionId().toString();
            List<String> events = changes.collect(read -> read.stream().anyMatch(k -> key.equals(k.key())
                    && k.value().path("data").path("externalId").asText().equals(String.valueOf(N))))
                    .stream().filter(k -> key.equals(k.key()))
                    .map(k -> k.value().path("type").asText().replace("io.integrationhub.", "") + ":"
                            + k.value().path("data").path("externalId").asText())
                    .toList();
            assertThat(events).containsExactly("record.updated:5", "record.updated:17", "record.updated:" + N);
        }

        Map<String, JsonNode> after = byExternalId(t, "");
        assertThat(after).hasSize(N);
        for (int i = 1; i <= N; i++) {
            JsonNode was = before.get(String.valueOf(i));
            JsonNode now = after.get(String.valueOf(i));
            assertThat(now.path("id").asText()).isEqualTo(was.path("id").asText());
            assertThat(Instant.parse(now.path("lastSeenAt").asText())).isAfter(between);
            if (Set.of(5, 17, N).contains(i)) {
                assertThat(now.path("data").path("email").asText()).isEqualTo("new-p" + i + "@example.com");
                assertThat(Instant.parse(now.path("updatedAt").asText())).isAfter(between);
            } else {
                assertThat(now.path("data")).isEqualTo(was.path("data"));
                assertThat(now.path("updatedAt").asText()).isEqualTo(was.path("updatedAt").asText());
            }
        }
        assertThat(byExternalId(t, "&modifiedAfter=" + between).keySet()).containsExactlyInAnyOrder("5", "17", String.valueOf(N));
    }
}
