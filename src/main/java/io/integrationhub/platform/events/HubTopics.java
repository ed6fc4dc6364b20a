package io.integrationhub.platform.events;

/** Public Kafka topics of the contract (hub → host applications). */
public final class HubTopics {
    public static final String RECORD_CHANGES = "hub.records.changes";
    public static final String CONNECTIONS = "hub.connections";
    public static final String SYNCS = "hub.syncs";
    public static final String DEAD_LETTERS = "hub.dead-letters";

    private HubTopics() {
    }
}
