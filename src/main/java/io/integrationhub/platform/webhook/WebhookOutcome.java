package io.integrationhub.platform.webhook;

import java.util.List;

/**
 * What a verifier decided about an authentic request: either a handshake answered at once and
 * stored nowhere (Graph validation, Slack url_verification, Xero intent-to-receive, Google sync),
 * or events to store before acknowledging with {@code ackStatus}.
 */
public record WebhookOutcome(List<InboundEvent> events, int ackStatus, String contentType, String body) {

    public static WebhookOutcome handshake(int status, String contentType, String body) {
        return new WebhookOutcome(List.of(), status, contentType, body);
    }

    public static WebhookOutcome events(List<InboundEvent> events, int ackStatus) {
        return new WebhookOutcome(List.copyOf(events), ackStatus, null, null);
    }

    public boolean isHandshake() {
        return events.isEmpty();
    }
}
