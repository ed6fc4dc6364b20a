package io.integrationhub.platform.events;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the outbox relay ({@code hub.outbox.*}). The Kafka producer settings of the relay endpoint
 * ({@code max-block-ms}, {@code delivery-timeout-ms}) are read by the route {@code outbox.relay.batch}.
 */
@ConfigurationProperties("hub.outbox")
public class OutboxProperties {

    /** Rows claimed and sent per relay transaction. */
    private int batchSize = 1000;
    /** Pause between relay rounds when the outbox was drained (the relay loops without pause while full). */
    private long pollIntervalMs = 100;
    /** Longest pause after failed sends (the pause doubles per failure from poll-interval-ms up to this). */
    private Duration maxBackoff = Duration.ofSeconds(5);
    /** Readiness reports DOWN only when the oldest unrelayed event is older than this. */
    private Duration unhealthyLag = Duration.ofMinutes(5);

    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int batchSize) { this.batchSize = batchSize; }
    public long getPollIntervalMs() { return pollIntervalMs; }
    public void setPollIntervalMs(long pollIntervalMs) { this.pollIntervalMs = pollIntervalMs; }
    public Duration getMaxBackoff() { return maxBackoff; }
    public void setMaxBackoff(Duration maxBackoff) { this.maxBackoff = maxBackoff; }
    public Duration getUnhealthyLag() { return unhealthyLag; }
    public void setUnhealthyLag(Duration unhealthyLag) { this.unhealthyLag = unhealthyLag; }
}
