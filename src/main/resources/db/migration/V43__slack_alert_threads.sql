-- Slack alerts (routes/slack/alerts.camel.yaml): the thread each alert cause was last posted as, so repeated alerts of
-- the same cause within hub.slack.alerts.fold-window are replies in that thread (thread_ts) instead of new messages.
-- Portable between PostgreSQL and H2.
CREATE TABLE slack_alert_threads (
    tenant_id     UUID         NOT NULL,
    connection_id UUID         NOT NULL,
    cause         VARCHAR(300) NOT NULL,
    channel       VARCHAR(40)  NOT NULL,
    thread_ts     VARCHAR(40)  NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    replies       INTEGER      NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, connection_id, cause)
);
