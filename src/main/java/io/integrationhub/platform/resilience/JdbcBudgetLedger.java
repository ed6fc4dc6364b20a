package io.integrationhub.platform.resilience;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.integrationhub.platform.cluster.DatabaseClock;

/**
 * Budgets shared by every instance: table {@code provider_budgets} (Flyway {@code V33__provider_budgets_and_cluster_jobs.sql}), one row per key holding the
 * earliest moment of its next request in microseconds of the database's clock (one clock for the whole cluster).
 * On PostgreSQL the table is unlogged ({@code V48}): a permit's commit does not wait for the log to reach the disk,
 * and a row lost in a crash is created again at the next take.
 * A take is {@code UPDATE … SET next_at = now + interval WHERE budget_key = ? AND next_at <= now}, with {@code now}
 * the database's {@code CURRENT_TIMESTAMP} inside the statement. A request with one key (most) is that one statement
 * on its own; a request with several keys (or one made inside a transaction) takes them in one short transaction of
 * its own, in key order (so two takes never deadlock). A key that updates no row refuses: the transaction rolls back,
 * so no key is taken, and the caller learns how long to wait. The row lock serialises concurrent takes of one key across instances; one of them wins. (Every
 * provider call takes a permit: a take used to ask the database's time first and always opened a transaction, four
 * round trips where one does.)
 */
public class JdbcBudgetLedger implements BudgetLedger {

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private static final String NOW = DatabaseClock.NOW_MICROS_SQL;

    public JdbcBudgetLedger(NamedParameterJdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        // never part of the caller's transaction: the row locks are held for the take only
        tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @Override
    public Verdict take(List<Key> keys) {
        Verdict verdict = attempt(keys);
        // null: a key's row was gone and is forgotten now, so the next attempt creates it again (once per key at most)
        for (int i = 0; verdict == null && i < keys.size(); i++) {
            verdict = attempt(keys);
        }
        return verdict;
    }

    private Verdict attempt(List<Key> keys) {
        List<Key> ordered = keys.stream().sorted(Comparator.comparing(Key::name)).toList();
        for (Key key : ordered) {
            if (!known.contains(key.name())) {
                try { // committed on its own, so the take below (a transaction of its own, maybe) sees the row
                    tx.executeWithoutResult(status -> jdbc.update("INSERT INTO provider_budgets (budget_key, next_at) VALUES (:k, 0)",
                            Map.of("k", key.name())));
                } catch (DuplicateKeyException exists) {
                    // another take (or instance) created it first
                }
                known.add(key.name());
            }
        }
        if (ordered.size() == 1 && !TransactionSynchronizationManager.isActualTransactionActive()) {
            // one statement, committed on its own (inside a caller's transaction it would hold the row lock until
            // that commits: then the separate transaction below)
            Key key = ordered.get(0);
            return takeOne(key) ? Verdict.GRANTED : refused(key);
        }
        Key[] refusedBy = new Key[1];
        Boolean granted = tx.execute(status -> {
            for (Key key : ordered) {
                if (!takeOne(key)) {
                    status.setRollbackOnly();
                    refusedBy[0] = key;
                    return false;
                }
            }
            return true;
        });
        return Boolean.TRUE.equals(granted) ? Verdict.GRANTED : refused(refusedBy[0]);
    }

    private boolean takeOne(Key key) {
        return jdbc.update("UPDATE provider_budgets SET next_at = " + NOW + " + :interval WHERE budget_key = :k AND next_at <= "
                + NOW, Map.of("k", key.name(), "interval", key.intervalMicros())) == 1;
    }

    /**
     * How long until {@code key} may grant, on the database's clock; {@code null} when its row is gone (PostgreSQL
     * empties the unlogged table after a crash): the key is forgotten, so the next attempt creates it again.
     */
    private Verdict refused(Key key) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT next_at AS next_at, " + NOW + " AS now_at FROM provider_budgets "
                + "WHERE budget_key = :k", Map.of("k", key.name()));
        if (rows.isEmpty()) {
            known.remove(key.name());
            return null;
        }
        Map<String, Object> row = rows.get(0);
        long next = ((Number) row.get("next_at")).longValue();
        long now = ((Number) row.get("now_at")).longValue();
        return new Verdict(false, key.name(), Math.max(0, next - now));
    }
}
