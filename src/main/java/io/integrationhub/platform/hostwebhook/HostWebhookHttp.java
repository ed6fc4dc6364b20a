package io.integrationhub.platform.hostwebhook;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.integrationhub.platform.security.OutboundUrlGuard;

/**
 * The outbound side of host webhooks: the URL check and the HTTP client of the route step
 * {@code host-webhooks.deliver.post}. An endpoint URL must pass the platform's {@link OutboundUrlGuard}: a host
 * of {@code hub.host-webhooks.allowed-hosts} (which may be private, e.g. a host app on the cluster network), or
 * else a host whose every address is public. The guard is the client's DNS resolver and connections are never
 * reused, so every attempt resolves the name again and connects only to addresses it just checked (a name
 * re-bound to a private address is refused at the next attempt). Redirects are not followed.
 */
@Configuration
@EnableConfigurationProperties(HostWebhookProperties.class)
public class HostWebhookHttp {

    /** Checks endpoint URLs (at create/update and before every attempt) and resolves hosts for the client. */
    public static final class UrlGuard {
        private final OutboundUrlGuard listed;
        private final OutboundUrlGuard publicOnly;

        public UrlGuard(List<String> allowedHosts) {
            this.listed = allowedHosts == null || allowedHosts.stream().allMatch(String::isBlank) ? null
                    : new OutboundUrlGuard(allowedHosts);
            this.publicOnly = new OutboundUrlGuard(List.of());
        }

        /** The URL when deliveries may go there now; else {@link OutboundUrlGuard.Refused} saying why. */
        public URI check(String url) throws OutboundUrlGuard.Refused {
            if (listed != null) {
                try {
                    return listed.check(url);
                } catch (OutboundUrlGuard.Refused notListed) {
                    // not an allow-listed host: it must be public
                }
            }
            return publicOnly.check(url);
        }

        InetAddress[] resolve(String host) throws UnknownHostException {
            if (listed != null) {
                try {
                    return listed.resolve(host);
                } catch (OutboundUrlGuard.Refused notListed) {
                    // not an allow-listed host: every address must be public
                }
            }
            return publicOnly.resolve(host);
        }
    }

    @Bean
    UrlGuard hostWebhookUrlGuard(HostWebhookProperties properties) {
        return new UrlGuard(properties.getAllowedHosts());
    }

    @Bean(name = "hostWebhookConnections", destroyMethod = "close")
    PoolingHttpClientConnectionManager hostWebhookConnections(UrlGuard guard, HostWebhookProperties properties) {
        Timeout timeout = Timeout.ofMilliseconds(properties.getTimeoutMs());
        return PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new DnsResolver() {
                    @Override
                    public InetAddress[] resolve(String host) throws UnknownHostException {
                        return guard.resolve(host);
                    }

                    @Override
                    public String resolveCanonicalHostname(String host) {
                        return host;
                    }
                })
                .setMaxConnTotal(200).setMaxConnPerRoute(Math.max(1, properties.getMaxInFlightPerEndpoint()))
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout)
                        .build())
                .build();
    }

    /** Camel http endpoint option {@code httpClientConfigurer}: no redirects, no connection reuse, no retries. */
    @Bean("hostWebhookHttpClient")
    HttpClientConfigurer hostWebhookHttpClient(HostWebhookProperties properties) {
        Timeout timeout = Timeout.ofMilliseconds(properties.getTimeoutMs());
        return builder -> builder
                .setConnectionReuseStrategy((request, response, context) -> false)
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).setRedirectsEnabled(false)
                        .build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement().disableAuthCaching()
                .disableContentCompression();
    }

}
