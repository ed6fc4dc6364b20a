package io.integrationhub.provider.microsoft;

import java.io.IOException;
import java.io.InputStream;
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
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.resilience.ProviderHttp;
import io.integrationhub.platform.resilience.ResilienceProperties;
import io.integrationhub.platform.resilience.CamelHttpClients;

/**
 * Microsoft Graph v1.0 for the Microsoft family (OneDrive, Outlook mail, Outlook calendar). Every request
 * travels through the Camel route {@value #ROUTE} (camel-http, route id {@code microsoft.graph.call} in
 * {@code routes/microsoft/graph.camel.yaml}) and is wrapped by the platform resilience layer: request budget,
 * circuit breaker, retries on 5xx/429 honouring {@code Retry-After}, and one token refresh after a 401, with
 * bearer tokens from the vault-backed token manager.
 *
 * <p>Graph's own error codes survive: a 4xx other than 401/429 becomes a {@link GraphException} carrying
 * {@code error.code} (e.g. {@code nameAlreadyExists}, {@code itemNotFound}, {@code resyncRequired}).
 */
@Component
public class GraphClient {

    public static final String ROUTE = "direct:microsoft.graph.call";
    /** Exchange properties the route reads; nothing a caller's headers could set. */
    public static final String URL = "graph.url";
    public static final String METHOD = "graph.method";
    public static final String HEADERS = "graph.headers";
    public static final String TOKEN = "graph.token";
    public static final String SINK = "graph.sink";

    private final ProviderHttp http;
    private final ProducerTemplate producer;
    private final ObjectMapper mapper;
    private final ProviderCatalog catalog;

    public GraphClient(ProviderHttp http, ProducerTemplate producer, ObjectMapper mapper, ProviderCatalog catalog) {
        this.http = http;
        this.producer = producer;
        this.mapper = mapper;
        this.catalog = catalog;
    }

    /** Graph calls on behalf of one connection of {@code onedrive}, {@code outlook} or {@code outlook-calendar}. */
    public Session session(String provider, UUID tenantId, UUID connectionId) {
        return new Session(http.scope(provider, tenantId, connectionId));
    }

    /** Graph calls for a sync or action that already holds a resilience scope. */
    public Session session(ProviderHttp.Scope scope) {
        return new Session(scope);
    }

    /** The configured Graph base URL ({@code hub.providers.microsoft.api-url}), without a trailing slash. */
    public String baseUrl() {
        String url = catalog.settings(catalog.find("onedrive").orElseThrow()).getApiUrl();
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

        private Session(ProviderHttp.Scope scope) {
            this.scope = scope;
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
            Reply reply = scope.call(token -> exchange(request, token), status -> status != 401 && status != 429
                    && status < 500);
            if (reply.status() >= 400 && !accept.test(reply.status())) {
                throw new GraphException(reply.status(), reply.errorCode(), reply.json().path("error").path("message")
                        .asText(null));
            }
            return reply;
        }
    }

    private Reply exchange(Request request, String token) {
        CountingSink sink = request.sink == null ? null : new CountingSink(request.sink);
        Exchange result = producer.send(ROUTE, exchange -> {
            exchange.setProperty(URL, request.url);
            exchange.setProperty(METHOD, request.method);
            exchange.setProperty(HEADERS, Map.copyOf(request.headers));
            if (request.authorized) {
                exchange.setProperty(TOKEN, token);
            }
            if (sink != null) {
                exchange.setProperty(SINK, sink);
            }
            exchange.getMessage().setBody(request.body);
        });
        Exception failure = result.getException();
        if (failure != null) {
            if (failure instanceof ProviderCallException p) {
                throw p;
            }
            if (sink != null && sink.count > 0) {
                // Not retried: the sink already holds the start of the body, a second attempt would repeat it.
                throw new ProviderCallException(ProviderCallException.Kind.UNAVAILABLE, 0, "Graph body broke off after "
                        + sink.count + " bytes (" + failure.getClass().getSimpleName() + ")", null);
            }
            // Only the type: an I/O message may quote a pre-authenticated URL.
            throw new UncheckedIOException(new IOException("Graph call failed (" + failure.getClass().getSimpleName() + ")"));
        }
        var message = result.getMessage();
        int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : new String[] {"Location", "Retry-After", "Content-Type", "ETag", "Content-Range"}) {
            String value = message.getHeader(name, String.class);
            if (value != null) {
                headers.put(name.toLowerCase(Locale.ROOT), value);
            }
        }
        String body = message.getBody(String.class);
        return new Reply(status, headers, body == null ? "" : body, parse(body));
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

    /** Route steps of {@code microsoft.graph.call} (bean {@code graphCall}). */
    @Component("graphCall")
    public static class RouteSteps {

        /** Builds the HTTP request from exchange properties only; inbound headers were removed before. */
        public void prepare(Exchange exchange) {
            var message = exchange.getMessage();
            message.setHeader(Exchange.HTTP_URI, exchange.getProperty(URL, String.class));
            message.setHeader(Exchange.HTTP_METHOD, exchange.getProperty(METHOD, String.class));
            @SuppressWarnings("unchecked")
            Map<String, String> headers = exchange.getProperty(HEADERS, Map.class);
            if (headers != null) {
                headers.forEach(message::setHeader);
            }
            String token = exchange.getProperty(TOKEN, String.class);
            if (token != null) {
                message.setHeader("Authorization", "Bearer " + token);
            }
            message.setHeader("Accept", "application/json");
        }

        /**
         * Reads the answer while the connection is still open: a 2xx body bound for a sink is copied there in
         * small buffers, anything else (JSON, Graph errors) is read as text.
         */
        public void drain(Exchange exchange) throws IOException {
            var message = exchange.getMessage();
            int status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
            Object body = message.getBody();
            OutputStream sink = exchange.getProperty(SINK, OutputStream.class);
            if (body instanceof InputStream in) {
                try (in) {
                    if (sink != null && status >= 200 && status < 300) {
                        in.transferTo(sink);
                        message.setBody(null);
                    } else {
                        message.setBody(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
            message.removeHeader("Authorization");
        }
    }

    /**
     * The camel-http component behind {@code graph-http:} endpoints. Its client is shaped by a configurer
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
