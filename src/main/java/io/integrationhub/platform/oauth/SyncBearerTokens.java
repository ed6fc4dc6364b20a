package io.integrationhub.platform.oauth;

import java.util.UUID;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

import io.integrationhub.platform.resilience.BearerTokens;

/** The token manager as the sync engine's and the resilience layer's source of bearer tokens. */
@Component
public class SyncBearerTokens implements BearerTokens {

    private final TokenManager tokens;

    public SyncBearerTokens(TokenManager tokens) {
        this.tokens = tokens;
    }

    @Override
    public String bearer(UUID tenantId, UUID connectionId) {
        return reauthOnFailure(() -> tokens.accessToken(tenantId, connectionId));
    }

    @Override
    public String refreshAfterUnauthorized(UUID tenantId, UUID connectionId, String rejectedToken) {
        return reauthOnFailure(() -> tokens.refreshRejected(tenantId, connectionId, rejectedToken).orElseThrow(
                () -> new ReauthorizationRequired("the provider rejected the connection's credentials and they "
                        + "cannot be refreshed; reconnect it")));
    }

    private static String reauthOnFailure(Supplier<String> call) {
        try {
            return call.get();
        } catch (ReauthRequiredException | InvalidGrantException e) {
            throw new ReauthorizationRequired(e.getMessage());
        }
    }
}
