package io.integrationhub.platform.hostwebhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature (https://www.standardwebhooks.com/): the signed content is
 * {@code <webhook-id>.<webhook-timestamp>.<body>}, the key the base64-decoded part of the secret after
 * {@code whsec_}, the signature {@code v1,<base64 HMAC-SHA256>}; several signatures (a secret rotation's grace
 * period) are separated by spaces.
 */
public final class HostWebhookSignature {

    private HostWebhookSignature() {
    }

    /** The {@code webhook-signature} header value: one {@code v1,…} entry per secret. */
    public static String header(List<String> secrets, String id, long timestamp, String body) {
        return secrets.stream().map(s -> "v1," + sign(s, id, timestamp, body)).collect(Collectors.joining(" "));
    }

    static String sign(String secret, String id, long timestamp, String body) {
        String encoded = secret.startsWith(HostWebhookEndpoints.SECRET_PREFIX)
                ? secret.substring(HostWebhookEndpoints.SECRET_PREFIX.length()) : secret;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(encoded), "HmacSHA256"));
            byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
