package io.integrationhub.platform.webhook;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the webhook pipeline ({@code hub.webhooks.*}); provider secrets stay under {@code hub.providers.*}. */
@ConfigurationProperties("hub.webhooks")
public class WebhookProperties {

    /** Largest accepted request body; anything bigger is answered 413 before it is read. */
    private int maxBodyBytes = 1024 * 1024;
    /** HubSpot v3: oldest accepted X-HubSpot-Request-Timestamp. */
    private Duration hubspotMaxAge = Duration.ofMinutes(5);
    /** Slack v0: largest accepted distance between X-Slack-Request-Timestamp and now. */
    private Duration slackMaxSkew = Duration.ofMinutes(5);
    /** How often stored-but-unpublished and stuck events are looked for (also once at start-up). */
    private Duration recoveryInterval = Duration.ofSeconds(15);
    /** A stored event younger than this is left to the request that stored it. */
    private Duration recoveryMinAge = Duration.ofSeconds(10);
    /** A claimed event not finished within this time is considered abandoned (crash) and processed again. */
    private Duration processingLease = Duration.ofMinutes(5);
    /** Renew subscriptions that expire within this window. */
    private Duration renewBefore = Duration.ofHours(12);
    /** Lifetime asked for when creating or renewing a Graph subscription (Graph caps it per resource). */
    private Duration graphSubscriptionLifetime = Duration.ofMinutes(4230);
    /** Lifetime asked for a Google Drive changes channel (Google caps changes.watch at one week). */
    private Duration driveChannelLifetime = Duration.ofDays(7);
    /** How often every instance records its liveness in {@code hub_heartbeat}. */
    private Duration heartbeatInterval = Duration.ofMinutes(1);
    /** A last heartbeat (of any instance) older than this at start-up means the hub was down: incremental syncs. */
    private Duration outageThreshold = Duration.ofMinutes(5);

    /**
     * How long publishing a received webhook may wait for Kafka metadata (the producer's {@code max.block.ms}) and
     * for the broker's acknowledgement ({@code delivery.timeout.ms} and {@code request.timeout.ms}): a broker outage
     * answers the provider {@code 503} after at most their sum instead of holding a request thread for minutes.
     */
    private int publishMaxBlockMs = 3000;
    private int publishDeliveryTimeoutMs = 5000;
    /** The {@code Retry-After} of a {@code 503} (inbox or Kafka unavailable). */
    private Duration retryAfter = Duration.ofSeconds(30);

    /** Admission control: requests that may store at the same time; one more is answered 503 at once. */
    private int maxInFlight = 64;
    /** The {@code Retry-After} of a {@code 503} refused by admission control. */
    private Duration overloadRetryAfter = Duration.ofSeconds(1);

    /** Group commit: at most this many webhook requests share one inbox transaction ({@code 1}: each its own). */
    private int groupCommitMaxBatch = 64;
    /**
     * Kafka consumers of route {@code webhooks.consume} on this instance (camel-kafka {@code consumersCount}): events
     * of different connections are processed in parallel, up to the provider topics' partitions; one connection's
     * events stay in order (keyed by connection id, one partition). Each consumer adds a Kafka client (threads and
     * its JMX metrics, which the ops console loads): 1 by default, more for webhook-heavy instances.
     */
    private int consumers = 1;
    /**
     * Webhook requests in the hub at once (accepted by the servlet container, not yet answered: waiting for a worker
     * or being stored); one more is answered 503 with {@code Retry-After: overload-retry-after} before its body is read.
     */
    private int maxQueued = 256;

    public int getMaxQueued() { return maxQueued; }
    public void setMaxQueued(int v) { maxQueued = v; }

    public int getConsumers() { return consumers; }
    public void setConsumers(int v) { consumers = v; }

    public int getGroupCommitMaxBatch() { return groupCommitMaxBatch; }
    public void setGroupCommitMaxBatch(int v) { groupCommitMaxBatch = v; }
    public int getMaxInFlight() { return maxInFlight; }
    public void setMaxInFlight(int v) { maxInFlight = v; }
    public Duration getOverloadRetryAfter() { return overloadRetryAfter; }
    public void setOverloadRetryAfter(Duration v) { overloadRetryAfter = v; }

    public int getPublishMaxBlockMs() { return publishMaxBlockMs; }
    public void setPublishMaxBlockMs(int v) { publishMaxBlockMs = v; }
    public int getPublishDeliveryTimeoutMs() { return publishDeliveryTimeoutMs; }
    public void setPublishDeliveryTimeoutMs(int v) { publishDeliveryTimeoutMs = v; }
    public Duration getRetryAfter() { return retryAfter; }
    public void setRetryAfter(Duration v) { retryAfter = v; }

    public int getMaxBodyBytes() { return maxBodyBytes; }
    public void setMaxBodyBytes(int maxBodyBytes) { this.maxBodyBytes = maxBodyBytes; }
    public Duration getHubspotMaxAge() { return hubspotMaxAge; }
    public void setHubspotMaxAge(Duration hubspotMaxAge) { this.hubspotMaxAge = hubspotMaxAge; }
    public Duration getSlackMaxSkew() { return slackMaxSkew; }
    public void setSlackMaxSkew(Duration slackMaxSkew) { this.slackMaxSkew = slackMaxSkew; }
    public Duration getRecoveryInterval() { return recoveryInterval; }
    public void setRecoveryInterval(Duration recoveryInterval) { this.recoveryInterval = recoveryInterval; }
    public Duration getRecoveryMinAge() { return recoveryMinAge; }
    public void setRecoveryMinAge(Duration recoveryMinAge) { this.recoveryMinAge = recoveryMinAge; }
    public Duration getProcessingLease() { return processingLease; }
    public void setProcessingLease(Duration processingLease) { this.processingLease = processingLease; }
    public Duration getRenewBefore() { return renewBefore; }
    public void setRenewBefore(Duration renewBefore) { this.renewBefore = renewBefore; }
    public Duration getGraphSubscriptionLifetime() { return graphSubscriptionLifetime; }
    public void setGraphSubscriptionLifetime(Duration d) { this.graphSubscriptionLifetime = d; }
    public Duration getDriveChannelLifetime() { return driveChannelLifetime; }
    public void setDriveChannelLifetime(Duration d) { this.driveChannelLifetime = d; }
    public Duration getHeartbeatInterval() { return heartbeatInterval; }
    public void setHeartbeatInterval(Duration d) { this.heartbeatInterval = d; }
    public Duration getOutageThreshold() { return outageThreshold; }
    public void setOutageThreshold(Duration d) { this.outageThreshold = d; }

    @Override
    public String toString() {
        return "WebhookProperties{maxBodyBytes=" + maxBodyBytes + "}";
    }
}
