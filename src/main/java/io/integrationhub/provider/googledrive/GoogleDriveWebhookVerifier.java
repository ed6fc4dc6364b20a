package io.integrationhub.provider.googledrive;

import java.util.List;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
 * Google Drive push notifications carry no signature: the channel id must be one the hub created,
 * {@code X-Goog-Channel-Token} must equal its stored token (constant time) and
 * {@code X-Goog-Resource-ID} the resource Google returned for it. The {@code sync} message that opens a
 * channel is acknowledged and not stored. Dedupe key: channel id + message number.
 */
@Component("googleDriveWebhookVerifier")
public class GoogleDriveWebhookVerifier extends WebhookVerifier {

    private final SubscriptionStore subscriptions;
    private final SubscriptionSecrets secrets;

    public GoogleDriveWebhookVerifier(ObjectMapper mapper, ProviderCatalog catalog, SubscriptionStore subscriptions,
            SubscriptionSecrets secrets) {
        super(mapper, catalog);
        this.subscriptions = subscriptions;
        this.secrets = secrets;
    }

    @Override
    public WebhookOutcome verify(WebhookRequest request) {
        String channelId = required(request, "x-goog-channel-id");
        String token = required(request, "x-goog-channel-token");
        String state = required(request, "x-goog-resource-state");
        String messageNumber = required(request, "x-goog-message-number");
        ProviderSubscription channel = subscriptions.findByExternalId(ProviderSubscription.DRIVE, channelId)
                .orElseThrow(() -> WebhookRejection.unauthorized("Unknown channel."));
        String expected = channel.secretCt() == null ? null : secrets.open(channel.tenantId(), channel.secretCt());
        if (!Signatures.sameSignature(expected, token)) {
            throw WebhookRejection.unauthorized("X-Goog-Channel-Token does not match the channel.");
        }
        String resourceId = request.header("x-goog-resource-id");
        if (channel.resourceId() != null && !channel.resourceId().equals(resourceId)) {
            throw WebhookRejection.unauthorized("X-Goog-Resource-ID does not match the channel.");
        }
        if ("sync".equals(state)) {
            return WebhookOutcome.handshake(200, null, "");
        }
        ObjectNode payload = mapper.createObjectNode();
        payload.put("channelId", channelId);
        payload.put("resourceId", resourceId);
        payload.put("resourceState", state);
        payload.put("resourceUri", request.header("x-goog-resource-uri"));
        payload.put("changed", request.header("x-goog-changed"));
        payload.put("messageNumber", messageNumber);
        payload.put("channelExpiration", request.header("x-goog-channel-expiration"));
        return WebhookOutcome.events(List.of(new InboundEvent(channelId + ":" + messageNumber, state, null,
                new SubscriptionRef(channel.id(), channel.tenantId(), channel.connectionId()), payload)), 200);
    }
}
