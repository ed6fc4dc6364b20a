-- Per-connection sync schedules (config.schedules) as rows, fired by ONE platform route
-- (sync.schedules.tick, camel/sync-schedules.camel.yaml, on the clustered Quartz scheduler): each due row
-- is claimed with a conditional UPDATE (version = the version read), so a schedule fires once per period
-- however many instances tick. Times are epoch milliseconds, as in Quartz's own tables.
-- Rows follow connections.config (SyncSchedules.apply): paused while the connection is not usable,
-- removed on disconnect. Docs: docs/sync-engine.md "Schedules".
CREATE TABLE sync_schedules (
    connection_id  UUID NOT NULL REFERENCES connections (id),
    entity         VARCHAR(100) NOT NULL,
    tenant_id      UUID NOT NULL REFERENCES tenants (id),
    expression     VARCHAR(200) NOT NULL,
    next_fire_at   BIGINT NOT NULL,
    paused         BOOLEAN NOT NULL DEFAULT FALSE,
    last_fired_at  BIGINT,
    version        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (connection_id, entity)
);

CREATE INDEX sync_schedules_due ON sync_schedules (paused, next_fire_at);

-- Until now every schedule was a raw Quartz job (group hub-sync, job and trigger named
-- "<connection id>:<entity>"). Keep each one's next firing (so no period is skipped or doubled by the
-- upgrade), then remove the jobs: nothing runs them any more. The expression is rewritten from the
-- connection's config at start-up (an interval is kept here as seconds, PT<n>S).
INSERT INTO sync_schedules (connection_id, entity, tenant_id, expression, next_fire_at, paused)
SELECT c.id, SUBSTRING(t.trigger_name FROM 38), c.tenant_id,
       COALESCE(ct.cron_expression, 'PT' || CAST(st.repeat_interval / 1000 AS VARCHAR(20)) || 'S'),
       COALESCE(t.next_fire_time, 0), t.trigger_state = 'PAUSED'
FROM qrtz_triggers t
JOIN connections c ON CAST(c.id AS VARCHAR(36)) = SUBSTRING(t.trigger_name FROM 1 FOR 36)
LEFT JOIN qrtz_cron_triggers ct ON ct.sched_name = t.sched_name AND ct.trigger_name = t.trigger_name
    AND ct.trigger_group = t.trigger_group
LEFT JOIN qrtz_simple_triggers st ON st.sched_name = t.sched_name AND st.trigger_name = t.trigger_name
    AND st.trigger_group = t.trigger_group
WHERE t.trigger_group = 'hub-sync' AND c.status <> 'disconnected' AND LENGTH(t.trigger_name) > 37
  AND (ct.cron_expression IS NOT NULL OR st.repeat_interval IS NOT NULL);

DELETE FROM qrtz_simple_triggers WHERE trigger_group = 'hub-sync';
DELETE FROM qrtz_cron_triggers WHERE trigger_group = 'hub-sync';
DELETE FROM qrtz_fired_triggers WHERE trigger_group = 'hub-sync';
DELETE FROM qrtz_paused_trigger_grps WHERE trigger_group = 'hub-sync';
DELETE FROM qrtz_triggers WHERE trigger_group = 'hub-sync';
DELETE FROM qrtz_job_details WHERE job_group = 'hub-sync';
