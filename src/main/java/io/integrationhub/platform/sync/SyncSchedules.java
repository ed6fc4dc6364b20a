package io.integrationhub.platform.sync;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.quartz.CronExpression;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionChangedEvent;
import io.integrationhub.platform.connections.ConnectionConfigValidator;
import io.integrationhub.platform.connections.ConnectionLifecycleListener;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;

/**
 * {@code config.schedules} as rows of {@code sync_schedules}, and the steps of the routes that fire them
 * ({@code camel/sync-schedules.camel.yaml}). Rows follow the connection's config and status on whichever instance
 * changed it: created, changed and removed with the config, paused unless the connection is {@code active} or
 * {@code error} (a quota error clears itself), removed on disconnect. Route {@code sync.schedules.tick} (clustered
 * Quartz) reads the due rows ({@link #due}) and each is claimed ({@link #claim}) with a conditional UPDATE on its
 * version, so whichever instances tick, one claim per period wins cluster-wide. A schedule that came due while the
 * hub was down fires once at the first tick, then its next firing is computed from now.
 */
@Component
public class SyncSchedules implements ConnectionLifecycleListener {

    /** Exchange property: true when this exchange won the schedule's claim. */
    public static final String CLAIMED = "HubScheduleClaimed";
    private static final Logger LOG = LoggerFactory.getLogger(SyncSchedules.class);

    /** Quartz group of the jobs of versions before V32 (one per connection and entity). */
    static final String LEGACY_GROUP = "hub-sync";

    private final ConnectionRepository connections;
    private final NamedParameterJdbcTemplate jdbc;
    private final SyncProperties properties;
    private final ObjectProvider<Scheduler> scheduler;

    public SyncSchedules(ConnectionRepository connections, NamedParameterJdbcTemplate jdbc, SyncProperties properties,
            ObjectProvider<Scheduler> scheduler) {
        this.connections = connections;
        this.jdbc = jdbc;
        this.properties = properties;
        this.scheduler = scheduler;
    }

