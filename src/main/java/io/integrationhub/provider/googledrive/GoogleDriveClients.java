package io.integrationhub.provider.googledrive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Collection;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPInputStream;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.google.drive.GoogleDriveClientFactory;
import org.apache.camel.component.google.drive.GoogleDriveComponent;
import org.apache.camel.component.google.drive.GoogleDriveConfiguration;
import org.apache.camel.spi.ComponentCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.drive.Drive;

import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.resilience.ProviderCalls;

/**
 * The camel-google-drive component of the Google Drive family (routes/google-drive/, docs/google.md), wired so that
 * the component is only the Drive API's Java model and request builder: its {@link GoogleDriveClientFactory} builds
 * one {@link Drive} client whose HTTP transport is the platform provider endpoint {@code direct:google-drive.provider}.
 * Every request the component makes therefore takes the vault's access token (the platform's single-flight refresh
 * stays the only one: the client has no credential and never refreshes or stores a token), a slot of the request
 * budget, the circuit breaker, 5xx backoff and the API-URL guard; the client's root URL is
 * {@code hub.providers.google-drive.api-url}, so tests and the sandbox point it at their simulators.
 *
 * <p>Whose call it is travels with each request: route step {@code googleDriveCalls.prepare} adds request headers
 * {@value #TENANT_HEADER} / {@value #CONNECTION_HEADER} (from the exchange properties the platform set); the
 * transport turns them back into exchange properties and the provider endpoint drops them before the wire.
 *
 * <p>Drive's rate limits ({@code 403 userRateLimitExceeded}/{@code rateLimitExceeded} and {@code 429}, no
 * {@code Retry-After}) are waited out here with truncated exponential backoff and jitter, each attempt again through
 * the provider endpoint; any other 4xx ends as the platform's {@link ProviderCallException}.
 */
@Configuration(proxyBeanMethods = false)
public class GoogleDriveClients {

    static final String TENANT_HEADER = "X-Hub-Tenant";
    static final String CONNECTION_HEADER = "X-Hub-Connection";
    static final String ENDPOINT = "direct:google-drive.provider";

    @Bean
    GoogleDriveClientFactory googleDriveClientFactory(@Lazy ProducerTemplate producer, ObjectMapper mapper,
            @Value("${hub.providers.google-drive.api-url:https://www.googleapis.com}") String apiUrl,
            @Value("${hub.google-drive.rate-limit.max-attempts:6}") int maxAttempts,
            @Value("${hub.google-drive.rate-limit.initial-backoff:1s}") Duration initialBackoff,
            @Value("${hub.google-drive.rate-limit.max-backoff:32s}") Duration maxBackoff) {
        return endpointClientFactory(producer, mapper, apiUrl, maxAttempts, initialBackoff, maxBackoff);
    }

    /** The factory for a component whose Drive calls go through {@code direct:google-drive.provider}. */
    public static GoogleDriveClientFactory endpointClientFactory(ProducerTemplate producer, ObjectMapper mapper,
            String apiUrl, int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        return new EndpointClientFactory(new EndpointTransport(producer, mapper, maxAttempts, initialBackoff, maxBackoff),
                apiUrl.endsWith("/") ? apiUrl : apiUrl + "/");
    }

    /** The component as the hub configures it: this factory, and the client credentials it insists on (unused). */
    public static void configure(GoogleDriveComponent component, GoogleDriveClientFactory factory) {
        component.setClientFactory(factory);
        GoogleDriveConfiguration configuration = new GoogleDriveConfiguration();
        configuration.setClientId("integration-hub");
        configuration.setClientSecret("vault");
        configuration.setApplicationName("integration-hub");
        component.setConfiguration(configuration);
    }

    /**
     * The component takes the factory; it also insists on client credentials before it asks the factory for a
     * client, which this factory ignores (tokens come from the vault per call).
     */
    @Bean
    ComponentCustomizer googleDriveComponentCustomizer(GoogleDriveClientFactory factory) {
        return ComponentCustomizer.forType(GoogleDriveComponent.class, component -> configure(component, factory));
    }

    /** Builds the one Drive client: no credential, root URL = the configured Drive API, transport = the endpoint. */
    static final class EndpointClientFactory implements GoogleDriveClientFactory {
        private final HttpTransport transport;
        private final String rootUrl;

        EndpointClientFactory(HttpTransport transport, String rootUrl) {
            this.transport = transport;
            this.rootUrl = rootUrl;
        }

        @Override
        public Drive makeClient(String clientId, String clientSecret, Collection<String> scopes, String applicationName,
                String refreshToken, String accessToken) {
            return build(applicationName);
        }

        @Override
        public Drive makeClient(CamelContext camelContext, String serviceAccountKey, Collection<String> scopes,
                String applicationName, String delegate) {
            return build(applicationName);
        }

        private Drive build(String applicationName) {
            return new Drive.Builder(transport, GsonFactory.getDefaultInstance(), null)
                    .setRootUrl(rootUrl).setServicePath("drive/v3/")
                    .setApplicationName(applicationName == null ? "integration-hub" : applicationName).build();
        }
    }

    /** google-http-client transport over {@code direct:google-drive.provider}. */
    static final class EndpointTransport extends HttpTransport {
        private static final Logger LOG = LoggerFactory.getLogger(EndpointTransport.class);
        private final ProducerTemplate producer;
        private final ObjectMapper mapper;
        private final int maxAttempts;
        private final Duration initialBackoff;
        private final Duration maxBackoff;

