package io.integrationhub.provider.xero;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.integrationhub.provider.xero.sandbox.XeroSimulator;

/**
 * A wire-level Xero for tests (shared/providers.md §2): the identity server's token endpoint (HTTP Basic client
 * authentication, form body, PKCE verifier required, rotating refresh tokens) and revocation endpoint, in front of
 * the {@link XeroSimulator} (connections, Contacts, Invoices, attachments, Payments, 429s, ValidationExceptions) on a
 * JDK HTTP server. Each authorization grant reaches the organisations the test set with {@link #nextGrant}.
 */
public final class XeroFake {

    public static final String CLIENT_ID = "xero-test-client";
    public static final String CLIENT_SECRET = "xero-test-secret";

    public record TokenCall(String authorization, Map<String, String> form) {
    }

    private final HttpServer server;
    private final XeroSimulator simulator;
    /** access or refresh token → the organisations of its grant. */
    private final Map<String, List<String>> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, List<String>> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, List<String>> codes = new ConcurrentHashMap<>();
    private final List<TokenCall> tokenCalls = new CopyOnWriteArrayList<>();
    private final List<String> revoked = new CopyOnWriteArrayList<>();
    private volatile List<String> nextGrant = List.of();

    public XeroFake() {
        simulator = new XeroSimulator(token -> accessTokens.getOrDefault(token, List.of()));
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "xero-fake");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/identity/connect/authorize", ex -> send(ex, 200, "text/html", "<html>consent</html>"));
        server.createContext("/connect/token", this::token);
        server.createContext("/connect/revocation", this::revocation);
        server.createContext("/", this::api);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
    }

    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public XeroSimulator simulator() {
        return simulator;
    }

    /** The organisations the next consent's grant reaches; returns the code the authorize step hands the hub. */
    public String nextGrant(String... tenantIds) {
        String code = "code-" + UUID.randomUUID();
        codes.put(code, List.of(tenantIds));
        return code;
    }

    public List<TokenCall> tokenCalls() {
        return List.copyOf(tokenCalls);
    }

    public List<String> revoked() {
        return List.copyOf(revoked);
    }

    /** Every access token stops working: the next call answers 401 until the hub refreshes. */
    public void expireAccessTokens() {
        accessTokens.clear();
    }

    private void token(HttpExchange ex) throws IOException {
        Map<String, String> form = form(read(ex));
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        tokenCalls.add(new TokenCall(auth, form));
        if (!basic().equals(auth)) {
            send(ex, 401, "application/json", "{\"error\":\"invalid_client\"}");
            return;
        }
        List<String> grant = switch (form.getOrDefault("grant_type", "")) {
            case "authorization_code" -> form.get("code_verifier") == null || form.get("redirect_uri") == null ? null
                    : codes.remove(form.getOrDefault("code", ""));
            // Xero rotates refresh tokens: the one used is spent.
            case "refresh_token" -> refreshTokens.remove(form.getOrDefault("refresh_token", ""));
            default -> null;
        };
        if (grant == null) {
            send(ex, 400, "application/json", "{\"error\":\"invalid_grant\"}");
            return;
        }
        String access = "xero-at-" + UUID.randomUUID();
        String refresh = "xero-rt-" + UUID.randomUUID();
        accessTokens.put(access, grant);
        refreshTokens.put(refresh, grant);
        send(ex, 200, "application/json", "{\"id_token\":\"x.y.z\",\"access_token\":\"" + access + "\",\"expires_in\":1800,"
                + "\"token_type\":\"Bearer\",\"refresh_token\":\"" + refresh + "\",\"scope\":\"offline_access "
                + "accounting.transactions accounting.contacts accounting.settings.read accounting.attachments\"}");
    }

    private void revocation(HttpExchange ex) throws IOException {
        Map<String, String> form = form(read(ex));
        if (!basic().equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, "application/json", "{\"error\":\"invalid_client\"}");
            return;
        }
        String token = form.getOrDefault("token", "");
        List<String> grant = refreshTokens.remove(token);
        if (grant != null) {
            accessTokens.values().removeIf(g -> g == grant);
            revoked.add(token);
        }
        send(ex, 200, "application/json", "");
    }

    private void api(HttpExchange ex) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        XeroSimulator.Reply reply = simulator.handle(new XeroSimulator.Request(ex.getRequestMethod(),
                ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(), headers, body));
        reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : reply.body().length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(reply.body());
        }
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
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

    private static String read(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
