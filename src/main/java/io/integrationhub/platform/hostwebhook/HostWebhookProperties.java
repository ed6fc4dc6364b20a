package io.integrationhub.platform.hostwebhook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the signed webhooks to host applications ({@code hub.host-webhooks.*}, docs/host-webhooks.md).
 * {@code timeout-ms}, {@code poll-interval-ms} and {@code concurrency} are also read by the routes of
 * {@code host-webhooks.camel.yaml}.
 */
@ConfigurationProperties("hub.host-webhooks")
public class HostWebhookProperties {

    /** Whether this instance sends deliveries (the route host-webhooks.dispatch); the relay writes them anyway. */
    private boolean enabled = true;
    /** Pause between two looks for due deliveries. */
    private long pollIntervalMs = 500;
    /** Deliveries sent at the same time by this instance (consumers of the delivery queue). */
    private int concurrency = 16;
    /** Delay before each attempt: the first is the delay of the first attempt, then one per retry. */
    private List<Duration> retrySchedule = new ArrayList<>(List.of(Duration.ZERO, Duration.ofSeconds(5),
            Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
            Duration.ofHours(10)));
    /** How long the previous secret still signs (a second signature) after a rotation. */
    private Duration secretRotationGrace = Duration.ofHours(24);
    /** Hosts deliveries may go to even on a private or loopback network (names, or {@code *.example.com}). */
    private List<String> allowedHosts = new ArrayList<>();
    /** Connect and response timeout of one attempt: a 2xx later than this counts as a failure. */
    private long timeoutMs = 15000;
    /** Deliveries of one endpoint sent at the same time at most (a slow endpoint holds only these). */
    private int maxInFlightPerEndpoint = 4;
    /** Due deliveries claimed per poll. */
    private int batchSize = 100;
    /** An instance holds a claimed delivery this long; after a crash another one takes it again then. */
    private Duration lease = Duration.ofMinutes(2);

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public long getPollIntervalMs() { return pollIntervalMs; }
    public void setPollIntervalMs(long pollIntervalMs) { this.pollIntervalMs = pollIntervalMs; }
    public int getConcurrency() { return concurrency; }
    public void setConcurrency(int concurrency) { this.concurrency = concurrency; }
    public List<Duration> getRetrySchedule() { return retrySchedule; }
    public void setRetrySchedule(List<Duration> retrySchedule) { this.retrySchedule = retrySchedule; }
    public Duration getSecretRotationGrace() { return secretRotationGrace; }
    public void setSecretRotationGrace(Duration secretRotationGrace) { this.secretRotationGrace = secretRotationGrace; }
    public List<String> getAllowedHosts() { return allowedHosts; }
    public void setAllowedHosts(List<String> allowedHosts) { this.allowedHosts = allowedHosts; }
    public long getTimeoutMs() { return timeoutMs; }
    public void setTimeoutMs(long timeoutMs) { this.timeoutMs = timeoutMs; }
    public int getMaxInFlightPerEndpoint() { return maxInFlightPerEndpoint; }
    public void setMaxInFlightPerEndpoint(int maxInFlightPerEndpoint) { this.maxInFlightPerEndpoint = maxInFlightPerEndpoint; }
    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int batchSize) { this.batchSize = batchSize; }
    public Duration getLease() { return lease; }
    public void setLease(Duration lease) { this.lease = lease; }
}