        EndpointTransport(ProducerTemplate producer, ObjectMapper mapper, int maxAttempts, Duration initialBackoff,
                Duration maxBackoff) {
            this.producer = producer;
            this.mapper = mapper;
            this.maxAttempts = Math.max(1, maxAttempts);
            this.initialBackoff = initialBackoff;
            this.maxBackoff = maxBackoff;
        }

        @Override
        protected LowLevelHttpRequest buildRequest(String method, String url) {
            return new EndpointRequest(method, url);
        }

        final class EndpointRequest extends LowLevelHttpRequest {
            private final String method;
            private final String url;
            private String tenant;
            private String connection;

            EndpointRequest(String method, String url) {
                this.method = method;
                this.url = url;
            }

            @Override
            public void addHeader(String name, String value) {
                if (TENANT_HEADER.equalsIgnoreCase(name)) {
                    tenant = value;
                } else if (CONNECTION_HEADER.equalsIgnoreCase(name)) {
                    connection = value;
                }
                // Every other header (User-Agent, Accept-Encoding, …) is the provider endpoint's business.
            }

            @Override
            public LowLevelHttpResponse execute() throws IOException {
                if (tenant == null || connection == null) {
                    throw new IllegalStateException("A Google Drive call without its connection: route step "
                            + "googleDriveCalls.prepare must come before the google-drive component");
                }
                byte[] content = content();
                for (int attempt = 1; ; attempt++) {
                    Exchange answer = producer.send(ENDPOINT, exchange -> {
                        exchange.setProperty(ProviderCalls.TENANT, UUID.fromString(tenant));
                        exchange.setProperty(ProviderCalls.CONNECTION, UUID.fromString(connection));
                        var message = exchange.getMessage();
                        message.setHeader("ProviderMethod", method);
                        message.setHeader("ProviderUrl", url);
                        message.setHeader("ProviderPassThrough", "403,429");
                        if (content != null) {
                            message.setHeader("Content-Type", getContentType() == null ? "application/json" : getContentType());
                            message.setBody(content);
                        } else {
                            message.setBody("");
                        }
                    });
                    if (answer.getException() instanceof RuntimeException failure) {
                        throw failure;
                    }
                    if (answer.getException() != null) {
                        throw new IOException(answer.getException());
                    }
                    int status = answer.getMessage().getHeader("ProviderStatus", 0, Integer.class);
                    byte[] body = answer.getMessage().getBody(byte[].class);
                    body = body == null ? new byte[0] : body;
                    if (status == 429 || status == 403) {
                        String reason = reason(body);
                        boolean rateLimited = status == 429 || "userRateLimitExceeded".equals(reason)
                                || "rateLimitExceeded".equals(reason);
                        if (!rateLimited) {
                            throw new ProviderCallException(ProviderCallException.Kind.REJECTED, status,
                                    "google-drive rejected the request with 403 (" + reason + ")", null);
                        }
                        if (attempt >= maxAttempts) {
                            throw new ProviderCallException(ProviderCallException.Kind.QUOTA, status,
                                    "google-drive kept answering " + status + " (" + reason + ") after " + attempt
                                            + " attempts", java.time.Instant.now().plus(maxBackoff));
                        }
                        Duration wait = backoff(attempt);
                        LOG.info("google-drive answered {} ({}) for connection {}; backing off {} ms", status, reason,
                                connection, wait.toMillis());
                        try {
                            Thread.sleep(wait.toMillis());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted while backing off", e);
                        }
                        continue;
                    }
                    return new EndpointResponse(status, answer.getMessage().getHeader("Content-Type", String.class), body);
                }
            }

            private byte[] content() throws IOException {
                if (getStreamingContent() == null) {
                    return null;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                getStreamingContent().writeTo(out);
                byte[] bytes = out.toByteArray();
                if ("gzip".equalsIgnoreCase(getContentEncoding())) {
                    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                        bytes = in.readAllBytes();
                    }
                }
                return bytes;
            }
        }

        private Duration backoff(int attempt) {
            long base = (long) (initialBackoff.toMillis() * Math.pow(2, attempt - 1));
            long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, initialBackoff.toMillis() / 2 + 1));
            return Duration.ofMillis(Math.min(maxBackoff.toMillis(), base + jitter));
        }

        /** {@code error.errors[0].reason} of Drive's error body, or "". */
        private String reason(byte[] body) {
            try {
                JsonNode error = mapper.readTree(body).path("error");
                String reason = error.path("errors").path(0).path("reason").asText("");
                return reason.isEmpty() ? error.path("status").asText("") : reason;
            } catch (IOException | RuntimeException notJson) {
                return "";
            }
        }
    }

    static final class EndpointResponse extends LowLevelHttpResponse {
        private final int status;
        private final String contentType;
        private final byte[] body;

        EndpointResponse(int status, String contentType, byte[] body) {
            this.status = status;
            this.contentType = contentType == null ? "application/json; charset=UTF-8" : contentType;
            this.body = body;
        }

        @Override public InputStream getContent() { return new ByteArrayInputStream(body); }
        @Override public String getContentEncoding() { return null; }
        @Override public long getContentLength() { return body.length; }
        @Override public String getContentType() { return contentType; }
        @Override public String getStatusLine() { return "HTTP/1.1 " + status; }
        @Override public int getStatusCode() { return status; }
        @Override public String getReasonPhrase() { return null; }
        @Override public int getHeaderCount() { return 1; }
        @Override public String getHeaderName(int index) { return "Content-Type"; }
        @Override public String getHeaderValue(int index) { return contentType; }
    }
}
