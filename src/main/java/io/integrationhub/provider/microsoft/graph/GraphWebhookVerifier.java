package io.integrationhub.provider.microsoft.graph;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.webhook.Signatures;
import io.integrationhub.platform.webhook.WebhookVerifier;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.webhook.InboundEvent;
import io.integrationhub.platform.webhook.InboundEvent.SubscriptionRef;
import io.integrationhub.platform.webhook.WebhookOutcome;
import io.integrationhub.platform.webhook.WebhookRejection;
import io.integrationhub.platform.webhook.WebhookRequest;
import io.integrationhub.platform.webhook.subscription.ProviderSubscription;
import io.integrationhub.platform.webhook.subscription.SubscriptionSecrets;
import io.integrationhub.platform.webhook.subscription.SubscriptionStore;

/**
 * Microsoft Graph change and lifecycle notifications (OneDrive, Outlook mail, Outlook calendar).
 * {@code ?validationToken=} is echoed decoded as text/plain. Basic notifications carry no HMAC: each
 * item's {@code clientState} must equal the secret stored (encrypted) for its subscription, compared
 * in constant time; one wrong item refuses the whole delivery. Items for subscriptions the hub does
 * not know are acknowledged and dropped (they cannot be authenticated, and Graph would otherwise keep
 * retrying them for hours). Accepted with 202.
 */
@Component("graphWebhookVerifier")
public class GraphWebhookVerifier extends WebhookVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(GraphWebhookVerifier.class);

    private final SubscriptionStore subscriptions;
    private final SubscriptionSecrets secrets;

    public GraphWebhookVerifier(ObjectMapper mapper, ProviderCatalog catalog, SubscriptionStore subscriptions,
            SubscriptionSecrets secrets) {
        super(mapper, catalog);
        this.subscriptions = subscriptions;
        this.secrets = secrets;
    }

    @Override
    public WebhookOutcome verify(WebhookRequest request) {
        Optional<String> token = queryParam(request.rawQuery(), "validationToken");
        if (token.isPresent()) {
            return WebhookOutcome.handshake(200, "text/plain", token.get());
        }
        JsonNode root = json(request.body());
        JsonNode items = root.path("value");
        if (!items.isArray()) {
            throw WebhookRejection.badRequest("A Graph notification body has a 'value' array.");
        }
        List<InboundEvent> events = new ArrayList<>();
        for (JsonNode item : items) {
            String subscriptionId = text(item, "subscriptionId");
            if (subscriptionId == null) {
                throw WebhookRejection.badRequest("Every Graph notification names its subscriptionId.");
            }
            Optional<ProviderSubscription> known = subscriptions.findByExternalId(ProviderSubscription.GRAPH, subscriptionId)
                    .filter(s -> s.provider().equals(request.provider()));
            if (known.isEmpty()) {
                LOG.info("Graph notification for unknown subscription dropped ({})", request.provider());
                continue;
            }
            ProviderSubscription s = known.get();
            String expected = s.secretCt() == null ? null : secrets.open(s.tenantId(), s.secretCt());
            if (!Signatures.sameSignature(expected, text(item, "clientState"))) {
                throw WebhookRejection.unauthorized("clientState does not match the subscription.");
            }
            String lifecycle = text(item, "lifecycleEvent");
            String type = lifecycle != null ? "lifecycle." + lifecycle : "change." + text(item, "changeType");
            String id = text(item, "id");
            // clientState is the subscription's secret: verified above, never stored, listed or dead-lettered.
            JsonNode stored = item.isObject() ? ((com.fasterxml.jackson.databind.node.ObjectNode) item.deepCopy())
                    .without("clientState") : item;
            events.add(new InboundEvent(id != null && lifecycle == null ? id : stableHash(stored), type, null,
                    new SubscriptionRef(s.id(), s.tenantId(), s.connectionId()), stored));
        }
        return events.isEmpty() ? WebhookOutcome.handshake(202, null, "") : WebhookOutcome.events(events, 202);
    }

    static Optional<String> queryParam(String rawQuery, String name) {
        if (rawQuery == null) {
            return Optional.empty();
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }
}
