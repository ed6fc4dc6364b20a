package io.integrationhub.platform.vault;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A connection's secrets in the clear, in memory only. {@code toString} never shows them, so a
 * credentials object that slips into a log line or exception message leaks nothing.
 */
public record Credentials(
        UUID connectionId,
        String accessToken,
        String refreshToken,
        String apiKey,
        String tokenType,
        Instant expiresAt,
        Instant refreshExpiresAt,
        Instant refreshedAt,
        long version,
        Map<String, String> providerData) {

    public Credentials {
        providerData = providerData == null ? Map.of() : Map.copyOf(providerData);
    }

    /** True while the access token is good for at least {@code skewSeconds} more. */
    public boolean accessValidFor(Instant now, long skewSeconds) {
        return accessToken != null && (expiresAt == null || expiresAt.isAfter(now.plusSeconds(skewSeconds)));
    }

    public Credentials withConnectionId(UUID id) {
        return new Credentials(id, accessToken, refreshToken, apiKey, tokenType, expiresAt, refreshExpiresAt, refreshedAt,
                version, providerData);
    }

    @Override
    public String toString() {
        return "Credentials{connection=" + connectionId + ", accessToken=" + (accessToken == null ? "none" : "***")
                + ", refreshToken=" + (refreshToken == null ? "none" : "***") + ", apiKey=" + (apiKey == null ? "none" : "***")
                + ", expiresAt=" + expiresAt + ", refreshExpiresAt=" + refreshExpiresAt + ", version=" + version + "}";
    }
}
