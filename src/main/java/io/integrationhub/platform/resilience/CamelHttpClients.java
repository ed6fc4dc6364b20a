package io.integrationhub.platform.resilience;

import java.time.Duration;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * How the hub's camel-http clients to providers are shaped (endpoint option {@code httpClientConfigurer}):
 * no retries of their own — the caller's policy (resilience layer, token manager) is the only one — no
 * redirects followed behind the caller's back, and explicit timeouts.
 */
public final class CamelHttpClients {

    private CamelHttpClients() {
    }

    public static HttpClientConfigurer withoutRetriesOrRedirects(Duration connectionRequestTimeout, Duration responseTimeout) {
        return builder -> builder
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.of(connectionRequestTimeout))
                        .setResponseTimeout(Timeout.of(responseTimeout))
                        .setRedirectsEnabled(false)
                        .build());
    }
}
