package io.integrationhub.platform.webhook.subscription;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.cluster.QuartzInstanceIds;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.webhook.WebhookProperties;

/**
 * Webhooks are hints, and a hub that was down missed them. Every instance moves the one cluster row
 * of {@code hub_heartbeat} forward every {@code hub.webhooks.heartbeat-interval}; at start-up, when
 * that last heartbeat of any instance is older than {@code hub.webhooks.outage-threshold}, the hub
 * was down: a conditional UPDATE lets exactly one instance claim the outage, and that instance asks
 * for an incremental sync ({@link SyncRequests}, reason {@value #REASON}) of every active connection
 * whose provider sends webhooks or that has an active subscription.
 */
@Component("hubHeartbeat")
public class HubHeartbeat {

    public static final String REASON = "hub-outage";
    private static final Logger LOG = LoggerFactory.getLogger(HubHeartbeat.class);

    private final NamedParameterJdbcTemplate platform;
    private final SyncRequests syncs;
    private final ProviderCatalog catalog;
    private final WebhookProperties properties;
    private final String instanceId = QuartzInstanceIds.hostName() + "/" + UUID.randomUUID();
    private final AtomicBoolean startupChecked = new AtomicBoolean();

    public HubHeartbeat(NamedParameterJdbcTemplate platform, SyncRequests syncs, ProviderCatalog catalog,
            WebhookProperties properties) {
        this.platform = platform;
        this.syncs = syncs;
        this.catalog = catalog;
        this.properties = properties;
    }

    /** The heartbeat route's step: the outage check on the first firing (start-up), then the beat. */
    public void beat() {
        if (startupChecked.compareAndSet(false, true)) {
            try {
                checkOutage();
            } catch (RuntimeException e) {
                LOG.warn("Hub outage check failed: {}", e.toString());
            }
        }
        Instant now = Instant.now();
        // Never moves the beat backwards (clock skew between instances).
        platform.update("UPDATE hub_heartbeat SET beat_at = :now, instance_id = :instance WHERE id = 'cluster' "
                + "AND (beat_at IS NULL OR beat_at < :now)", Map.of("now", Timestamp.from(now), "instance", instanceId));
    }

    /**
     * Claims an outage (last heartbeat older than the threshold) and, if this instance won the claim,
     * requests the incremental syncs. The claim moves the heartbeat to now, so the outage is handled
     * once across the cluster and a second call finds nothing to do.
     *
     * @return how many connections were asked to sync (0 when there was no outage or another instance claimed it)
     */
    public int checkOutage() {
        Instant now = Instant.now();
        int claimed = platform.update("UPDATE hub_heartbeat SET outage_from = beat_at, outage_until = :now, "
                + "beat_at = :now, instance_id = :instance WHERE id = 'cluster' AND beat_at < :threshold",
                Map.of("now", Timestamp.from(now), "instance", instanceId,
                        "threshold", Timestamp.from(now.minus(properties.getOutageThreshold()))));
        if (claimed == 0) {
            return 0;
        }
        List<String> webhookProviders = catalog.all().stream().filter(ProviderDefinition::webhooks)
                .map(ProviderDefinition::key).toList();
        List<Map<String, Object>> targets = platform.queryForList("SELECT c.tenant_id, c.id, c.provider FROM connections c "
                + "WHERE c.status = 'active' AND (c.provider IN (:providers) OR EXISTS (SELECT 1 FROM provider_subscriptions s "
                + "WHERE s.connection_id = c.id AND s.status = 'active')) ORDER BY c.tenant_id, c.id",
                Map.of("providers", webhookProviders));
        LOG.warn("Hub outage detected (no heartbeat for more than {}): asking {} connections for an incremental sync",
                properties.getOutageThreshold(), targets.size());
        for (Map<String, Object> row : targets) {
            UUID tenantId = (UUID) row.get("tenant_id");
            UUID connectionId = (UUID) row.get("id");
            catalog.find((String) row.get("provider")).ifPresent(definition -> definition.entities().forEach(entity ->
                    syncs.requestIncremental(tenantId, connectionId, entity, REASON)));
        }
        return targets.size();
    }

}
