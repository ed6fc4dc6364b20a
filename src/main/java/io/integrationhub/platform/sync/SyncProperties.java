package io.integrationhub.platform.sync;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** {@code hub.sync.*}: the sync engine on this instance. */
@Validated
@ConfigurationProperties(prefix = "hub.sync")
public class SyncProperties {

    /** Runs executed at the same time on this instance. */
    @Min(1)
    private int workers = 4;
    /** A running run whose owner has not written a heartbeat for this long is taken over. */
    @NotNull
    private Duration staleAfter = Duration.ofSeconds(60);
    /** A queued run nobody started within this time (its request was lost) is started by the sweeper. */
    @NotNull
    private Duration queuedGrace = Duration.ofSeconds(60);
    /** Records marked deleted per transaction after a complete full run. */
    @Min(1)
    private int sweepBatch = 500;
    /** Errors kept in a run's {@code errors[]}; more are still dead-lettered. */
    @Min(1)
    private int maxErrorsKept = 100;
    /** Push runs: links re-pushed (and orphans removed) between two checkpoints. */
    @Min(1)
    private int pushBatch = 100;
    /**
     * Push runs remove an unlinked object the hub created only when the provider says it was created at least this
     * long before the run started: an action that has just created one may not have saved its link yet, and the
     * provider's clock is not the hub's.
     */
    @NotNull
    private Duration pushOrphanMinAge = Duration.ofMinutes(2);

    /**
     * How often a running pull run reads whether it was cancelled: at a page boundary at least this long after its
     * last look (and at its first). Pages of a fast provider follow each other within milliseconds; reading the run's
     * row at every one of them was a database round trip per page. {@code 0}: at every page boundary.
     */
    @NotNull
    private Duration cancelCheckInterval = Duration.ofMillis(250);

    public Duration getCancelCheckInterval() { return cancelCheckInterval; }
    public void setCancelCheckInterval(Duration v) { cancelCheckInterval = v; }

    /**
     * Write-behind page commit: a pull run fetches and maps its next page while the previous page's transaction is
     * being written (on a thread of its own, up to {@link #getWriteBehindPages()} pages in flight per run, pages
     * committed in order; the last page, a cancellation, a hand-back and a failure wait for them). {@code false}: each page is committed before the
     * next is fetched.
     */
    private boolean writeBehind = true;

    public boolean isWriteBehind() { return writeBehind; }
    public void setWriteBehind(boolean v) { writeBehind = v; }

    /**
     * Pages of a run in flight with write-behind: 2 (PostgreSQL) lets a page's upsert run beside the previous page's
     * transaction, which the page waits for before it writes its checkpoint and events and commits (pages still commit
     * in order, one failing rolls the next back); 1: one page in flight. H2 always has one (its read-then-write page
     * path must see the previous page committed).
     */
    @Min(1)
    @jakarta.validation.constraints.Max(2)
    private int writeBehindPages = 2;

    public int getWriteBehindPages() { return writeBehindPages; }
    public void setWriteBehindPages(int v) { writeBehindPages = v; }

    /** Due schedules fired per tick of route {@code sync.schedules.tick} (the rest wait for the next tick). */
    @Min(1)
    private int scheduleBatch = 500;

    public int getScheduleBatch() { return scheduleBatch; }
    public void setScheduleBatch(int v) { scheduleBatch = v; }
    public int getWorkers() { return workers; }
    public void setWorkers(int v) { workers = v; }
    public Duration getStaleAfter() { return staleAfter; }
    public void setStaleAfter(Duration v) { staleAfter = v; }
    public Duration getQueuedGrace() { return queuedGrace; }
    public void setQueuedGrace(Duration v) { queuedGrace = v; }
    public int getSweepBatch() { return sweepBatch; }
    public void setSweepBatch(int v) { sweepBatch = v; }
    public int getMaxErrorsKept() { return maxErrorsKept; }
    public void setMaxErrorsKept(int v) { maxErrorsKept = v; }
    public int getPushBatch() { return pushBatch; }
    public void setPushBatch(int v) { pushBatch = v; }
    public Duration getPushOrphanMinAge() { return pushOrphanMinAge; }
    public void setPushOrphanMinAge(Duration v) { pushOrphanMinAge = v; }
}
