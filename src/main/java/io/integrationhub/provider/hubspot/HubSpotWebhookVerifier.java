package io.integrationhub.provider.hubspot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.webhook.Signatures;
import io.integrationhub.platform.webhook.WebhookVerifier;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.webhook.InboundEvent;
import io.integrationhub.platform.webhook.WebhookOutcome;
import io.integrationhub.platform.webhook.WebhookProperties;
import io.integrationhub.platform.webhook.WebhookRejection;
import io.integrationhub.platform.webhook.WebhookRequest;

/**
 * HubSpot signature v3: {@code X-HubSpot-Signature-v3} = base64(HMAC-SHA256(app secret, method + URI +
 * raw body + X-HubSpot-Request-Timestamp)), the URI being the full URL the request was sent to (from
 * {@code hub.public-url}) with HubSpot's listed percent-escapes decoded; timestamps older than the
 * window (5 minutes) are refused. The key is {@code webhook-secret}, else the app's client secret.
 * Events have an {@code eventId} that HubSpot does not promise to be unique, so the dedupe key is {@code
 * eventId:occurredAt} (for an event without both: a
 * hash of the event without its {@code attemptNumber}, which changes on every retry).
 */
@Component("hubspotWebhookVerifier")
public class HubSpotWebhookVerifier extends WebhookVerifier {

    private static final Pattern DECODED = Pattern.compile("%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)", Pattern.CASE_INSENSITIVE);

    private final HubProperties hub;
    private final WebhookProperties webhooks;

    public HubSpotWebhookVerifier(ObjectMapper mapper, ProviderCatalog catalog, HubProperties hub, WebhookProperties webhooks) {
        super(mapper, catalog);
        this.hub = hub;
        this.webhooks = webhooks;
    }

    /** The v3 signature for a request to {@code uri} (already as HubSpot called it). */
    public static String signatureV3(String secret, String method, String uri, byte[] body, String timestamp) {
        return Base64.getEncoder().encodeToString(Signatures.hmacSha256(secret,
                Signatures.utf8(method + decodeUri(uri)), body, Signatures.utf8(timestamp)));
    }

    /** Decodes exactly the escapes HubSpot decodes before signing (the '?' of the query stays as sent). */
    public static String decodeUri(String uri) {
        Matcher m = DECODED.matcher(uri);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 16))));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Override
    public WebhookOutcome verify(WebhookRequest request) {
        String given = required(request, "x-hubspot-signature-v3");
        String timestamp = required(request, "x-hubspot-request-timestamp");
        long millis;
        try {
            millis = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw WebhookRejection.unauthorized("X-HubSpot-Request-Timestamp is not a number.");
        }
        long age = Instant.now().toEpochMilli() - millis;
        if (Math.abs(age) > webhooks.getHubspotMaxAge().toMillis()) {
            throw WebhookRejection.unauthorized("X-HubSpot-Request-Timestamp is outside the accepted window.");
        }
        String uri = Signatures.stripSlash(hub.getPublicUrl()) + request.path()
                + (request.rawQuery() == null || request.rawQuery().isEmpty() ? "" : "?" + request.rawQuery());
        if (!Signatures.sameSignature(signatureV3(secret(), request.method(), uri, request.body(), timestamp), given)) {
            throw WebhookRejection.unauthorized("X-HubSpot-Signature-v3 does not match the request.");
        }
        JsonNode root = json(request.body());
        if (!root.isArray()) {
            throw WebhookRejection.badRequest("A HubSpot webhook body is a JSON array of events.");
        }
        List<InboundEvent> events = new ArrayList<>();
        for (JsonNode event : root) {
            if (!event.isObject()) {
                throw WebhookRejection.badRequest("Every HubSpot event is a JSON object.");
            }
            // eventId alone is not unique; with occurredAt it names one change (retries repeat both).
            String eventId = text(event, "eventId");
            String occurredAt = text(event, "occurredAt");
            String key;
            if (eventId != null && occurredAt != null) {
                key = eventId + ":" + occurredAt;
            } else {
                ObjectNode identity = ((ObjectNode) event).deepCopy();
                identity.remove("attemptNumber");
                key = stableHash(identity);
            }
            events.add(new InboundEvent(key, text(event, "subscriptionType"), text(event, "portalId"), null, event));
        }
        return WebhookOutcome.events(events, 200);
    }

    private String secret() {
        String secret = settings("hubspot").getWebhookSecret();
        if (secret == null || secret.isBlank()) {
            secret = settings("hubspot").getClientSecret();
        }
        if (secret == null || secret.isBlank()) {
            throw WebhookRejection.unauthorized("The hub has no webhook secret configured for 'hubspot'.");
        }
        return secret;
    }
}
