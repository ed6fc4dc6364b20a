package io.integrationhub.platform.tenancy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A connect session as the API shows it (never its token): one end user of one tenant, the providers it may
 * connect ({@code null}: all of the catalog) and where the host wants its user back.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectSession(UUID id, @JsonIgnore UUID tenantId, EndUser endUser, List<String> providers, String returnUrl,
        Instant expiresAt, Instant revokedAt, Instant createdAt) {

    /** Usable now: neither revoked nor expired. */
    @JsonIgnore
    public boolean isLive() {
        return revokedAt == null && expiresAt.isAfter(Instant.now());
    }

    /** Whether the session may see and connect {@code provider}. */
    public boolean allows(String provider) {
        return providers == null || providers.contains(provider);
    }
}
