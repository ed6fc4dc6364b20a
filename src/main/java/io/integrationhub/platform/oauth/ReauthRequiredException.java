package io.integrationhub.platform.oauth;

import java.util.UUID;

/** The connection cannot give out tokens until the user authorizes it again (or it is not connected). */
public class ReauthRequiredException extends RuntimeException {
    private final UUID connectionId;

    public ReauthRequiredException(UUID connectionId, String message) {
        super(message, null, false, false);
        this.connectionId = connectionId;
    }

    public UUID connectionId() {
        return connectionId;
    }
}
