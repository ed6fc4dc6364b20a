package io.integrationhub.platform.resilience;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSession;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.springframework.stereotype.Component;

/**
 * Provider calls from Java, through the platform provider endpoint. {@link Scope} names the connection a call is
 * made for; {@link Scope#send} takes a request built with the JDK's {@link HttpRequest} builder (method, URI,
 * headers, body) and sends it as a call of {@code direct:<provider>.provider} — the route template
 * {@code provider-endpoint} ({@code camel/provider.camel.yaml}, Java steps {@link ProviderCalls}): the vault's bearer
 * token, the provider's request budget, {@code Retry-After}, backoff on 5xx, one refresh after a 401 and the
 * family's camel-resilience4j circuit breaker. Nothing here opens a connection of its own.
 *
 * <p>When no family folder instantiates the template for a provider yet, the route is added on the provider's first
 * call ({@link TemplatedRouteBuilder}: route id {@code <provider>.provider}, prefix id {@code <provider>.}), so a
 * call from Java and a call from a family's YAML route pass the same steps and the same breaker.
 */
@Component
public class ProviderHttp {

    /** The endpoint's template ({@code camel/provider.camel.yaml}). */
    public static final String TEMPLATE = "provider-endpoint";
    /**
     * Headers a Java caller's request may carry through a provider endpoint added at run time: all it set, except
     * those the endpoint owns (the bearer token, hop-by-hop and Camel's own headers).
     */
    static final String JAVA_HEADERS = "(?i)(?!authorization$|host$|content-length$|connection$|camel|provider|hub).+";
    /** Stands for the bearer token while a caller's request is built; the endpoint sets the real one. */
    private static final String TOKEN_PLACEHOLDER = "provider-endpoint-sets-the-token";
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final CamelContext camel;
    private final ProducerTemplate producer;

    public ProviderHttp(CamelContext camel, ProducerTemplate producer) {
        this.camel = camel;
        this.producer = producer;
    }

    /**
     * What a caller reads of a provider's answer, whatever carried it (e.g. {@code GraphClient.Reply}).
     * {@link #text()} is read only for error answers.
     */
    public interface Reply {
        int statusCode();

        /** First value of a response header, or null. */
        String header(String name);

        /** The body as text (error answers only; a streamed success body is never read here). */
        String text();
    }

    /** Calls on behalf of one connection. */
    public Scope scope(String provider, UUID tenantId, UUID connectionId) {
        return new Scope(provider, tenantId, connectionId);
    }

    /**
     * The provider endpoint of a provider key, {@code direct:<provider>.provider}: the family's own route when its
     * folder instantiates the template, else one added now from the template.
     */
    public String endpoint(String provider) {
        if (provider == null || !KEY.matcher(provider).matches()) {
            throw new IllegalArgumentException("not a provider key: " + provider);
        }
        String routeId = provider + ".provider";
        if (camel.getRoute(routeId) == null) {
            synchronized (this) {
                if (camel.getRoute(routeId) == null) {
                    TemplatedRouteBuilder.builder(camel, TEMPLATE).routeId(routeId).prefixId(provider + ".")
                            .parameter("family", provider).parameter("headers", JAVA_HEADERS).add();
                }
            }
        }
        return "direct:" + provider + ".provider";
    }

    public final class Scope {
        private final String provider;
        private final UUID tenantId;
        private final UUID connectionId;

        private Scope(String provider, UUID tenantId, UUID connectionId) {
            this.provider = provider;
            this.tenantId = tenantId;
            this.connectionId = connectionId;
        }

