package io.integrationhub.platform.sync;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.tenancy.TenantJdbc;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.KafkaProbe;

/** Queuing, running, listing and cancelling syncs over HTTP, with events on Kafka. */
class SyncRunsTest extends SyncTestBase {

    static String contact(String id, String email, String updatedAt) {
        return "{\"id\":\"" + id + "\",\"properties\":{\"email\":\"" + email + "\",\"firstname\":\"F" + id
                + "\",\"lastname\":\"L" + id + "\"},\"createdAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\"" + updatedAt
                + "\",\"archived\":false}";
    }

    /** Stubs HubSpot's contact list as pages of the given contacts (2 per page, cursor "after"). */
    static void contactPages(List<String> contacts) {
        for (int page = 0; page * 2 < contacts.size(); page++) {
            List<String> slice = contacts.subList(page * 2, Math.min(contacts.size(), page * 2 + 2));
            boolean more = (page + 1) * 2 < contacts.size();
            String body = "{\"results\":[" + String.join(",", slice) + "]" + (more
                    ? ",\"paging\":{\"next\":{\"after\":\"c" + (page + 1) + "\",\"link\":\"ignored\"}}" : "") + "}";
            PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts"))
                    .withQueryParam("after", page == 0 ? absent() : equalTo("c" + page))
                    .withHeader("Authorization", equalTo("Bearer token-1"))
                    .willReturn(okJson(body)));
        }
    }

    static List<String> contacts(int n, String suffix) {
        List<String> all = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            all.add(contact(String.valueOf(i), "p" + i + suffix + "@example.com", "2026-02-0" + (1 + i % 9) + "T10:00:00Z"));
        }
        return all;
    }

    @Test
    void shouldPullEveryCursorPageIntoRecordsAndAnnounceEachChange() {
        Tenant t = tenantWith("hubspot");
        contactPages(contacts(5, ""));
        try (KafkaProbe changes = new KafkaProbe(kafka, "hub.records.changes");
                KafkaProbe syncs = new KafkaProbe(kafka, "hub.syncs")) {
            HubClient.Response queued = hub.post("/api/v1/connections/" + t.connectionId() + "/syncs", t.key(),
                    "{\"entity\":\"contact\",\"mode\":\"full\"}");
            assertThat(queued.status()).isEqualTo(202);
            assertThat(queued.json().path("status").asText()).isEqualTo("queued");
            String runId = queued.json().path("id").asText();

            JsonNode run = awaitStatus(t, runId, "succeeded");
            assertThat(run.path("connectionId").asText()).isEqualTo(t.connectionId().toString());
            assertThat(run.path("entity").asText()).isEqualTo("contact");
            assertThat(run.path("direction").asText()).isEqualTo("pull");
            assertThat(run.path("mode").asText()).isEqualTo("full");
            assertThat(run.path("recordsProcessed").asLong()).isEqualTo(5);
            assertThat(run.path("created").asLong()).isEqualTo(5);
            assertThat(run.path("updated").asLong()).isZero();
            assertThat(run.path("errors").size()).isZero();
            assertThat(run.path("startedAt").isTextual()).isTrue();
            assertThat(run.path("completedAt").isTextual()).isTrue();

            JsonNode created = changes.await(t.connectionId().toString(),
                    e -> e.path("type").asText().equals("io.integrationhub.record.created")
                            && e.path("data").path("externalId").asText().equals("3"));
            assertThat(created.path("data").path("data").path("email").asText()).isEqualTo("p3@example.com");
            assertThat(created.path("tenantid").asText()).isEqualTo(t.id().toString());
            syncs.await(t.connectionId().toString(), e -> e.path("type").asText().equals("io.integrationhub.sync.finished")
                    && e.path("data").path("status").asText().equals("succeeded"));
        }
        JsonNode records = records(t, "contact", "?limit=10");
        assertThat(records.path("records").size()).isEqualTo(5);
        JsonNode first = records.path("records").get(0);
        assertThat(first.path("model").asText()).isEqualTo("contact");
        assertThat(first.path("data").path("firstName").asText()).startsWith("F");
        assertThat(first.path("deleted").asBoolean()).isFalse();
        assertThat(first.path("lastSeenAt").isTextual()).isTrue();
        assertThat(first.path("remoteUpdatedAt").isTextual()).isTrue();
        assertThat(records.path("nextCursor").isNull()).isTrue();
        assertThat(PROVIDER.findAll(getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts")))).hasSize(3);
    }

    @Test
    void shouldFailTheRunAtAPageWhoseCommitFailsAndCommitNoLaterPage() {
        // Pages are committed behind the next page's fetch (hub.sync.write-behind, two pages in flight): the 2nd page's
        // transaction fails (an id longer than records.external_id allows) while the 3rd page is already read and its
        // upsert may run beside it; the run fails with the database's refusal, the 1st page stays, and the 3rd, which
        // waits for the 2nd before it commits, is rolled back.
        Tenant t = tenantWith("hubspot");
        List<String> all = contacts(6, "-wb");
        all.set(2, contact("x".repeat(600), "long@example.com", "2026-02-01T10:00:00Z"));
        contactPages(all);
        HubClient.Response queued = hub.post("/api/v1/connections/" + t.connectionId() + "/syncs", t.key(),
                "{\"entity\":\"contact\",\"mode\":\"full\"}");
        assertThat(queued.status()).isEqualTo(202);
        JsonNode run = awaitStatus(t, queued.json().path("id").asText(), "failed");
        assertThat(run.path("created").asLong()).isEqualTo(2);
        JsonNode records = records(t, "contact", "?limit=10");
        assertThat(records.path("records")).extracting(r -> r.path("externalId").asText()).containsExactlyInAnyOrder("1", "2");
    }

    @Test
    void shouldAnnounceThePagesChangesInPageOrderWithTwoPagesInFlight() {
        // hub.sync.write-behind-pages 2 (the default): a page's upsert runs beside the previous page's transaction, but
        // its checkpoint and events wait for that one's commit, so the events of a connection keep the pages' order.
        Tenant t = tenantWith("hubspot");
        contactPages(contacts(12, "-order"));
        try (KafkaProbe changes = new KafkaProbe(kafka, "hub.records.changes")) {
            JsonNode run = awaitStatus(t, startSync(t, "{\"entity\":\"contact\",\"mode\":\"full\"}"), "succeeded");
            assertThat(run.path("created").asLong()).isEqualTo(12);
            List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
            changes.await(t.connectionId().toString(), e -> {
                if (e.path("type").asText().equals("io.integrationhub.record.created")) {
                    order.add(e.path("data").path("externalId").asText());
                }
                return order.size() == 12;
            });
            assertThat(order).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
        }
        assertThat(liveRecords(t, "contact")).isEqualTo(12);
    }

    @Test
    void shouldPageRecordsWithCursorAndFilterByModifiedAfter() {
        Tenant t = tenantWith("hubspot");
        contactPages(contacts(5, ""));
        awaitStatus(t, startSync(t, "{\"entity\":\"contact\"}"), "succeeded");
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = records(t, "contact", "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            page.path("records").forEach(r -> ids.add(r.path("externalId").asText()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        assertThat(ids).containsExactlyInAnyOrder("1", "2", "3", "4", "5");
        assertThat(records(t, "contact", "?modifiedAfter=2999-01-01T00:00:00Z").path("records").size()).isZero();
        assertThat(hub.get("/api/v1/connections/" + t.connectionId() + "/records/contact?cursor=bogus", t.key()).status())
                .isEqualTo(400);
    }

    @Test
    void shouldWriteAndAnnounceOnlyRealChangesAndMarkUnseenRecordsDeletedAfterAFullRun() {
        Tenant t = tenantWith("hubspot");
        contactPages(contacts(4, ""));
        awaitStatus(t, startSync(t, "{\"entity\":\"contact\",\"mode\":\"full\"}"), "succeeded");

        PROVIDER.resetAll();
        List<String> changed = contacts(3, "");
        changed.set(1, contact("2", "new-2@example.com", "2026-03-01T00:00:00Z"));
        contactPages(changed);
        try (KafkaProbe changes = new KafkaProbe(kafka, "hub.records.changes")) {
            JsonNode second = awaitStatus(t, startSync(t, "{\"entity\":\"contact\",\"mode\":\"full\"}"), "succeeded");
            assertThat(second.path("created").asLong()).isZero();
            assertThat(second.path("updated").asLong()).isEqualTo(1);
            assertThat(second.path("deleted").asLong()).isEqualTo(1);
            java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            changes.await(t.connectionId().toString(), e -> {
                seen.add(e.path("type").asText().replace("io.integrationhub.", "") + ":"
                        + e.path("data").path("externalId").asText());
                return seen.contains("record.updated:2") && seen.contains("record.deleted:4");
            });
            assertThat(seen).noneMatch(s -> s.startsWith("record.created") || s.equals("record.updated:1"));
        }
        assertThat(liveRecords(t, "contact")).isEqualTo(3);
        Map<String, Object> four = jdbc.queryForMap("SELECT deleted FROM records WHERE connection_id = :c AND external_id = '4'",
                Map.of("c", t.connectionId()));
        assertThat(four.get("deleted")).isEqualTo(true);
    }

    @Autowired
    SyncService syncService;

    @Test
    void shouldQueueOneFollowUpRunWhenAChangeIsAnnouncedWhileARunIsReading() {
        Tenant t = tenantWith("hubspot");
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts"))
                .willReturn(okJson("{\"results\":[" + contact("1", "a@example.com", "2026-01-01T00:00:00Z")
                        + "]}").withFixedDelay(800)));
        String runId = startSync(t, "{\"entity\":\"contact\"}");
        // Queued: a hint is covered by the run that has not read anything yet.
        assertThat(syncService.requestInternal(t.id(), t.connectionId(), "contact", null, "webhook")).isNull();
        awaitStatus(t, runId, "running");
        // Running: two hints while it reads make exactly one follow-up run, not zero and not two.
        assertThat(syncService.requestInternal(t.id(), t.connectionId(), "contact", null, "webhook")).isNull();
        assertThat(syncService.requestInternal(t.id(), t.connectionId(), "contact", null, "webhook")).isNull();
        awaitStatus(t, runId, "succeeded");

        await().atMost(Duration.ofSeconds(30)).until(() -> hub.get("/api/v1/connections/" + t.connectionId()
                + "/syncs?limit=5", t.key()).json().size() == 2);
        JsonNode log = hub.get("/api/v1/connections/" + t.connectionId() + "/syncs?limit=5", t.key()).json();
        String followUp = log.get(0).path("id").asText();
        assertThat(followUp).isNotEqualTo(runId);
        assertThat(log.get(0).path("mode").asText()).isEqualTo("incremental");
        awaitStatus(t, followUp, "succeeded");
        assertThat(hub.get("/api/v1/connections/" + t.connectionId() + "/syncs?limit=5", t.key()).json().size())
                .as("the follow-up run itself owes nothing").isEqualTo(2);
    }

    @Autowired
    TransactionTemplate tx;
    @Autowired
    ObjectMapper mapper;

    @Test
    void shouldFoldARequestIntoTheActiveRunWithoutAnInsertThatTheLockRefuses() {
        Tenant t = tenantWith("hubspot");
        List<String> writes = new CopyOnWriteArrayList<>();
        TenantJdbc recording = new TenantJdbc(jdbc) {
            @Override
            public int update(UUID tenantId, String sql, Map<String, ?> params) {
                writes.add(sql);
                return super.update(tenantId, sql, params);
            }
        };
        SyncRunRepository runs = new SyncRunRepository(recording, jdbc, tx, mapper);
        SyncRun first = runs.queue(t.id(), t.connectionId(), "ticket", "pull", "incremental", null, null, "webhook");
        assertThat(writes).as("the first request queues its run and takes the lock").hasSize(2);
        writes.clear();

        assertThatThrownBy(() -> runs.queue(t.id(), t.connectionId(), "ticket", "pull", "incremental", null, null, "webhook"))
                .isInstanceOfSatisfying(SyncRunRepository.AlreadyActive.class, e -> assertThat(e.runId()).isEqualTo(first.id()));
        assertThat(writes).as("a request while the run is queued reads the lock: no insert for its key to refuse "
                + "(an aborted transaction and an ERROR in PostgreSQL's log per webhook hint)").isEmpty();
        assertThat(runs.finish(t.id(), first.id(), null, "cancelled", "test over").done()).isTrue();
        assertThat(runs.activeRun(t.id(), t.connectionId(), "ticket")).isEmpty();
    }

    @Test
    void shouldRefuseASecondRunOfTheSameEntityWithTheActiveRunsIdAndCancelAtThePageBoundary() {
        Tenant t = tenantWith("hubspot");
        endlessContacts(300);
        String runId = startSync(t, "{\"entity\":\"contact\"}");

        HubClient.Response second = hub.post("/api/v1/connections/" + t.connectionId() + "/syncs", t.key(),
                "{\"entity\":\"contact\",\"mode\":\"full\"}");
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.contentType()).startsWith("application/problem+json");
        assertThat(second.json().path("runId").asText()).isEqualTo(runId);

        awaitStatus(t, runId, "running");
        HubClient.Response cancel = hub.post("/api/v1/syncs/" + runId + "/cancel", t.key(), "");
        assertThat(cancel.status()).isEqualTo(200);
        JsonNode cancelled = awaitStatus(t, runId, "cancelled");
        assertThat(cancelled.path("recordsProcessed").asLong()).isPositive();

        // The entity is free again, and the sync log lists newest first.
        String next = startSync(t, "{\"entity\":\"contact\"}");
        hub.post("/api/v1/syncs/" + next + "/cancel", t.key(), "");
        JsonNode log = hub.get("/api/v1/connections/" + t.connectionId() + "/syncs?limit=5", t.key()).json();
        assertThat(log.get(0).path("id").asText()).isEqualTo(next);
        assertThat(log.get(1).path("id").asText()).isEqualTo(runId);
    }

    /** HubSpot's contact list as an endless run of one-contact pages, each answered after {@code delayMillis}. */
    private static void endlessContacts(int delayMillis) {
        PROVIDER.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts"))
                .willReturn(okJson("{\"results\":[" + contact("1", "a@example.com", "2026-01-01T00:00:00Z")
                        + "],\"paging\":{\"next\":{\"after\":\"again\"}}}").withFixedDelay(delayMillis)));
    }

    @Test
    void shouldStopARunWhosePagesComeFasterThanTheCancelCheckIntervalSoonAfterItIsCancelled() {
        Tenant t = tenantWith("hubspot");
        // an endless list, a page every few milliseconds: the run reads its cancel flag once per 250 ms, not per page
        endlessContacts(5);
        String runId = startSync(t, "{\"entity\":\"contact\"}");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> run(t, runId).path("recordsProcessed").asLong() >= 20);

        assertThat(hub.post("/api/v1/syncs/" + runId + "/cancel", t.key(), "").status()).isEqualTo(200);
        int atCancel = PROVIDER.findAll(getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts"))).size();
        JsonNode cancelled = awaitStatus(t, runId, "cancelled");

        int after = PROVIDER.findAll(getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts"))).size() - atCancel;
        // at most 250 ms of pages (each at least 5 ms) and the ones in hand: far from the hundreds a missed flag would give
        assertThat(after).isLessThan(80);
        assertThat(cancelled.path("recordsProcessed").asLong()).isGreaterThanOrEqualTo(20);
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(PROVIDER.findAll(getRequestedFor(urlPathEqualTo("/crm/v3/objects/contacts"))).size() - atCancel)
                .as("no page is asked for once the run is cancelled").isEqualTo(after);
    }

    @Test
    void shouldHideOtherTenantsRunsRecordsAndConnections() {
        Tenant owner = tenantWith("hubspot");
        Tenant other = tenantWith("hubspot");
        contactPages(contacts(1, ""));
        String runId = startSync(owner, "{\"entity\":\"contact\"}");
        awaitStatus(owner, runId, "succeeded");

        assertThat(hub.get("/api/v1/syncs/" + runId, other.key()).status()).isEqualTo(404);
        assertThat(hub.post("/api/v1/syncs/" + runId + "/cancel", other.key(), "").status()).isEqualTo(404);
        assertThat(hub.get("/api/v1/connections/" + owner.connectionId() + "/syncs", other.key()).status()).isEqualTo(404);
        assertThat(hub.get("/api/v1/connections/" + owner.connectionId() + "/records/contact", other.key()).status())
                .isEqualTo(404);
        assertThat(hub.post("/api/v1/connections/" + owner.connectionId() + "/syncs", other.key(),
                "{\"entity\":\"contact\"}").status()).isEqualTo(404);
    }

    @Test
    void shouldRejectInvalidSyncRequestsWithProblems() {
        Tenant t = tenantWith("hubspot");
        String path = "/api/v1/connections/" + t.connectionId() + "/syncs";
        assertThat(hub.post(path, t.key(), "{\"entity\":\"invoice\"}").status()).isEqualTo(422);
        assertThat(hub.post(path, t.key(), "{\"entity\":\"contact\",\"mode\":\"sometimes\"}").status()).isEqualTo(400);
        assertThat(hub.post(path, t.key(), "{}").status()).isEqualTo(400);
        assertThat(hub.post(path, t.key(), "{\"entity\":\"contact\",\"from\":\"2026-02-01T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}")
                .status()).isEqualTo(422);
        assertThat(hub.get("/api/v1/connections/" + t.connectionId() + "/records/contact?limit=0", t.key()).status())
                .isEqualTo(400);
        assertThat(hub.get("/api/v1/syncs/not-a-uuid", t.key()).status()).isEqualTo(400);
    }
}
