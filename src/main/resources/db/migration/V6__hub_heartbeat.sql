-- Hub liveness (docs/webhooks.md, "Hub outage"). ONE cluster-wide row: every instance moves beat_at
-- forward every hub.webhooks.heartbeat-interval, so beat_at is the last heartbeat of ANY instance.
-- At start-up an instance claims an outage with a conditional UPDATE (beat_at older than the
-- threshold); only the instance whose UPDATE changes the row asks for the incremental syncs.
-- beat_at is NULL until the first heartbeat (a fresh install is not an outage).
-- Portable between PostgreSQL and H2 (MODE=PostgreSQL).
CREATE TABLE hub_heartbeat (
    id              VARCHAR(32) PRIMARY KEY,
    beat_at         TIMESTAMP WITH TIME ZONE,
    instance_id     VARCHAR(255),
    outage_from     TIMESTAMP WITH TIME ZONE,
    outage_until    TIMESTAMP WITH TIME ZONE
);
INSERT INTO hub_heartbeat (id, beat_at, instance_id) VALUES ('cluster', NULL, NULL);
