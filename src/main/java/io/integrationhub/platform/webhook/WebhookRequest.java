package io.integrationhub.platform.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * One inbound webhook call as the provider sent it: the raw body bytes (signatures are computed over
 * these, never over re-serialised JSON), header names in lower case, and the raw query string.
 */
public record WebhookRequest(String provider, String method, String path, String rawQuery,
        Map<String, String> headers, byte[] body) {

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
