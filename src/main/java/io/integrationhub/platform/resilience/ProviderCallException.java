package io.integrationhub.platform.resilience;

import java.time.Instant;

/** A provider call that did not succeed after the resilience layer did what it could. */
public class ProviderCallException extends RuntimeException {

    public enum Kind {
        /** 5xx, timeouts or connection errors after all retries, or the circuit is open. */
        UNAVAILABLE,
        /** The provider refused for quota reasons; retrying before {@code resumeAfter} is pointless. */
        QUOTA,
        /** A daily quota: the connection is marked {@code error} until it resets. */
        DAILY_QUOTA,
        /** 401 even after a token refresh, or the grant is gone. */
        UNAUTHORIZED,
        /** Any other 4xx: the request itself is wrong. */
        REJECTED
    }

    private final Kind kind;
    private final int status;
    private final transient Instant resumeAfter;

    public ProviderCallException(Kind kind, int status, String message, Instant resumeAfter) {
        super(message);
        this.kind = kind;
        this.status = status;
        this.resumeAfter = resumeAfter;
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    public Instant resumeAfter() {
        return resumeAfter;
    }
}
