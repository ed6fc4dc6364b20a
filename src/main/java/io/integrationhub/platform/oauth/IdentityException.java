package io.integrationhub.platform.oauth;

/** The provider's identity (profile/organisation) call failed; the message quotes the provider's answer. */
public class IdentityException extends RuntimeException {
    private final int status;

    public IdentityException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
