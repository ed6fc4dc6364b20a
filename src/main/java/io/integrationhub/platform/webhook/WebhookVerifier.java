package io.integrationhub.platform.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.apache.camel.Exchange;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.config.HubProperties.ProviderSettings;
import io.integrationhub.platform.webhook.WebhookOutcome;
import io.integrationhub.platform.webhook.WebhookRejection;
import io.integrationhub.platform.webhook.WebhookRequest;

/**
 * One verifier per provider. The ingress route picks it by provider ({@code check} is the route
 * step); {@link #verify} authenticates the raw request first and only then parses it.
 */
public abstract class WebhookVerifier {

    public static final String REQUEST = "HubWebhookRequest";
    public static final String OUTCOME = "HubWebhookOutcome";
    /** Whether the verified request carries events to store (false: a handshake, answered without a write). */
    public static final String HAS_EVENTS = "HubWebhookHasEvents";

    protected final ObjectMapper mapper;
    private final ProviderCatalog catalog;

    protected WebhookVerifier(ObjectMapper mapper, ProviderCatalog catalog) {
        this.mapper = mapper;
        this.catalog = catalog;
    }

    /**
     * Route step: verifies the request the ingress read and leaves the outcome for the next steps, and whether it has
     * events to store as a plain flag (a {@code simple} predicate reads it; a {@code method} predicate would copy the
     * exchange on every request).
     */
    public void check(Exchange exchange) {
        WebhookOutcome outcome = verify(exchange.getProperty(REQUEST, WebhookRequest.class));
        exchange.setProperty(OUTCOME, outcome);
        exchange.setProperty(HAS_EVENTS, !outcome.isHandshake());
    }

    public abstract WebhookOutcome verify(WebhookRequest request);

    /** {@code hub.providers.<settings key>.webhook-secret}; a provider without one cannot be verified. */
    protected String webhookSecret(String provider) {
        ProviderDefinition definition = catalog.find(provider)
                .orElseThrow(() -> WebhookRejection.unknownProvider(provider));
        ProviderSettings settings = catalog.settings(definition);
        String secret = settings.getWebhookSecret();
        if (secret == null || secret.isBlank()) {
            throw WebhookRejection.unauthorized("The hub has no webhook secret configured for '" + provider + "'.");
        }
        return secret;
    }

    protected ProviderSettings settings(String provider) {
        return catalog.find(provider).map(catalog::settings).orElseThrow(() -> WebhookRejection.unknownProvider(provider));
    }

    protected static String required(WebhookRequest request, String header) {
        String value = request.header(header);
        if (value == null || value.isBlank()) {
            throw WebhookRejection.unauthorized("Missing " + header + " header.");
        }
        return value.trim();
    }

    protected JsonNode json(byte[] body) {
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw WebhookRejection.badRequest("The webhook body is empty.");
            }
            return node;
        } catch (IOException e) {
            throw WebhookRejection.badRequest("The webhook body is not valid JSON.");
        }
    }

    /** A stable key for an event without a provider id: the SHA-256 of its JSON as delivered. */
    protected String stableHash(JsonNode event) {
        try {
            return "sha256:" + Signatures.sha256Hex(mapper.writeValueAsBytes(event));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    protected static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    protected static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    protected static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
