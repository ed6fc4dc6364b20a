package io.integrationhub.provider.microsoft.graph;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntPredicate;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.component.http.HttpComponent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.resilience.ProviderCalls;
import io.integrationhub.platform.resilience.ProviderHttp;
import io.integrationhub.platform.resilience.ResilienceProperties;
import io.integrationhub.platform.resilience.CamelHttpClients;

/**
 * Microsoft Graph v1.0 for the Microsoft family (OneDrive, Outlook mail, Outlook calendar). Every Graph API request
 * is a call of the family's provider endpoint {@value #ENDPOINT} (route {@code microsoft.provider}, the platform
 * route template {@code provider-endpoint} instantiated in {@code routes/microsoft/provider.camel.yaml}): the vault's
 * bearer token, the request budget of the connection's catalog key, {@code Retry-After} on 429, backoff on 5xx,
 * one refresh after a 401 and camel-resilience4j's circuit breaker. Upload-session fragments go the same way,
 * without the token ({@link Request#anonymous()}). The one exception is a download from the pre-authenticated
 * URL Graph redirects to (anonymous and streamed to a sink): not a Graph API call, it is fetched without any token
 * by the camel-http route {@value #DOWNLOAD}.
 *
 * <p>Graph's own error codes survive: a 4xx other than 401/429 becomes a {@link GraphException} carrying
 * {@code error.code} (e.g. {@code nameAlreadyExists}, {@code itemNotFound}, {@code resyncRequired}).
 */
@Component
public class GraphClient {

    /** The Microsoft family's provider endpoint. */
    public static final String ENDPOINT = "direct:microsoft.provider";
    /** Downloads from the pre-authenticated URL a {@code /content} request redirects to. */
    public static final String DOWNLOAD = "direct:microsoft.download";

    private final ProviderHttp http;
    private final ProducerTemplate producer;
    private final ObjectMapper mapper;
    private final Environment environment;

    public GraphClient(ProviderHttp http, ProducerTemplate producer, ObjectMapper mapper, Environment environment) {
        this.http = http;
        this.producer = producer;
        this.mapper = mapper;
        this.environment = environment;
    }

    /** Graph calls on behalf of one connection of {@code onedrive}, {@code outlook} or {@code outlook-calendar}. */
    public Session session(String provider, UUID tenantId, UUID connectionId) {
        return new Session(http.scope(provider, tenantId, connectionId), null);
    }

    /**
     * Graph calls of a Java step of one of the family's routes: the tenant, connection and catalog key (default
     * {@code provider}) the platform put on the exchange.
     */
    public Session session(Exchange exchange, String provider) {
        return session(exchange.getProperty(ProviderCalls.PROVIDER, provider, String.class),
                exchange.getProperty(ProviderCalls.TENANT, UUID.class),
                exchange.getProperty(ProviderCalls.CONNECTION, UUID.class));
    }

    /** Graph calls for a sync or action that already holds a resilience scope. */
    public Session session(ProviderHttp.Scope scope) {
        return new Session(scope, null);
    }

    /**
     * Graph calls with a bearer token the caller already holds (the platform's subscription lifecycle gets it from
     * its own token source): no refresh after a 401, everything else as for {@link #session(String, UUID, UUID)}.
     */
    public Session session(String provider, UUID tenantId, UUID connectionId, String bearer) {
        return new Session(http.scope(provider, tenantId, connectionId), bearer);
    }

