-- OneDrive family: where a job's folders are in the connection's OneDrive. Portable between PostgreSQL
-- and H2 (MODE=PostgreSQL).
--
-- One row per folder the hub resolved or created: the job folder itself (sub_folder = ''), each of its
-- sub-folders (sub_folder = 'Invoices', ...), and the connection's configured root (job_ref = '',
-- sub_folder = the root path, e.g. 'Jobs'). Item ids are stable across renames and moves, so a folder a
-- user renamed is still found and never created twice.
CREATE TABLE onedrive_job_folders (
    connection_id   UUID NOT NULL REFERENCES connections (id),
    job_ref         VARCHAR(512) NOT NULL,
    sub_folder      VARCHAR(1024) NOT NULL,
    tenant_id       UUID NOT NULL REFERENCES tenants (id),
    item_id         VARCHAR(512) NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (connection_id, job_ref, sub_folder)
);
CREATE INDEX ix_onedrive_job_folders_tenant ON onedrive_job_folders (tenant_id, connection_id);
