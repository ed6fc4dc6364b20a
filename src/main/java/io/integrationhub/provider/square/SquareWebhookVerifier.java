package io.integrationhub.provider.square;

import java.util.Base64;
import java.util.List;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.webhook.Signatures;
import io.integrationhub.platform.webhook.WebhookVerifier;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.webhook.InboundEvent;
import io.integrationhub.platform.webhook.WebhookOutcome;
import io.integrationhub.platform.webhook.WebhookRejection;
import io.integrationhub.platform.webhook.WebhookRequest;

/**
 * Square: {@code x-square-hmacsha256-signature} = base64(HMAC-SHA256(signature key, notification URL
 * + raw body)), the URL exactly as registered: {@code {hub.public-url}/webhooks/square}. Dedupe by
 * {@code event_id}; the connection is the one whose account is {@code merchant_id}.
 */
@Component("squareWebhookVerifier")
public class SquareWebhookVerifier extends WebhookVerifier {

    private final HubProperties hub;

    public SquareWebhookVerifier(ObjectMapper mapper, ProviderCatalog catalog, HubProperties hub) {
        super(mapper, catalog);
        this.hub = hub;
    }

    public static String signature(String key, String notificationUrl, byte[] body) {
        return Base64.getEncoder().encodeToString(Signatures.hmacSha256(key, Signatures.utf8(notificationUrl), body));
    }

    public String notificationUrl() {
        return Signatures.stripSlash(hub.getPublicUrl()) + "/webhooks/square";
    }

    @Override
    public WebhookOutcome verify(WebhookRequest request) {
        String given = required(request, "x-square-hmacsha256-signature");
        if (!Signatures.sameSignature(signature(webhookSecret("square"), notificationUrl(), request.body()), given)) {
            throw WebhookRejection.unauthorized("x-square-hmacsha256-signature does not match the notification URL and body.");
        }
        JsonNode event = json(request.body());
        if (!event.isObject() || text(event, "type") == null) {
            throw WebhookRejection.badRequest("A Square event is a JSON object with a 'type'.");
        }
        String id = text(event, "event_id");
        return WebhookOutcome.events(List.of(new InboundEvent(id != null ? id : stableHash(event), text(event, "type"),
                text(event, "merchant_id"), null, event)), 200);
    }

}
