package io.integrationhub.platform.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.integrationhub.platform.events.Outbox;
import io.integrationhub.platform.events.OutboxMessage;

/**
 * Group commit of the webhook ingress: the inbox rows (and their outbox rows) of the requests that arrive while a
 * commit is running are written together in the next transaction — one JDBC batch, one outbox insert, one commit
 * (one WAL flush on PostgreSQL) for many requests instead of one each. A request thread hands its rows over and
 * waits until the transaction holding them committed; only then is the provider answered, so nothing is
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

    private record Unit(List<Row> rows, String headersJson, CompletableFuture<List<WebhookEvent>> done) {
    }

    private final WebhookEventStore store;
    private final Outbox outbox;
    private final TransactionTemplate tx;
    private final int maxBatch;
    private final BlockingQueue<Unit> queue = new LinkedBlockingQueue<>();
    private volatile Thread writer;
    private volatile boolean running;

    public WebhookGroupCommit(WebhookEventStore store, Outbox outbox, TransactionTemplate tx, WebhookProperties properties) {
        this.store = store;
        this.outbox = outbox;
        this.tx = tx;
        this.maxBatch = Math.max(1, properties.getGroupCommitMaxBatch());
    }

    /**
     * Writes the rows of one request (in the transaction of the group it joins) and returns, once committed, the
     * events with an outbox row that were new. Throws what the write threw when it failed.
     */
    public List<WebhookEvent> write(List<Row> rows, String headersJson) {
        if (rows.isEmpty()) {
            return List.of();
        }
        Unit unit = new Unit(rows, headersJson, new CompletableFuture<>());
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
                List<Row> rows = new ArrayList<>();
                List<String> headers = new ArrayList<>();
                for (Unit unit : group) {
                    for (Row row : unit.rows()) {
                        rows.add(row);
                        headers.add(unit.headersJson());
                    }
                }
                boolean[] isNew = store.insertAllIfNew(rows, headers);
                List<List<WebhookEvent>> stored = new ArrayList<>(group.size());
                List<OutboxMessage> messages = new ArrayList<>();
                int i = 0;
                for (Unit unit : group) {
                    List<WebhookEvent> own = new ArrayList<>();
                    for (Row row : unit.rows()) {
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
            for (Row row : unit.rows()) {
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
