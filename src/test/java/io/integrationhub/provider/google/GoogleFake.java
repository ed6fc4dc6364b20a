package io.integrationhub.provider.google;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.integrationhub.provider.googledrive.sandbox.GoogleSimulator;

/**
 * Google on a port of its own for tests: the OAuth 2.0 token endpoint as shared/providers.md §4.1 describes it
 * (form-encoded, client id and secret as form fields, PKCE {@code code_verifier}, a refresh token only on the
 * first grant, {@code invalid_grant} for a used code) in front of the {@link GoogleSimulator} (Drive v3, Calendar v3).
 */
final class GoogleFake {

    static final String CLIENT_ID = "google-client.apps.googleusercontent.com";
    static final String CLIENT_SECRET = "GOCSPX-google-secret";
    static final String EMAIL = "chef@example.com";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Set<String> accessTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> usedCodes = ConcurrentHashMap.newKeySet();
    private final List<Map<String, String>> tokenCalls = new CopyOnWriteArrayList<>();
    private final GoogleSimulator sim = new GoogleSimulator(accessTokens::contains, EMAIL);
    private final HttpServer server;

    GoogleFake() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/token", this::token);
        server.createContext("/revoke", ex -> send(ex, 200, "application/json", "{}".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/", this::api);
        server.start();
    }

    String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    GoogleSimulator sim() {
        return sim;
    }

    List<Map<String, String>> tokenCalls() {
        return List.copyOf(tokenCalls);
    }

    private void token(HttpExchange ex) throws IOException {
        Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        tokenCalls.add(form);
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            send(ex, 401, "application/json", "{\"error\":\"invalid_client\",\"error_description\":\"Unauthorized\"}"
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        String grant = form.get("grant_type");
        boolean first = "authorization_code".equals(grant);
        if (first && (form.get("code") == null || !usedCodes.add(form.get("code")) || form.get("code_verifier") == null)
                || "refresh_token".equals(grant) && !refreshTokens.contains(form.get("refresh_token"))
                || !first && !"refresh_token".equals(grant)) {
            send(ex, 400, "application/json", "{\"error\":\"invalid_grant\",\"error_description\":\"Bad Request\"}"
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        String access = "ya29." + UUID.randomUUID();
        accessTokens.add(access);
        ObjectNode answer = JSON.createObjectNode().put("access_token", access).put("expires_in", 3599)
                .put("scope", "https://www.googleapis.com/auth/drive.readonly").put("token_type", "Bearer");
        if (first) {
            String refresh = "1//" + UUID.randomUUID();
            refreshTokens.add(refresh);
            answer.put("refresh_token", refresh);
        }
        send(ex, 200, "application/json; charset=utf-8", answer.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void api(HttpExchange ex) throws IOException {
        Map<String, String> headers = new HashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        GoogleSimulator.Reply reply = sim.handle(new GoogleSimulator.Request(ex.getRequestMethod(),
                ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(), headers, body));
        send(ex, reply.status(), reply.contentType(), reply.body());
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        if (type != null) {
            ex.getResponseHeaders().set("Content-Type", type);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }
}
