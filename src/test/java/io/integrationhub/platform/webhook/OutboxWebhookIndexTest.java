package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import io.integrationhub.support.PostgresSchemas;

/**
 * PostgreSQL, V47: the keys a sync page's insert pays for. A record's tenant must be its connection's tenant (one
 * composite foreign key instead of two); the outbox indexes event ids only for webhook hand-offs, and webhook recovery's
 * "still waiting in the outbox?" still finds them — through that index, also when a sync burst filled the outbox.
 */
class OutboxWebhookIndexTest {

    private static final String SCHEMA = PostgresSchemas.name("it_v47_");
    private static SingleConnectionDataSource ds;
    private static NamedParameterJdbcTemplate jdbc;

    @BeforeAll
    static void migrate() throws Exception {
        ds = PostgresSchemas.migrated(SCHEMA);
        jdbc = new NamedParameterJdbcTemplate(ds);
    }

    @AfterAll
    static void dropSchema() throws Exception {
        if (ds != null) {
            ds.destroy();
        }
        PostgresSchemas.drop(SCHEMA);
    }

    @Test
    void shouldRefuseARecordWhoseTenantIsNotItsConnectionsTenant() {
        UUID tenantA = tenant("a");
        UUID tenantB = tenant("b");
        UUID connectionOfA = connection(tenantA);

        record(tenantA, connectionOfA, "1");
        assertThatThrownBy(() -> record(tenantB, connectionOfA, "2"))
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("fk_records_connection_tenant");
        assertThatThrownBy(() -> record(tenantA, UUID.randomUUID(), "3"))
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("fk_records_connection_tenant");
        assertThat(jdbc.getJdbcTemplate().queryForObject("SELECT COUNT(*) FROM pg_constraint "
                + "WHERE conrelid = 'records'::regclass AND contype = 'f'", Integer.class))
                .as("foreign keys of records checked per inserted row").isEqualTo(1);
    }

    @Test
    void shouldFindStalledWebhookEventsThroughThePartialIndexBesideASyncBurst() {
        UUID tenant = tenant("w");
        UUID connection = connection(tenant);
        Instant longAgo = Instant.now().minus(1, ChronoUnit.HOURS);
        UUID waiting = webhookEvent(tenant, connection, "waiting", longAgo);
        UUID stalled = webhookEvent(tenant, connection, "stalled", longAgo);
        UUID recent = webhookEvent(tenant, connection, "recent", Instant.now());
        // the hand-off of "waiting" is still in the outbox (Kafka unreachable); a sync burst of 20,000 change events
        // beside it, whose event ids are not indexed; one of them carries the stalled event's id (not a hand-off)
        jdbc.getJdbcTemplate().update("INSERT INTO outbox_events (event_id, topic, message_key, payload, created_at) "
                + "VALUES (?, 'hub.webhooks.xero', 'k', '{}', now()), (?, 'hub.records.changes', 'k', '{}', now())",
                waiting, stalled);
        jdbc.getJdbcTemplate().update("INSERT INTO outbox_events (event_id, topic, message_key, payload, created_at) "
                + "SELECT gen_random_uuid(), 'hub.records.changes', 'k' || (g % 50), repeat('x', 300), now() "
                + "FROM generate_series(1, 20000) g");
        jdbc.getJdbcTemplate().execute("ANALYZE outbox_events");

        WebhookEventStore store = new WebhookEventStore(jdbc, null);
        List<WebhookEvent> found = store.stalledQueued(Instant.now().minus(10, ChronoUnit.MINUTES), 100);

        assertThat(found).extracting(WebhookEvent::id).containsExactly(stalled).doesNotContain(waiting, recent);
        String plan = String.join("\n", jdbc.getJdbcTemplate().queryForList("EXPLAIN SELECT 1 FROM webhook_events w "
                + "WHERE NOT EXISTS (SELECT 1 FROM outbox_events o WHERE o.event_id = w.id AND o.topic LIKE '"
                + WebhookPipeline.TOPIC_PREFIX + "%')", String.class));
        assertThat(plan).contains("ix_outbox_events_webhook");
    }

    private UUID tenant(String name) {
        UUID id = UUID.randomUUID();
        jdbc.update("INSERT INTO tenants (id, name, created_at) VALUES (:id, :name, now())",
                Map.of("id", id, "name", name + "-" + id));
        return id;
    }

    private UUID connection(UUID tenant) {
        UUID id = UUID.randomUUID();
        jdbc.update("INSERT INTO connections (id, tenant_id, provider, name, status, created_at, updated_at) "
                + "VALUES (:id, :tenant, 'xero', 'c', 'active', now(), now())", Map.of("id", id, "tenant", tenant));
        return id;
    }

    private void record(UUID tenant, UUID connection, String externalId) {
        jdbc.update("INSERT INTO records (id, tenant_id, connection_id, model, external_id, data, content_hash, "
                + "last_seen_at, created_at, updated_at) VALUES (:id, :tenant, :connection, 'invoice', :ext, '{}', 'h', "
                + "now(), now(), now())", Map.of("id", UUID.randomUUID(), "tenant", tenant, "connection", connection,
                "ext", externalId));
    }

    private UUID webhookEvent(UUID tenant, UUID connection, String key, Instant queuedAt) {
        UUID id = UUID.randomUUID();
        jdbc.update("INSERT INTO webhook_events (id, tenant_id, connection_id, provider, dedupe_key, status, payload, "
                + "received_at, queued_at) VALUES (:id, :tenant, :connection, 'xero', :key, 'queued', '{}', :at, :at)",
                Map.of("id", id, "tenant", tenant, "connection", connection, "key", key, "at", Timestamp.from(queuedAt)));
        return id;
    }
}
