package io.integrationhub.platform.webhook;

import io.integrationhub.platform.problem.Problem;

/** A webhook request the hub refuses; becomes a problem+json answer with the status, never a stack trace. */
public class WebhookRejection extends RuntimeException {

    private final transient Problem problem;

    private WebhookRejection(Problem problem) {
        super(problem.title() + ": " + problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public static WebhookRejection unauthorized(String detail) {
        return new WebhookRejection(Problem.of(401, "webhook-signature", "Webhook not authenticated", detail));
    }

    public static WebhookRejection unknownProvider(String provider) {
        return new WebhookRejection(Problem.of(404, "not-found", "Not found",
                "No webhook endpoint for provider '" + provider + "'."));
    }

    public static WebhookRejection badRequest(String detail) {
        return new WebhookRejection(Problem.of(400, "bad-request", "Bad request", detail));
    }

    public static WebhookRejection tooLarge(int limit) {
        return new WebhookRejection(Problem.of(413, "payload-too-large", "Payload too large",
                "Webhook bodies are limited to " + limit + " bytes."));
    }
}
