package io.integrationhub.platform.oauth;

/** The provider did not answer usefully (timeout, connection failure, 5xx, 429): worth retrying later. */
public class ProviderUnavailableException extends RuntimeException {
    public ProviderUnavailableException(String message) {
        super(message, null, false, false);
    }
}
