package io.integrationhub.platform.sync;

import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
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
 * Quartz jobs for {@code config.schedules}: one job per connection and entity, kept in step with the
 * connection's config, paused while the connection is not usable (reauth_required, pending, error is
 * kept running so a quota error clears itself), removed on disconnect. Uses only the {@link Scheduler}
 * API, so the same code runs on the RAM store and on the clustered JDBC store (one firing per cluster).
 */
@Component
public class SyncSchedules implements ConnectionLifecycleListener {

    static final String GROUP = "hub-sync";
    static final String TENANT = "tenantId";
    static final String CONNECTION = "connectionId";
    static final String ENTITY = "entity";
    private static final Logger LOG = LoggerFactory.getLogger(SyncSchedules.class);

    private final Scheduler scheduler;
    private final ConnectionRepository connections;
    private final NamedParameterJdbcTemplate system;

    public SyncSchedules(Scheduler scheduler, ConnectionRepository connections, NamedParameterJdbcTemplate system) {
        this.scheduler = scheduler;
        this.connections = connections;
        this.system = system;
    }

    /** After Camel is up (jobs publish through it): start the scheduler and bring every schedule in line. */
    @EventListener(ApplicationReadyEvent.class)
    public void start() throws SchedulerException {
        List<Map<String, Object>> rows = system.queryForList("SELECT tenant_id, id FROM connections "
                + "WHERE status <> 'disconnected' AND config LIKE '%schedules%'", Map.of());
        for (Map<String, Object> row : rows) {
            UUID tenantId = (UUID) row.get("tenant_id");
            UUID id = (UUID) row.get("id");
            connections.find(tenantId, id).ifPresent(this::apply);
        }
        if (!scheduler.isStarted()) {
            scheduler.start();
        }
    }

    @EventListener
    public void onChange(ConnectionChangedEvent event) {
        connections.find(event.tenantId(), event.connectionId()).ifPresent(this::apply);
    }

    @Override
    public String onDisconnect(Connection connection) {
        try {
            for (JobKey key : jobsOf(connection.id())) {
                scheduler.deleteJob(key);
            }
            return null;
        } catch (SchedulerException e) {
            return "schedules could not be removed";
        }
    }

    /** Creates, replaces, removes, pauses and resumes the connection's jobs to match its config and status. */
    public void apply(Connection connection) {
        try {
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
            for (JobKey key : jobsOf(connection.id())) {
                String entity = key.getName().substring(key.getName().indexOf(':') + 1);
                Trigger current = scheduler.getTrigger(TriggerKey.triggerKey(key.getName(), GROUP));
                String expression = current == null ? null : current.getJobDataMap().getString("expression");
                if (!wanted.containsKey(entity) || !wanted.get(entity).equals(expression)) {
                    scheduler.deleteJob(key);
                }
            }
            for (Map.Entry<String, String> e : wanted.entrySet()) {
                JobKey key = JobKey.jobKey(connection.id() + ":" + e.getKey(), GROUP);
                if (!scheduler.checkExists(key)) {
                    schedule(connection, e.getKey(), e.getValue(), key);
                }
            }
            boolean usable = connection.status() == ConnectionStatus.ACTIVE || connection.status() == ConnectionStatus.ERROR;
            for (JobKey key : jobsOf(connection.id())) {
                if (usable) {
                    scheduler.resumeJob(key);
                } else {
                    scheduler.pauseJob(key);
                }
            }
        } catch (SchedulerException e) {
            LOG.warn("Schedules of connection {} could not be updated: {}", connection.id(), e.getMessage());
        }
    }

    private void schedule(Connection connection, String entity, String expression, JobKey key) throws SchedulerException {
        JobDetail job = JobBuilder.newJob(ScheduledSyncJob.class).withIdentity(key)
                .usingJobData(TENANT, tenantOf(connection).toString())
                .usingJobData(CONNECTION, connection.id().toString())
                .usingJobData(ENTITY, entity)
                .requestRecovery(false)
                .build();
        TriggerBuilder<Trigger> trigger = TriggerBuilder.newTrigger().withIdentity(key.getName(), GROUP)
                .usingJobData("expression", expression);
        Trigger built;
        if (expression.startsWith("P") || expression.startsWith("p")) {
            Duration interval = Duration.parse(expression);
            built = trigger.startAt(new Date(System.currentTimeMillis() + interval.toMillis()))
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(interval.toMillis())
                            .repeatForever().withMisfireHandlingInstructionNextWithRemainingCount())
                    .build();
        } else {
            built = trigger.withSchedule(CronScheduleBuilder.cronSchedule(expression)
                    .withMisfireHandlingInstructionDoNothing()).build();
        }
        scheduler.scheduleJob(job, Set.of(built), true);
    }

    private UUID tenantOf(Connection connection) {
        return system.queryForObject("SELECT tenant_id FROM connections WHERE id = :id", Map.of("id", connection.id()),
                UUID.class);
    }

    List<JobKey> jobsOf(UUID connectionId) throws SchedulerException {
        String prefix = connectionId + ":";
        return scheduler.getJobKeys(GroupMatcher.jobGroupEquals(GROUP)).stream()
                .filter(k -> k.getName().startsWith(prefix)).toList();
    }
}
