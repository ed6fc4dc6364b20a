package io.integrationhub.provider.slack;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.webhook.Signatures;
import io.integrationhub.platform.webhook.WebhookVerifier;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.webhook.InboundEvent;
import io.integrationhub.platform.webhook.WebhookOutcome;
import io.integrationhub.platform.webhook.WebhookProperties;
import io.integrationhub.platform.webhook.WebhookRejection;
import io.integrationhub.platform.webhook.WebhookRequest;

/**
 * Slack: {@code X-Slack-Signature} = "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" +
 * raw body)), refused when the timestamp is more than 5 minutes from now. {@code url_verification}
 * is answered with its challenge; Events API callbacks are deduplicated by {@code event_id}; form
 * bodies (slash commands, interactivity) by a hash of the body. The app-wide {@code token} field is never kept.
 */
@Component("slackWebhookVerifier")
public class SlackWebhookVerifier extends WebhookVerifier {

    /**
     * Slack's deprecated app-wide verification token, sent in every event, command and interaction: the same for
     * every workspace, so it is dropped before the event is stored, listed, published or dead-lettered (as Graph's
     * clientState is). The signature has already been checked on the raw bytes.
     */
    static final String TOKEN = "token";

    private final WebhookProperties webhooks;

    public SlackWebhookVerifier(ObjectMapper mapper, ProviderCatalog catalog, WebhookProperties webhooks) {
        super(mapper, catalog);
        this.webhooks = webhooks;
    }

    public static String signature(String secret, String timestamp, byte[] body) {
        return "v0=" + HexFormat.of().formatHex(Signatures.hmacSha256(secret, Signatures.utf8("v0:" + timestamp + ":"), body));
    }

    @Override
    public WebhookOutcome verify(WebhookRequest request) {
        String given = required(request, "x-slack-signature");
        String timestamp = required(request, "x-slack-request-timestamp");
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw WebhookRejection.unauthorized("X-Slack-Request-Timestamp is not a number.");
        }
        if (Math.abs(Instant.now().getEpochSecond() - seconds) > webhooks.getSlackMaxSkew().toSeconds()) {
            throw WebhookRejection.unauthorized("X-Slack-Request-Timestamp is outside the accepted window.");
        }
        if (!Signatures.sameSignature(signature(webhookSecret("slack"), timestamp, request.body()), given)) {
            throw WebhookRejection.unauthorized("X-Slack-Signature does not match the request.");
        }
        String contentType = request.header("content-type");
        if (contentType != null && contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
            return form(request);
        }
        JsonNode root = json(request.body());
        String type = text(root, "type");
        if ("url_verification".equals(type)) {
            ObjectNode answer = mapper.createObjectNode().put("challenge", text(root, "challenge"));
            return WebhookOutcome.handshake(200, "application/json", answer.toString());
        }
        if (!"event_callback".equals(type) || !root.path("event").isObject()) {
            throw WebhookRejection.badRequest("Expected a Slack event_callback or url_verification.");
        }
        String id = text(root, "event_id");
        JsonNode stored = ((ObjectNode) root).without(TOKEN);
        return WebhookOutcome.events(List.of(new InboundEvent(id != null ? id : stableHash(stored),
                text(root.path("event"), "type"), text(root, "team_id"), null, stored)), 200);
    }

    private WebhookOutcome form(WebhookRequest request) {
        ObjectNode fields = mapper.createObjectNode();
        for (String pair : utf8(request.body()).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            fields.put(name, value);
        }
        String team = text(fields, "team_id");
        String type = fields.has("command") ? "command" : "interaction";
        if (team == null && fields.has("payload")) {
            JsonNode payload = json(Signatures.utf8(fields.get("payload").asText()));
            team = text(payload.path("team"), "id");
            fields.set("payload", payload.isObject() ? ((ObjectNode) payload).without(TOKEN) : payload);
        }
        fields.remove(TOKEN);
        return WebhookOutcome.events(List.of(new InboundEvent("sha256:" + Signatures.sha256Hex(request.body()), type,
                team, null, fields)), 200);
    }
}
