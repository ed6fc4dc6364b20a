package io.integrationhub.platform.oauth;

/** The token endpoint refused the request for another reason (client misconfigured, bad request). */
public class TokenEndpointException extends RuntimeException {
    public TokenEndpointException(String message) {
        super(message, null, false, false);
    }
}
