package io.integrationhub.platform.tenancy;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Connect sessions ({@code hub.connect-sessions.*}, docs/host-integration.md). */
@ConfigurationProperties("hub.connect-sessions")
public class ConnectSessionProperties {

    /** How long a connect-session token works after it was issued. */
    private Duration ttl = Duration.ofMinutes(30);

    public Duration getTtl() {
        return ttl;
    }

    public void setTtl(Duration ttl) {
        this.ttl = ttl;
    }
}
