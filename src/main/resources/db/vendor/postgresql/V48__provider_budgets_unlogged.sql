-- Every provider call commits one UPDATE of provider_budgets (a permit). On a logged table each of those commits
-- waits for the write-ahead log to reach the disk: 2-3 ms here, more than the update itself, paid on the path of
-- every page of a sync and every processed webhook (docs/performance.md, twelfth session). A budget's row only says
-- when its key's next request may go; losing it in a crash costs nothing but one early request: PostgreSQL empties
-- an unlogged table after a crash (and a promoted standby has it empty), and JdbcBudgetLedger creates a missing row
-- again. A transaction that writes only unlogged tables commits without waiting for a log flush.
-- H2 (the zero-setup run) has no unlogged tables and keeps its table as it is.
ALTER TABLE provider_budgets SET UNLOGGED;
