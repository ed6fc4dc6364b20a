-- Provider request budgets shared by every hub instance (hub.resilience.budget-scope: cluster; JdbcBudgetLedger).
-- One row per budget key ("provider:<catalog key>", "connection:<provider>:<connection id>"): the earliest moment
-- its next request may go, in microseconds since the epoch on the database's clock. A request takes all its keys
-- in one short transaction with conditional UPDATEs (next_at <= now → now + interval). Docs: docs/operations.md
-- "Provider budgets across instances".
CREATE TABLE provider_budgets (
    budget_key  VARCHAR(200) PRIMARY KEY,
    next_at     BIGINT NOT NULL
);

-- Singleton jobs of the cluster (ClusterJobs): the sync sweep, webhook recovery and token keep-alive tick on every
-- instance; a tick runs the job only if it claims the job's period: UPDATE … SET next_at = now + period
-- WHERE name = ? AND next_at <= now (epoch milliseconds, database clock). One claim per period wins.
CREATE TABLE cluster_jobs (
    name     VARCHAR(100) PRIMARY KEY,
    next_at  BIGINT NOT NULL
);