    /** The configured Graph base URL ({@code hub.providers.microsoft.api-url}), without a trailing slash. */
    public String baseUrl() {
        String url = environment.getRequiredProperty("hub.providers.microsoft.api-url");
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** One request. The body is a String (JSON), byte[] or null. */
    public static final class Request {
        final String method;
        final String url;
        final Map<String, String> headers = new LinkedHashMap<>();
        Object body;
        boolean authorized = true;
        OutputStream sink;

        private Request(String method, String url) {
            this.method = method;
            this.url = url;
        }

        public static Request of(String method, String url) {
            return new Request(method.toUpperCase(Locale.ROOT), url);
        }

        public Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Request json(JsonNode body) {
            headers.put("Content-Type", "application/json");
            this.body = body.toString();
            return this;
        }

        public Request bytes(byte[] content, String contentType) {
            headers.put("Content-Type", contentType);
            this.body = content;
            return this;
        }

        /**
         * Pre-authenticated URLs (upload sessions, download URLs) must not carry the bearer token: Graph may
         * answer 401 to one that does, and the token has no business leaving for another host.
         */
        public Request anonymous() {
            this.authorized = false;
            return this;
        }

        /** A 2xx body is copied to {@code out} as it arrives instead of being held in memory. */
        public Request streamTo(OutputStream out) {
            this.sink = out;
            return this;
        }

        @Override
        public String toString() {
            return method + " " + url.replaceAll("\\?.*", "?…");
        }
    }

    /** Graph's answer. {@link #json()} is empty for streamed or empty bodies. */
    public record Reply(int status, Map<String, String> headers, String body, JsonNode json) implements ProviderHttp.Reply {
        @Override
        public int statusCode() {
            return status;
        }

        @Override
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String text() {
            return body;
        }

        /** Graph's {@code error.code}, when the body is a Graph error. */
        public String errorCode() {
            return json.path("error").path("code").asText(null);
        }

        @Override
        public String toString() {
            return "Reply{status=" + status + "}";
        }
    }

    /** A Graph 4xx (other than 401 and 429, which the resilience layer answers) with Graph's error code. */
    public static class GraphException extends ProviderCallException {
        private final String code;

        public GraphException(int status, String code, String message) {
            super(Kind.REJECTED, status, "Microsoft Graph answered " + status + (code == null ? "" : " " + code)
                    + (message == null || message.isBlank() ? "" : ": " + message), null);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    public final class Session {
        private final ProviderHttp.Scope scope;
        private final String bearer;

        private Session(ProviderHttp.Scope scope, String bearer) {
            this.scope = scope;
            this.bearer = bearer;
        }

        public ProviderHttp.Scope scope() {
            return scope;
        }

        /** An absolute URL for a Graph path ({@code /me/drive/root}); absolute links (nextLink) stay as they are. */
        public String url(String pathOrUrl) {
            return pathOrUrl.startsWith("http://") || pathOrUrl.startsWith("https://") ? pathOrUrl : baseUrl() + pathOrUrl;
        }

        public JsonNode get(String pathOrUrl) {
            return send(Request.of("GET", url(pathOrUrl))).json();
        }

        public JsonNode post(String path, JsonNode body) {
            return send(Request.of("POST", url(path)).json(body)).json();
        }

        public JsonNode patch(String path, JsonNode body) {
            return send(Request.of("PATCH", url(path)).json(body)).json();
        }

        public void delete(String path) {
            send(Request.of("DELETE", url(path)));
        }

        /** Sends and returns a 2xx/3xx reply; any other 4xx is a {@link GraphException}. */
        public Reply send(Request request) {
            return send(request, status -> false);
        }

        /**
         * Sends and returns the reply when it is 2xx/3xx or {@code accept} takes its status (e.g. 404 of an
         * item that may be gone, 410 of a stale delta token, 416 of an upload chunk already received).
         */
        public Reply send(Request request, IntPredicate accept) {
            Reply reply = !request.authorized && request.sink != null ? download(request) : call(this, request);
            if (reply.status() >= 400 && !accept.test(reply.status())) {
                throw new GraphException(reply.status(), reply.errorCode(), reply.json().path("error").path("message")
                        .asText(null));
            }
            return reply;
        }
    }

    /**
     * One Graph API call through the family's provider endpoint. Every 4xx but 401 comes back (ProviderPassThrough
     * {@code 4xx}) for {@link Session#send(Request, IntPredicate)} to judge with Graph's error code; a 401 after the
     * refresh, 429s and 5xx beyond the retries and an open breaker arrive as {@link ProviderCallException}.
     */
    private Reply call(Session session, Request request) {
        ProviderHttp.Scope scope = session.scope;
        Exchange result = producer.send(ENDPOINT, exchange -> {
            exchange.setProperty(ProviderCalls.TENANT, scope.tenantId());
            exchange.setProperty(ProviderCalls.CONNECTION, scope.connectionId());
            exchange.setProperty(ProviderCalls.PROVIDER, scope.provider());
            if (session.bearer != null) {
                exchange.setProperty(ProviderCalls.BEARER, session.bearer);
            }
            if (!request.authorized) {
                exchange.setProperty(ProviderCalls.ANONYMOUS, true);
            }
            if (request.sink != null) {
                exchange.setProperty(ProviderCalls.SINK, request.sink);
            }
            var message = exchange.getMessage();
            message.setHeader("ProviderMethod", request.method);
            message.setHeader("ProviderUrl", request.url);
            message.setHeader("ProviderPassThrough", ProviderCalls.ANY_4XX);
            message.setHeader("Accept", "application/json");
            request.headers.forEach(message::setHeader);
            message.setBody(request.body);
        });
        Exception failure = result.getException();
        if (failure != null) {
            throw unchecked(failure);
        }
        var message = result.getMessage();
        return reply(message.getHeader("ProviderStatus", 0, Integer.class), message);
    }

    /**
     * GET of a pre-authenticated download URL (not below the Graph API): no token, no provider budget or breaker,
     * the body copied to the sink while the connection is open. A 5xx or an unreachable host is the provider's
     * failure ({@code UNAVAILABLE}); a body that broke off is not fetched again.
     */
    private Reply download(Request request) {
        CountingSink sink = new CountingSink(request.sink);
        Exchange result = producer.send(DOWNLOAD, exchange -> {
            exchange.setProperty(ProviderCalls.FAMILY, "microsoft");
            exchange.setProperty("ProviderUrl", request.url);
            exchange.setProperty(ProviderCalls.SINK, sink);
        });
        Exception failure = result.getException();
        if (failure != null) {
            if (failure instanceof ProviderCallException p) {
                throw p;
            }
            // Only the type: an I/O message may quote the pre-authenticated URL.
            throw new ProviderCallException(ProviderCallException.Kind.UNAVAILABLE, 0, sink.count > 0
                    ? "Graph download broke off after " + sink.count + " bytes (" + failure.getClass().getSimpleName() + ")"
                    : "Graph download could not be fetched (" + failure.getClass().getSimpleName() + ")", null);
        }
        var message = result.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status == 429 || status >= 500) {
            throw new ProviderCallException(status == 429 ? ProviderCallException.Kind.QUOTA
                    : ProviderCallException.Kind.UNAVAILABLE, status, "Graph download answered " + status, null);
        }
        return reply(status, message);
    }

    private static RuntimeException unchecked(Exception failure) {
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        // Only the type: an I/O message may quote a pre-authenticated URL.
        return new UncheckedIOException(new IOException("Graph call failed (" + failure.getClass().getSimpleName() + ")"));
    }

    private Reply reply(int status, org.apache.camel.Message message) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : new String[] {"Location", "Retry-After", "Content-Type", "ETag", "Content-Range"}) {
            String value = message.getHeader(name, String.class);
            if (value != null) {
                headers.put(name.toLowerCase(Locale.ROOT), value);
            }
        }
        byte[] bytes = message.getBody(byte[].class);
        String body = bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
        return new Reply(status, headers, body, parse(body));
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    /** Counts what reached a caller's sink, so a body that broke off midway is not fetched (and written) again. */
    private static final class CountingSink extends java.io.FilterOutputStream {
        long count;

        CountingSink(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /** A Graph {@code @odata.nextLink} handed to an API caller as an opaque cursor (base64url). */
    public static String cursorOf(String nextLink) {
        return nextLink == null ? null
                : Base64.getUrlEncoder().withoutPadding().encodeToString(nextLink.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The Graph link behind a cursor from {@link #cursorOf}; a cursor that is malformed or points anywhere but
     * the configured Graph base URL is refused (400), so a caller can never make the hub send its token elsewhere.
     */
    public String linkOf(String cursor) {
        String url;
        try {
            url = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("cursor is not one this API returned.",
                    new FieldError("cursor", "malformed"));
        }
        if (!url.startsWith(baseUrl() + "/")) {
            throw ProblemException.badRequest("cursor is not one this API returned.",
                    new FieldError("cursor", "foreign"));
        }
        return url;
    }

    /** One Graph path segment (an event's id), percent-encoded: a step of the family's routes builds URLs with it. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Path segment for Graph's colon addressing ({@code root:/Jobs/A%20B:}): each segment percent-encoded. */
    public static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            out.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }

    /**
     * The camel-http component behind {@code graph-http:} endpoints (the download route {@code microsoft.download}). Its client is shaped by a configurer
     * (endpoint option {@code httpClientConfigurer}) rather than component properties, which Camel Spring
     * Boot's component customizer would overwrite with the {@code camel.component.http.*} defaults.
     */
    @Configuration(proxyBeanMethods = false)
    static class ComponentConfiguration {
        @Bean("graph-http")
        HttpComponent graphHttpComponent() {
            return new HttpComponent();
        }

        @Bean("graphHttpClientConfigurer")
        HttpClientConfigurer graphHttpClientConfigurer(ResilienceProperties properties) {
            return CamelHttpClients.withoutRetriesOrRedirects(properties.getConnectTimeout(), properties.getRequestTimeout());
        }
    }
}
