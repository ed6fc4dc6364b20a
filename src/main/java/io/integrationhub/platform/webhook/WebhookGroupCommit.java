package io.integrationhub.platform.webhook;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.integrationhub.platform.events.Outbox;
import io.integrationhub.platform.events.OutboxMessage;

/**
 * Group commit of the webhook ingress: the inbox rows (and their outbox rows) of the requests that arrive while a
 * commit is running are written together in the next transaction — one lookup of the events' connections, one JDBC
 * batch, one outbox insert, one commit (one WAL flush on PostgreSQL) for many requests instead of one each. A request
 * thread hands its verified events over (their rows, CloudEvents included, are built on the writer thread once the
 * lookup answered) and waits until the transaction holding them committed; only then is the provider answered, so nothing is
 * acknowledged before it is durable. Nobody waits for a batch to fill: the writer takes whatever is queued at
 * once, so a lone request costs one transaction as before, and under load the batches grow by themselves.
 * <p>
 * If a group's transaction fails, each of its requests is written again in its own transaction, so one bad request
 * fails alone (its caller gets the exception and answers {@code 503}); the others are unaffected. At most
 * {@code hub.webhooks.group-commit-max-batch} requests share a transaction; {@code 1} turns group commit off: each
 * request writes its own transaction on its own thread, as before.
 */