    /**
     * At start-up every schedule is brought in line with its connection (a row kept its next firing), and Quartz jobs
     * of the old design that an instance of an earlier version created during a rolling upgrade (after {@code V32}
     * moved the others) are deleted: their schedules are rows now.
     */
    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        Scheduler quartz = scheduler.getIfAvailable();
        if (quartz != null) {
            try {
                quartz.deleteJobs(List.copyOf(quartz.getJobKeys(GroupMatcher.jobGroupEquals(LEGACY_GROUP))));
            } catch (SchedulerException e) {
                LOG.warn("Quartz jobs of group {} could not be removed: {}", LEGACY_GROUP, e.getMessage());
            }
        }
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT tenant_id, id FROM connections "
                + "WHERE status <> 'disconnected' AND config LIKE '%schedules%' "
                + "UNION SELECT tenant_id, connection_id FROM sync_schedules", Map.of());
        for (Map<String, Object> row : rows) {
            UUID tenantId = (UUID) row.get("tenant_id");
            UUID id = (UUID) row.get("id");
            connections.find(tenantId, id).ifPresent(c -> apply(tenantId, c));
        }
    }

    @EventListener
    public void onChange(ConnectionChangedEvent event) {
        connections.find(event.tenantId(), event.connectionId()).ifPresent(c -> apply(event.tenantId(), c));
    }

    @Override
    public String onDisconnect(Connection connection) {
        jdbc.update("DELETE FROM sync_schedules WHERE connection_id = :c", Map.of("c", connection.id()));
        return null;
    }

    /** Creates, changes, removes, pauses and resumes the connection's schedules to match its config and status. */
    public void apply(UUID tenantId, Connection connection) {
        Map<String, String> wanted = new HashMap<>();
        JsonNode schedules = connection.config().path("schedules");
        if (connection.status() != ConnectionStatus.DISCONNECTED && schedules.isObject()) {
            schedules.fields().forEachRemaining(e -> {
                String problem = ConnectionConfigValidator.scheduleProblem(e.getValue());
                if (problem == null) {
                    wanted.put(e.getKey(), e.getValue().asText().trim());
                } else if (!e.getValue().isNull()) {
                    // Stored before today's rules (e.g. a cron firing every second): not scheduled until fixed.
                    LOG.warn("Schedule {} of connection {} is not scheduled: {}", e.getKey(), connection.id(), problem);
                }
            });
        }
        boolean paused = connection.status() != ConnectionStatus.ACTIVE && connection.status() != ConnectionStatus.ERROR;
        long now = System.currentTimeMillis();
        Map<String, Schedule> current = new HashMap<>();
        for (Schedule s : schedulesOf(connection.id())) {
            current.put(s.entity(), s);
        }
        for (Schedule s : current.values()) {
            if (!wanted.containsKey(s.entity())) {
                jdbc.update("DELETE FROM sync_schedules WHERE connection_id = :c AND entity = :e",
                        Map.of("c", connection.id(), "e", s.entity()));
            }
        }
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            Schedule s = current.get(e.getKey());
            Map<String, Object> p = new HashMap<>(Map.of("c", connection.id(), "e", e.getKey(), "t", tenantId,
                    "x", e.getValue(), "p", paused));
            if (s == null) {
                p.put("n", nextFire(e.getValue(), null, now));
                try {
                    jdbc.update("INSERT INTO sync_schedules (connection_id, entity, tenant_id, expression, next_fire_at, "
                            + "paused) VALUES (:c, :e, :t, :x, :n, :p)", p);
                } catch (DuplicateKeyException raced) {
                    // Another instance applied the same change at the same moment: its row stands.
                }
            } else if (!sameSchedule(s.expression(), e.getValue())) {
                p.put("n", nextFire(e.getValue(), null, now));
                jdbc.update("UPDATE sync_schedules SET expression = :x, next_fire_at = :n, paused = :p, "
                        + "version = version + 1 WHERE connection_id = :c AND entity = :e", p);
            } else if (s.paused() != paused || !s.expression().equals(e.getValue())) {
                // Resumed after a pause: periods missed while paused are not made up (as Quartz's resume did).
                p.put("n", !paused && s.paused() && s.nextFireAt() <= now ? nextFire(e.getValue(), null, now) : s.nextFireAt());
                jdbc.update("UPDATE sync_schedules SET expression = :x, next_fire_at = :n, paused = :p, "
                        + "version = version + 1 WHERE connection_id = :c AND entity = :e", p);
            }
        }
    }

    /** Route step ({@code sync.schedules.due}): the schedules due now, oldest first, as maps for the split. */
    public List<Map<String, Object>> due() {
        List<Map<String, Object>> due = new ArrayList<>();
        jdbc.query("SELECT tenant_id, connection_id, entity, expression, next_fire_at, version FROM sync_schedules "
                + "WHERE paused = FALSE AND next_fire_at <= :now ORDER BY next_fire_at LIMIT :limit",
                Map.of("now", System.currentTimeMillis(), "limit", properties.getScheduleBatch()), rs -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("tenantId", rs.getObject("tenant_id", UUID.class).toString());
                    row.put("connectionId", rs.getObject("connection_id", UUID.class).toString());
                    row.put("entity", rs.getString("entity"));
                    row.put("expression", rs.getString("expression"));
                    row.put("nextFireAt", rs.getLong("next_fire_at"));
                    row.put("version", rs.getLong("version"));
                    due.add(row);
                });
        return due;
    }

    /**
     * Route step ({@code sync.schedules.claim}, inside the firing's transaction): moves the schedule on to its next
     * firing if nobody did since {@link #due} read it. The winner (property {@value #CLAIMED}) gets the sync request
     * as its body, keyed by connection, for {@code direct:sync.dispatch}: an incremental run, reason
     * {@code schedule}, exactly as a webhook asks for one.
     */
    public void claim(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> schedule = exchange.getMessage().getBody(Map.class);
        long now = System.currentTimeMillis();
        long scheduled = ((Number) schedule.get("nextFireAt")).longValue();
        String expression = (String) schedule.get("expression");
        int claimed = jdbc.update("UPDATE sync_schedules SET next_fire_at = :next, last_fired_at = :now, "
                + "version = version + 1 WHERE connection_id = :c AND entity = :e AND version = :v AND paused = FALSE",
                Map.of("next", nextFire(expression, scheduled, now), "now", now,
                        "c", UUID.fromString((String) schedule.get("connectionId")), "e", schedule.get("entity"),
                        "v", ((Number) schedule.get("version")).longValue()));
        exchange.setProperty(CLAIMED, claimed == 1);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("tenantId", schedule.get("tenantId"));
        request.put("connectionId", schedule.get("connectionId"));
        request.put("entity", schedule.get("entity"));
        request.put("mode", "incremental");
        request.put("reason", "schedule");
        exchange.getMessage().setBody(request);
        exchange.getMessage().setHeader(KafkaConstants.KEY, schedule.get("connectionId"));
    }

    /**
     * The firing after {@code now}. An interval keeps its rhythm from the firing it replaces ({@code scheduled}),
     * unless that is a period or more behind (the hub was down): then one period from now, so missed periods are
     * not made up one by one. A cron expression (in the JVM's time zone, as Quartz's triggers) gives its next time.
     */
    static long nextFire(String expression, Long scheduled, long now) {
        if (expression.startsWith("P") || expression.startsWith("p")) {
            long interval = Duration.parse(expression).toMillis();
            return scheduled != null && scheduled + interval > now ? scheduled + interval : now + interval;
        }
        try {
            Date next = new CronExpression(expression).getNextValidTimeAfter(new Date(now));
            return next == null ? Long.MAX_VALUE : next.getTime();
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a cron expression: " + expression, e);
        }
    }

    /** Same schedule, whatever the spelling (an interval migrated from Quartz reads PT900S for PT15M). */
    static boolean sameSchedule(String stored, String wanted) {
        if (stored.equals(wanted)) {
            return true;
        }
        boolean storedInterval = stored.startsWith("P") || stored.startsWith("p");
        boolean wantedInterval = wanted.startsWith("P") || wanted.startsWith("p");
        return storedInterval && wantedInterval && Duration.parse(stored).equals(Duration.parse(wanted));
    }

    /** One row of {@code sync_schedules}. */
    public record Schedule(String entity, String expression, long nextFireAt, boolean paused, Instant lastFiredAt) {
    }

    /** The connection's schedules, as stored. */
    public List<Schedule> schedulesOf(UUID connectionId) {
        return jdbc.query("SELECT entity, expression, next_fire_at, paused, last_fired_at FROM sync_schedules "
                + "WHERE connection_id = :c ORDER BY entity", Map.of("c", connectionId), (rs, i) -> {
                    Number last = (Number) rs.getObject("last_fired_at");
                    return new Schedule(rs.getString("entity"), rs.getString("expression"), rs.getLong("next_fire_at"),
                            rs.getBoolean("paused"), last == null ? null : Instant.ofEpochMilli(last.longValue()));
                });
    }
}
