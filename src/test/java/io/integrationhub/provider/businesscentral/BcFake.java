package io.integrationhub.provider.businesscentral;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.integrationhub.provider.businesscentral.sandbox.BcODataService;

/**
 * Business Central over the wire for tests: the Microsoft identity platform's token endpoint (authorization code and
 * refresh grants, client id and secret as form fields, the BC scope) and the BC API v2.0 at
 * {@code /v2.0/<environment>/api/v2.0} — an Apache Olingo OData v4 server ({@link BcODataService}) behind a plain
 * JDK HTTP server, so the hub talks real OData over HTTP to it.
 */
public final class BcFake {

    public static final String CLIENT_ID = "bc-test-client";
    public static final String CLIENT_SECRET = "bc-test-secret";
    public static final String ENVIRONMENT = "production";
    private static final Pattern API = Pattern.compile("/v2\\.0/([A-Za-z0-9_-]+)/api/v2\\.0(/.*)?");

    public record TokenCall(String form) {
        public String param(String name) {
            for (String pair : form.split("&")) {
                if (pair.startsWith(name + "=")) {
                    return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final Map<String, Boolean> tokens = new ConcurrentHashMap<>();
    private final List<TokenCall> tokenCalls = new CopyOnWriteArrayList<>();
    private final BcODataService service;

    public BcFake(int pageSize) {
        this(pageSize, null);
    }

    /**
     * {@code basicKey} not null: an on-premises server instead — its service root at {@code /bc/api/v2.0}
     * ({@link #onPremisesRoot()}), accepting only HTTP Basic with that {@code <user>:<key>}; other paths answer the
     * JDK server's plain 404 (no OData error body).
     */
    public BcFake(int pageSize, String basicKey) {
        String basic = basicKey == null ? null
                : "Basic " + java.util.Base64.getEncoder().encodeToString(basicKey.getBytes(StandardCharsets.UTF_8));
        service = new BcODataService(pageSize, a -> a != null && (basic != null ? basic.equals(a)
                : a.startsWith("Bearer ") && tokens.containsKey(a.substring(7))));
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "bc-fake");
            t.setDaemon(true);
            return t;
        }));
        if (basicKey != null) {
            server.createContext("/bc/api/v2.0", ex -> serve(ex, root() + "/bc/api/v2.0",
                    ex.getRequestURI().getRawPath().substring("/bc/api/v2.0".length())));
            server.start();
            return;
        }
        server.createContext("/oauth2/v2.0/token", this::token);
        server.createContext("/v2.0/", this::api);
        server.start();
    }

    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** An on-premises server's service root (config.serviceRoot of its connections). */
    public String onPremisesRoot() {
        return root() + "/bc/api/v2.0";
    }

    /** What the hub's {@code hub.providers.business-central.api-url} is set to. */
    public String apiUrl() {
        return root() + "/v2.0";
    }

    public BcODataService service() {
        return service;
    }

    public List<TokenCall> tokenCalls() {
        return List.copyOf(tokenCalls);
    }

    /** A token the API accepts (for route-level tests that skip OAuth). */
    public String issue() {
        String token = "bc-at-" + UUID.randomUUID();
        tokens.put(token, true);
        return token;
    }

    public void revokeAll() {
        tokens.clear();
    }

    public void stop() {
        server.stop(0);
    }

    private void token(HttpExchange ex) throws IOException {
        String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        TokenCall call = new TokenCall(form);
        tokenCalls.add(call);
        if (!CLIENT_ID.equals(call.param("client_id")) || !CLIENT_SECRET.equals(call.param("client_secret"))) {
            send(ex, 401, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret.\"}");
            return;
        }
        String access = issue();
        send(ex, 200, "{\"token_type\":\"Bearer\",\"scope\":\"https://api.businesscentral.dynamics.com/.default\","
                + "\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"" + access
                + "\",\"refresh_token\":\"bc-rt-" + UUID.randomUUID() + "\"}");
    }

    private void api(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        Matcher m = API.matcher(path);
        if (!m.matches()) {
            send(ex, 404, "{\"error\":{\"code\":\"BadRequest_NotFound\",\"message\":\"No HTTP resource was found.\"}}");
            return;
        }
        serve(ex, root() + "/v2.0/" + m.group(1) + "/api/v2.0", m.group(2));
    }

    private void serve(HttpExchange ex, String serviceRoot, String rest) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
        BcODataService.Answer answer = service.handle(ex.getRequestMethod(), serviceRoot,
                rest == null || rest.isEmpty() ? "/" : rest, ex.getRequestURI().getRawQuery(), headers,
                ex.getRequestBody().readAllBytes());
        answer.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] body = answer.body();
        ex.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
        ex.close();
    }
}
