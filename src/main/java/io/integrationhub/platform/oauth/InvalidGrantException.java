package io.integrationhub.platform.oauth;

/** The provider no longer honours the grant (expired, revoked or superseded refresh token, bad code). */
public class InvalidGrantException extends RuntimeException {
    public InvalidGrantException(String message) {
        super(message, null, false, false);
    }
}
