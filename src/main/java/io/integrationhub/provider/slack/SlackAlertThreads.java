package io.integrationhub.provider.slack;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.resilience.ProviderCalls;
import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * The fold step of the Slack alert flow (routes/slack/alerts.camel.yaml): alerts of one cause (exchange property
 * {@code SlackCause}) posted to the same channel within {@code hub.slack.alerts.fold-window} become replies in the
 * thread of the first one ({@code thread_ts}). Kept in {@code slack_alert_threads} (V43), so every hub instance
 * and a restarted one fold into the same thread. A route cannot say this well: it is tenant-scoped storage.
 */
@Component("slackAlertThreads")
public class SlackAlertThreads {

    /** Exchange properties the route reads and sets. */
    static final String CAUSE = "SlackCause";
    static final String CHANNEL = "SlackChannel";
    static final String THREAD = "SlackThreadTs";
    static final String REPEAT = "SlackRepeat";

    private final TenantJdbc jdbc;
    private final Duration window;

    public SlackAlertThreads(TenantJdbc jdbc, @Value("${hub.slack.alerts.fold-window:PT1H}") Duration window) {
        this.jdbc = jdbc;
        this.window = window;
    }

    private record Thread(String channel, String ts, Instant startedAt, int replies) {
    }

    /** Sets {@code SlackThreadTs} (empty: a new parent message) and {@code SlackRepeat} (replies so far + 1, or 0). */
    public void fold(Exchange exchange) {
        Optional<Thread> open = find(exchange).filter(t -> t.channel().equals(exchange.getProperty(CHANNEL, String.class))
                && t.startedAt().isAfter(Instant.now().minus(window)));
        exchange.setProperty(THREAD, open.map(Thread::ts).orElse(""));
        exchange.setProperty(REPEAT, open.map(t -> t.replies() + 1).orElse(0));
    }

    /** After Slack accepted the message ({@code ts} of its answer): a new parent opens the cause's thread. */
    public void remember(Exchange exchange, String ts) {
        Map<String, Object> p = key(exchange);
        if (exchange.getProperty(THREAD, "", String.class).isEmpty()) {
            p.put("channel", exchange.getProperty(CHANNEL, String.class));
            p.put("ts", ts);
            p.put("now", Timestamp.from(Instant.now()));
            UUID tenant = tenant(exchange);
            jdbc.update(tenant, "DELETE FROM slack_alert_threads WHERE tenant_id = :tenantId AND connection_id = :connectionId "
                    + "AND cause = :cause", p);
            jdbc.update(tenant, "INSERT INTO slack_alert_threads (tenant_id, connection_id, cause, channel, thread_ts, "
                    + "started_at, replies) VALUES (:tenantId, :connectionId, :cause, :channel, :ts, :now, 0)", p);
        } else {
            jdbc.update(tenant(exchange), "UPDATE slack_alert_threads SET replies = replies + 1 WHERE tenant_id = :tenantId "
                    + "AND connection_id = :connectionId AND cause = :cause", p);
        }
    }

    private Optional<Thread> find(Exchange exchange) {
        return jdbc.queryOne(tenant(exchange), "SELECT channel, thread_ts, started_at, replies FROM slack_alert_threads "
                + "WHERE tenant_id = :tenantId AND connection_id = :connectionId AND cause = :cause", key(exchange),
                (rs, i) -> new Thread(rs.getString("channel"), rs.getString("thread_ts"),
                        rs.getTimestamp("started_at").toInstant(), rs.getInt("replies")));
    }

    private static Map<String, Object> key(Exchange exchange) {
        Map<String, Object> p = new HashMap<>();
        p.put("connectionId", exchange.getProperty(ProviderCalls.CONNECTION, UUID.class));
        String cause = exchange.getProperty(CAUSE, String.class);
        p.put("cause", cause.length() > 300 ? cause.substring(0, 300) : cause);
        return p;
    }

    private static UUID tenant(Exchange exchange) {
        return exchange.getProperty(ProviderCalls.TENANT, UUID.class);
    }
}
