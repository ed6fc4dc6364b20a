-- Outlook mail capture (docs/microsoft-mail.md). Portable between PostgreSQL and H2 (MODE=PostgreSQL).

-- Which job an email belongs to: kind 'message' (key: Graph message id) keeps an email with the job it was
-- first matched to; kind 'conversation' (key: Graph conversationId) gives later emails of a conversation
-- the job of an earlier one. rule: subject, address, conversation, sent.
CREATE TABLE outlook_mail_links (
    connection_id   UUID NOT NULL REFERENCES connections (id),
    kind            VARCHAR(16) NOT NULL,
    link_key        VARCHAR(512) NOT NULL,
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    job_ref         VARCHAR(128) NOT NULL,
    rule            VARCHAR(32) NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (connection_id, kind, link_key)
);
CREATE INDEX ix_outlook_mail_links_job ON outlook_mail_links (tenant_id, job_ref);

-- Attachments already saved into the job's OneDrive folder: an email that delta returns again (read,
-- flagged, moved) is not uploaded twice, also when a run is resumed after a crash.
CREATE TABLE outlook_mail_attachments (
    connection_id       UUID NOT NULL REFERENCES connections (id),
    message_id          VARCHAR(512) NOT NULL,
    attachment_id       VARCHAR(512) NOT NULL,
    tenant_id           UUID NOT NULL REFERENCES tenants (id),
    drive_connection_id UUID,
    drive_item_id       VARCHAR(512) NOT NULL,
    web_url             VARCHAR(2048),
    saved_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (connection_id, message_id, attachment_id)
);

-- When Graph last notified a change of the connection's mail: a run that started reading before it
-- reads the folders once more, so a notification folded into a running run is not lost.
CREATE TABLE outlook_mail_state (
    connection_id   UUID PRIMARY KEY REFERENCES connections (id),
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    notified_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
