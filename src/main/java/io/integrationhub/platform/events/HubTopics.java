package io.integrationhub.platform.events;

/** Public Kafka topics of the contract (hub → host applications). */
public final class HubTopics {
    public static final String RECORD_CHANGES = "hub.records.changes";
    public static final String CONNECTIONS = "hub.connections";
    public static final String SYNCS = "hub.syncs";
    public static final String DEAD_LETTERS = "hub.dead-letters";
    /** Host webhook endpoint events (an endpoint disabled after 410 Gone or a failed retry schedule). */
    public static final String WEBHOOK_ENDPOINTS = "hub.webhook-endpoints";

    private HubTopics() {
    }
}
