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
import org.springframework.transaction.support.TransactionTemplate;

import io.integrationhub.platform.cluster.DatabaseClock;

/**
 * Budgets shared by every instance: table {@code provider_budgets} (Flyway {@code V33__provider_budgets_and_cluster_jobs.sql}), one row per key holding the
 * earliest moment of its next request in microseconds of the database's clock (one clock for the whole cluster).
 * A take is one short transaction of its own: the database time, then per key, in key order (so two takes never
 * deadlock), {@code UPDATE … SET next_at = now + interval WHERE budget_key = ? AND next_at <= now}. A key that
 * updates no row refuses: the transaction rolls back, so no key is taken, and the caller learns how long to wait.
 * The row lock serialises concurrent takes of one key across instances; one of them wins.
 */
public class JdbcBudgetLedger implements BudgetLedger {

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public JdbcBudgetLedger(NamedParameterJdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
        // never part of the caller's transaction: the row locks are held for the take only
        tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    @Override
    public Verdict take(List<Key> keys) {
        List<Key> ordered = keys.stream().sorted(Comparator.comparing(Key::name)).toList();
        for (Key key : ordered) {
            if (!known.contains(key.name())) {
                try {
                    jdbc.update("INSERT INTO provider_budgets (budget_key, next_at) VALUES (:k, 0)", Map.of("k", key.name()));
                } catch (DuplicateKeyException exists) {
                    // another take (or instance) created it first
                }
                known.add(key.name());
            }
        }
        return tx.execute(status -> {
            long now = DatabaseClock.nowMicros(jdbc.getJdbcTemplate());
            for (Key key : ordered) {
                int taken = jdbc.update("UPDATE provider_budgets SET next_at = :next WHERE budget_key = :k AND next_at <= :now",
                        Map.of("k", key.name(), "now", now, "next", now + key.intervalMicros()));
                if (taken == 0) {
                    status.setRollbackOnly();
                    Long next = jdbc.queryForObject("SELECT next_at FROM provider_budgets WHERE budget_key = :k",
                            Map.of("k", key.name()), Long.class);
                    return new Verdict(false, key.name(), next == null ? 0 : Math.max(0, next - now));
                }
            }
            return Verdict.GRANTED;
        });
    }
}