@Component
public class WebhookGroupCommit implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookGroupCommit.class);

    /** One inbox row to insert unless its dedupe key is there; {@code handOff} is its outbox row (null: none). */
    public record Row(WebhookEvent event, String dedupeKey, String accountId, OutboxMessage handOff) {
    }

    /** A connection an event is stored for. */
    public record Target(UUID tenantId, UUID connectionId) {
    }

    /**
     * One event of a request. Its connections are {@link #known()} (a subscription's), or looked up by provider and
     * account in the transaction that stores it — for the whole group in one query — so a connection made or
     * disconnected a moment before is seen as it is at the commit.
     */
    public interface Event {
        String provider();

        /** The provider account the event belongs to; null: none (with no known connection, it is ignored). */
        String accountId();

        /** The event's connections when they need no lookup; null: look them up by provider and account. */
        List<Target> known();

        /** The inbox rows (and outbox rows) of the event for these connections (none: an {@code ignored} row). */
        List<Row> rows(List<Target> targets);
    }

    private record Unit(List<Event> events, String headersJson, CompletableFuture<List<WebhookEvent>> done) {
    }

    private record Account(String provider, String accountId) {
    }

    private final NamedParameterJdbcTemplate jdbc;
    private final WebhookEventStore store;
    private final Outbox outbox;
    private final TransactionTemplate tx;
    private final int maxBatch;
    private final BlockingQueue<Unit> queue = new LinkedBlockingQueue<>();
    private volatile Thread writer;
    private volatile boolean running;

    public WebhookGroupCommit(NamedParameterJdbcTemplate jdbc, WebhookEventStore store, Outbox outbox, TransactionTemplate tx,
            WebhookProperties properties) {
        this.jdbc = jdbc;
        this.store = store;
        this.outbox = outbox;
        this.tx = tx;
        this.maxBatch = Math.max(1, properties.getGroupCommitMaxBatch());
    }

    /**
     * Writes the events of one request (in the transaction of the group it joins) and returns, once committed, the
     * stored events with an outbox row that were new. Throws what the write threw when it failed.
     */
    public List<WebhookEvent> write(List<Event> events, String headersJson) {
        if (events.isEmpty()) {
            return List.of();
        }
        Unit unit = new Unit(events, headersJson, new CompletableFuture<>());
        if (!running || maxBatch == 1) { // 1: no group commit, each request writes on its own thread as before
            return writeAlone(unit);
        }
        queue.add(unit);
        if (!running && queue.remove(unit)) { // stopped meanwhile: nobody will take it
            return writeAlone(unit);
        }
        try {
            return unit.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the webhook was being stored", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Requests waiting for the next group's transaction (not counting the one being written). */
    public int waiting() {
        return queue.size();
    }

    private void loop() {
        List<Unit> group = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Unit first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, maxBatch - 1);
                commit(group);
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            } catch (RuntimeException | Error e) {
                LOG.error("Webhook group commit failed", e);
                for (Unit unit : group) {
                    unit.done().completeExceptionally(e);
                }
            } finally {
                group.clear();
            }
        }
    }

    private void commit(List<Unit> group) {
        if (group.size() == 1) {
            complete(group.get(0));
            return;
        }
        List<List<WebhookEvent>> results;
        try {
            results = tx.execute(status -> {
                Map<Account, List<Target>> targets = lookUp(group);
                List<List<Row>> unitRows = new ArrayList<>(group.size());
                List<Row> rows = new ArrayList<>();
                List<String> headers = new ArrayList<>();
                for (Unit unit : group) {
                    List<Row> own = rows(unit, targets);
                    unitRows.add(own);
                    for (Row row : own) {
                        rows.add(row);
                        headers.add(unit.headersJson());
                    }
                }
                boolean[] isNew = store.insertAllIfNew(rows, headers);
                List<List<WebhookEvent>> stored = new ArrayList<>(group.size());
                List<OutboxMessage> messages = new ArrayList<>();
                int i = 0;
                for (List<Row> unitRow : unitRows) {
                    List<WebhookEvent> own = new ArrayList<>();
                    for (Row row : unitRow) {
                        if (isNew[i++] && row.handOff() != null) {
                            own.add(row.event());
                            messages.add(row.handOff());
                        }
                    }
                    stored.add(own);
                }
                outbox.enqueueAll(messages);
                return stored;
            });
        } catch (RuntimeException e) {
            LOG.warn("Webhook group of {} requests not stored together ({}); storing each on its own", group.size(),
                    e.toString());
            group.forEach(this::complete);
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            group.get(i).done().complete(results.get(i));
        }
    }

    private void complete(Unit unit) {
        try {
            unit.done().complete(writeAlone(unit));
        } catch (RuntimeException e) {
            unit.done().completeExceptionally(e);
        }
    }

    private List<WebhookEvent> writeAlone(Unit unit) {
        return tx.execute(status -> {
            List<WebhookEvent> stored = new ArrayList<>();
            List<OutboxMessage> messages = new ArrayList<>();
            for (Row row : rows(unit, lookUp(List.of(unit)))) {
                boolean isNew = store.insertIfNew(row.event(), row.dedupeKey(), row.accountId(), unit.headersJson());
                if (isNew && row.handOff() != null) {
                    stored.add(row.event());
                    messages.add(row.handOff());
                }
            }
            outbox.enqueueAll(messages);
            return stored;
        });
    }

    private static List<Row> rows(Unit unit, Map<Account, List<Target>> targets) {
        List<Row> rows = new ArrayList<>();
        for (Event event : unit.events()) {
            List<Target> known = event.known();
            rows.addAll(event.rows(known != null ? known
                    : targets.getOrDefault(new Account(event.provider(), event.accountId()), List.of())));
        }
        return rows;
    }

    /**
     * The live connections of the group's provider accounts, in one query inside the storing transaction; oldest
     * first. A cross-tenant lookup by design: the provider, not a tenant, is calling, and the verified signature is
     * what authorises it (two tenants may connect the same account: the event is stored for each).
     */
    private Map<Account, List<Target>> lookUp(List<Unit> group) {
        Set<String> providers = new HashSet<>();
        Set<String> accounts = new HashSet<>();
        for (Unit unit : group) {
            for (Event event : unit.events()) {
                if (event.known() == null && event.accountId() != null) {
                    providers.add(event.provider());
                    accounts.add(event.accountId());
                }
            }
        }
        if (accounts.isEmpty()) {
            return Map.of();
        }
        Map<Account, List<Target>> targets = new HashMap<>();
        jdbc.query("SELECT provider, account_id, tenant_id, id FROM connections WHERE provider IN (:providers) "
                + "AND account_id IN (:accounts) AND status <> 'disconnected' ORDER BY created_at, id",
                Map.of("providers", providers, "accounts", accounts), rs -> {
                    targets.computeIfAbsent(new Account(rs.getString("provider"), rs.getString("account_id")),
                            k -> new ArrayList<>()).add(new Target(rs.getObject("tenant_id", UUID.class),
                                    rs.getObject("id", UUID.class)));
                });
        return targets;
    }

    @Override
    public void start() {
        running = true;
        Thread t = new Thread(this::loop, "webhook-group-commit");
        t.setDaemon(true);
        writer = t;
        t.start();
    }

    @Override
    public void stop() {
        running = false;
        Thread t = writer;
        if (t != null) {
            try {
                t.join(5000); // the queued requests are still written; their callers are answered
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Unit left;
        while ((left = queue.poll()) != null) {
            complete(left);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts before, and stops after, the web server and Camel (which hand requests over). */
    @Override
    public int getPhase() {
        return 0;
    }
}
