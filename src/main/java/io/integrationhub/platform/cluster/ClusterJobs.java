package io.integrationhub.platform.cluster;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.util.TimeUtils;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Singleton jobs of the cluster (the sync sweep, webhook recovery, the token keep-alive): every instance's timer
 * ticks, and the first tick after the job is due, on whichever instance, runs it. Route step: a {@code filter} on
 * {@link #due}, which claims the job's period in table {@code cluster_jobs} (Flyway {@code V33}) with one
 * conditional UPDATE on the database's clock — one claim per period wins cluster-wide. An instance that dies holds
 * nothing: the next period is claimed by another.
 */
@Component("clusterJobs")
public class ClusterJobs {

    private final NamedParameterJdbcTemplate jdbc;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public ClusterJobs(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Whether this tick runs the job: true for the one claim per period. {@code period} as the timer's ({@code 15s},
     * {@code 1h}, milliseconds). The period claimed is a little shorter than the timer's (a tenth, at most a second),
     * so the instance that ran the last period, ticking a hair early, still wins the next one.
     */
    public boolean due(String job, String period) {
        long millis = TimeUtils.toMilliSeconds(period);
        long claimed = millis - Math.min(1000, millis / 10);
        if (!known.contains(job)) {
            try {
                jdbc.update("INSERT INTO cluster_jobs (name, next_at) VALUES (:n, 0)", Map.of("n", job));
            } catch (DuplicateKeyException exists) {
                // another instance created it first
            }
            known.add(job);
        }
        long now = DatabaseClock.nowMicros(jdbc.getJdbcTemplate()) / 1000;
        return jdbc.update("UPDATE cluster_jobs SET next_at = :next WHERE name = :n AND next_at <= :now",
                Map.of("n", job, "now", now, "next", now + claimed)) == 1;
    }
}
