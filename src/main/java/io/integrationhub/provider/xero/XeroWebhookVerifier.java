package io.integrationhub.provider.xero;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.webhook.Signatures;
import io.integrationhub.platform.webhook.WebhookVerifier;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.webhook.InboundEvent;
import io.integrationhub.platform.webhook.WebhookOutcome;
import io.integrationhub.platform.webhook.WebhookRejection;
import io.integrationhub.platform.webhook.WebhookRequest;

/**
 * Xero: {@code x-xero-signature} = base64(HMAC-SHA256(webhook key, raw body)). An intent-to-receive
 * delivery (no events) is answered 200 only when signed correctly. Xero events carry no id, so the
 * dedupe key is a hash of the event; 200 answers have an empty body, as Xero requires.
 */
@Component("xeroWebhookVerifier")
public class XeroWebhookVerifier extends WebhookVerifier {

    public XeroWebhookVerifier(ObjectMapper mapper, ProviderCatalog catalog) {
        super(mapper, catalog);
    }

    public static String signature(String key, byte[] body) {
        return Base64.getEncoder().encodeToString(Signatures.hmacSha256(key, body));
    }

    @Override
    public WebhookOutcome verify(WebhookRequest request) {
        String given = required(request, "x-xero-signature");
        if (!Signatures.sameSignature(signature(webhookSecret("xero"), request.body()), given)) {
            throw WebhookRejection.unauthorized("x-xero-signature does not match the body.");
        }
        JsonNode root = json(request.body());
        JsonNode events = root.path("events");
        if (!events.isArray()) {
            throw WebhookRejection.badRequest("A Xero webhook body has an 'events' array.");
        }
        List<InboundEvent> found = new ArrayList<>();
        for (JsonNode event : events) {
            String type = lower(text(event, "eventCategory")) + "." + lower(text(event, "eventType"));
            found.add(new InboundEvent(stableHash(event), type, text(event, "tenantId"), null, event));
        }
        return found.isEmpty() ? WebhookOutcome.handshake(200, null, "") : WebhookOutcome.events(found, 200);
    }
}