        /**
         * Sends the request through the provider's endpoint and returns its 2xx/3xx answer; anything else after the
         * endpoint's retries is a {@link ProviderCallException}. {@code request} is given a stand-in for the bearer
         * token, which may appear only in an {@code Authorization: Bearer} header: the endpoint puts the vault's
         * token there (and a refreshed one after a 401). The URL must lie below {@code hub.providers.<provider>.api-url}.
         */
        public HttpResponse<String> send(Function<String, HttpRequest> request) {
            HttpRequest built = request.apply(TOKEN_PLACEHOLDER);
            String url = built.uri().toString();
            if (url.contains(TOKEN_PLACEHOLDER)) {
                throw new IllegalArgumentException("the bearer token goes in the Authorization header only");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            built.headers().map().forEach((name, values) -> {
                if (values.isEmpty()) {
                    return;
                }
                if (name.equalsIgnoreCase("Authorization")) {
                    if (!values.get(0).equals("Bearer " + TOKEN_PLACEHOLDER)) {
                        throw new IllegalArgumentException("the endpoint sets the Authorization header (a bearer token)");
                    }
                    return;
                }
                if (values.stream().anyMatch(v -> v.contains(TOKEN_PLACEHOLDER))) {
                    throw new IllegalArgumentException("the bearer token goes in the Authorization header only");
                }
                headers.put(name, values.get(0));
            });
            byte[] body = built.bodyPublisher().map(ProviderHttp::bytes).orElse(null);
            Exchange result = producer.send(endpoint(provider), exchange -> {
                exchange.setProperty(ProviderCalls.TENANT, tenantId);
                exchange.setProperty(ProviderCalls.CONNECTION, connectionId);
                exchange.setProperty(ProviderCalls.PROVIDER, provider);
                Message message = exchange.getMessage();
                headers.forEach(message::setHeader);
                message.setHeader("ProviderMethod", built.method());
                message.setHeader("ProviderUrl", url);
                message.setBody(body == null || body.length == 0 ? null : body);
            });
            Exception failure = result.getException();
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure != null) {
                throw new UncheckedIOException(new IOException(provider + " call failed ("
                        + failure.getClass().getSimpleName() + ")"));
            }
            return Answer.of(built, result.getMessage());
        }

        public String provider() {
            return provider;
        }

        public UUID tenantId() {
            return tenantId;
        }

        public UUID connectionId() {
            return connectionId;
        }
    }

    /** The endpoint's answer as a JDK {@link HttpResponse}: status, the provider's response headers, the body. */
    private record Answer(int statusCode, HttpRequest request, HttpHeaders headers, String body) implements HttpResponse<String> {

        static Answer of(HttpRequest request, Message message) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            message.getHeaders().forEach((name, value) -> {
                if (value != null && !name.startsWith("Camel") && !name.startsWith("Provider")) {
                    headers.put(name, List.of(String.valueOf(value)));
                }
            });
            byte[] bytes = message.getBody(byte[].class);
            return new Answer(message.getHeader("ProviderStatus", 0, Integer.class), request,
                    HttpHeaders.of(headers, (n, v) -> true), bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8));
        }

        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    /** The bytes a JDK body publisher would send (read in memory: request bodies of API calls are small). */
    private static byte[] bytes(HttpRequest.BodyPublisher publisher) {
        if (publisher.contentLength() == 0) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                out.writeBytes(chunk);
            }

            @Override
            public void onError(Throwable throwable) {
                done.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                done.complete(out.toByteArray());
            }
        });
        try {
            return done.join();
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException("request body could not be read", e));
        }
    }

    /** Xero names the exhausted limit in X-Rate-Limit-Problem; HubSpot's 429 body names its policy. */
    static boolean isDailyLimit(String problemHeader, String body) {
        if (problemHeader != null) {
            String p = problemHeader.trim().toLowerCase(Locale.ROOT);
            return p.equals("day") || p.equals("daily");
        }
        return body != null && body.replace(" ", "").contains("\"policyName\":\"DAILY\"");
    }

    /** Retry-After as delta-seconds or an HTTP date; {@code fallback} when absent or unreadable. */
    static Duration parseRetryAfter(String value, Duration fallback) {
        if (value != null) {
            String v = value.trim();
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
            } catch (NumberFormatException notSeconds) {
                try {
                    Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    return Duration.ofMillis(Math.max(0, Instant.now().until(at, ChronoUnit.MILLIS)));
                } catch (DateTimeParseException unreadable) {
                    // fall through to the default
                }
            }
        }
        return fallback;
    }
}
