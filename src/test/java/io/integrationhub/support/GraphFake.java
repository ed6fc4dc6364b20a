package io.integrationhub.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.integrationhub.provider.microsoft.sandbox.GraphSimulator;

/**
 * Microsoft at the wire level for tests, on its own random port: the identity platform's token endpoint
 * (authorization_code and refresh_token grants, providers.md §1.1) and Graph v1.0 under {@code /v1.0} served by
 * the {@link GraphSimulator}. Bodies are streamed both ways, so a large upload does not sit in this JVM's heap.
 */
public final class GraphFake {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpServer server;
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger tokenCalls = new AtomicInteger();
    private final GraphSimulator graph;

    public GraphFake() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            Path storage = Files.createTempDirectory("graph-fake");
            graph = GraphSimulator.standard(baseUrl(), storage, validTokens::contains);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "graph-fake");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/common/oauth2/v2.0/token", this::token);
        server.createContext("/v1.0", this::graph);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
    }

    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Graph's base URL ({@code hub.providers.microsoft.api-url}). */
    public String baseUrl() {
        return root() + "/v1.0";
    }

    public GraphSimulator graph() {
        return graph;
    }

    /** Every access token issued so far stops working: the next Graph call answers 401 until the hub refreshes. */
    public void expireAccessTokens() {
        validTokens.clear();
    }

    public int tokenCalls() {
        return tokenCalls.get();
    }

    public List<GraphSimulator.Call> calls() {
        return graph.calls();
    }

    private void token(HttpExchange exchange) throws IOException {
        tokenCalls.incrementAndGet();
        Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String grant = form.getOrDefault("grant_type", "");
        boolean ok = switch (grant) {
            case "authorization_code" -> form.containsKey("code");
            case "refresh_token" -> refreshTokens.remove(form.getOrDefault("refresh_token", ""));
            default -> false;
        };
        ObjectNode body = MAPPER.createObjectNode();
        if (!ok) {
            body.put("error", "invalid_grant").put("error_description", "AADSTS70000: The provided grant is invalid.")
                    .putArray("error_codes").add(70000);
            write(exchange, 400, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
            return;
        }
        String access = "at-" + UUID.randomUUID();
        String refresh = "rt-" + UUID.randomUUID();
        validTokens.add(access);
        refreshTokens.add(refresh);
        body.put("token_type", "Bearer").put("expires_in", 3599).put("ext_expires_in", 3599)
                .put("scope", form.getOrDefault("scope", "User.Read")).put("access_token", access).put("refresh_token", refresh);
        write(exchange, 200, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void graph(HttpExchange exchange) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
        String path = exchange.getRequestURI().getRawPath().substring("/v1.0".length());
        GraphSimulator.Reply reply;
        try (InputStream body = exchange.getRequestBody()) {
            reply = graph.handle(new GraphSimulator.Request(exchange.getRequestMethod(),
                    URLDecoder.decode(path, StandardCharsets.UTF_8), exchange.getRequestURI().getRawQuery(), headers, body));
        }
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        long length = reply.length();
        exchange.sendResponseHeaders(reply.status(), length == 0 ? -1 : length);
        if (length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                if (reply.file() != null) {
                    Files.copy(reply.file(), out);
                } else {
                    out.write(reply.body());
                }
            }
        }
        exchange.close();
    }

    private static void write(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
