package io.integrationhub.provider.notion;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A wire-level Notion API for tests (shared/providers.md §9): the public-connection token endpoint (HTTP Basic
 * client authentication, JSON body, refresh tokens), {@code GET /v1/users/me}, database query with
 * {@code start_cursor}/{@code has_more}/{@code next_cursor} and the {@code last_edited_time} filter, and
 * {@code POST}/{@code PATCH /v1/pages}. Every API call must carry {@code Notion-Version}. Faults are queued
 * answers ({@code 429 rate_limited} / {@code 529 service_overload} with {@code Retry-After}, {@code 500}).
 */
public final class NotionFake {

    public static final String CLIENT_ID = "notion-test-client";
    public static final String CLIENT_SECRET = "notion-test-secret";
    public static final String WORKSPACE = "Acme Kitchen Ops";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUERY = Pattern.compile("/v1/databases/([^/]+)/query");
    private static final Pattern PAGE = Pattern.compile("/v1/pages/([^/]+)");

    public record Call(String method, String path, String version, String authorization, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public record Fault(int status, String code, String retryAfter) {
    }

    private final HttpServer server;
    private final Map<String, Boolean> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refreshTokens = new ConcurrentHashMap<>();
    /** database id (no dashes) → pages in creation order. */
    private final Map<String, List<ObjectNode>> databases = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Call> tokenCalls = new CopyOnWriteArrayList<>();
    private final Deque<Fault> faults = new ConcurrentLinkedDeque<>();
    private long last;

    public NotionFake() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "notion-fake");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/oauth/token", this::token);
        server.createContext("/v1/", this::api);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
    }

    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> tokenCalls() {
        return List.copyOf(tokenCalls);
    }

    public void clearCalls() {
        calls.clear();
        tokenCalls.clear();
    }

    /** The next API answers, in order, before the normal ones. */
    public void fail(Fault... next) {
        faults.addAll(List.of(next));
    }

    public void clearFaults() {
        faults.clear();
    }

    /** Every access token stops working: the next call answers 401 until the hub refreshes. */
    public void expireAccessTokens() {
        accessTokens.clear();
    }

    /** A new database with {@code n} pages titled "Recipe 1" … "Recipe n"; returns its id (with dashes). */
    public String database(int n) {
        String id = UUID.randomUUID().toString();
        List<ObjectNode> pages = new CopyOnWriteArrayList<>();
        databases.put(id.replace("-", ""), pages);
        for (int i = 1; i <= n; i++) {
            pages.add(page(id, "Recipe " + i, i % 3 == 0 ? "Draft" : "Ready", null));
        }
        return id;
    }

    public List<ObjectNode> pages(String databaseId) {
        return databases.get(databaseId.replace("-", ""));
    }

    /** Edits a page's title as a Notion user would (a later last_edited_time). */
    public void rename(String databaseId, int index, String title) {
        ObjectNode page = pages(databaseId).get(index);
        titleOf(page).removeAll().add(text(title));
        page.put("last_edited_time", tick());
    }

    public void archive(String databaseId, int index) {
        ObjectNode page = pages(databaseId).get(index);
        page.put("archived", true).put("in_trash", true).put("last_edited_time", tick());
    }

    private ObjectNode page(String databaseId, String title, String status, JsonNode properties) {
        ObjectNode page = JSON.createObjectNode();
        String id = UUID.randomUUID().toString();
        String now = tick();
        page.put("object", "page").put("id", id).put("created_time", now).put("last_edited_time", now)
                .put("archived", false).put("in_trash", false)
                .put("url", "https://www.notion.so/" + id.replace("-", ""));
        page.putObject("parent").put("type", "database_id").put("database_id", databaseId);
        ObjectNode props = page.putObject("properties");
        ObjectNode name = props.putObject("Name").put("id", "title").put("type", "title");
        name.putArray("title").add(text(title));
        ObjectNode st = props.putObject("Status").put("id", "st").put("type", "select");
        st.putObject("select").put("name", status);
        ObjectNode serves = props.putObject("Serves").put("id", "sv").put("type", "number");
        serves.put("number", 4);
        if (properties != null) {
            properties.fields().forEachRemaining(e -> props.set(e.getKey(), e.getValue()));
        }
        return page;
    }

    private static ArrayNode titleOf(ObjectNode page) {
        return (ArrayNode) page.path("properties").path("Name").path("title");
    }

    private static ObjectNode text(String content) {
        ObjectNode t = JSON.createObjectNode().put("type", "text").put("plain_text", content);
        t.putObject("text").put("content", content);
        return t;
    }

    /** Strictly increasing timestamps near the real clock (Notion's own are rounded to the minute). */
    private synchronized String tick() {
        long now = Math.max(System.currentTimeMillis(), last + 1);
        last = now;
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(Instant.ofEpochMilli(now));
    }

    private void token(HttpExchange ex) throws IOException {
        String body = read(ex);
        tokenCalls.add(new Call(ex.getRequestMethod(), ex.getRequestURI().getPath(), null,
                ex.getRequestHeaders().getFirst("Authorization"), body));
        String basic = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET)
                .getBytes(StandardCharsets.UTF_8));
        if (!basic.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, error(401, "unauthorized", "API token is invalid."), null);
            return;
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        JsonNode request;
        try {
            request = type != null && type.startsWith("application/json") ? JSON.readTree(body) : null;
        } catch (IOException e) {
            request = null;
        }
        if (request == null) {
            send(ex, 400, error(400, "invalid_request", "body must be JSON"), null);
            return;
        }
        String grant = request.path("grant_type").asText();
        if ("refresh_token".equals(grant) && refreshTokens.remove(request.path("refresh_token").asText()) == null
                || !"refresh_token".equals(grant) && (!"authorization_code".equals(grant)
                        || request.path("code").asText().isEmpty() || request.path("redirect_uri").asText().isEmpty())) {
            send(ex, 400, JSON.createObjectNode().put("error", "invalid_grant")
                    .put("error_description", "Invalid code or refresh token."), null);
            return;
        }
        String access = "secret_" + UUID.randomUUID();
        String refresh = "nrt_" + UUID.randomUUID();
        accessTokens.put(access, true);
        refreshTokens.put(refresh, true);
        ObjectNode answer = JSON.createObjectNode().put("access_token", access).put("token_type", "bearer")
                .put("refresh_token", refresh).put("bot_id", "bot-1").put("workspace_id", "ws-acme")
                .put("workspace_name", WORKSPACE).putNull("workspace_icon").putNull("duplicated_template_id")
                .put("request_id", UUID.randomUUID().toString());
        answer.putObject("owner").put("type", "user").putObject("user").put("id", "user-1").put("name", "Ada");
        send(ex, 200, answer, null);
    }

    private void api(HttpExchange ex) throws IOException {
        String body = read(ex);
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        String version = ex.getRequestHeaders().getFirst("Notion-Version");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        calls.add(new Call(method, path, version, auth, body));
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
        if (!accessTokens.containsKey(token)) {
            send(ex, 401, error(401, "unauthorized", "API token is invalid."), null);
            return;
        }
        if (version == null) {
            send(ex, 400, error(400, "missing_version", "Notion-Version header failed validation."), null);
            return;
        }
        Fault fault = faults.poll();
        if (fault != null) {
            send(ex, fault.status(), error(fault.status(), fault.code(), "simulated"), fault.retryAfter());
            return;
        }
        JsonNode request = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        Matcher query = QUERY.matcher(path);
        Matcher page = PAGE.matcher(path);
        if ("GET".equals(method) && path.equals("/v1/users/me")) {
            ObjectNode me = JSON.createObjectNode().put("object", "user").put("id", "bot-1").put("type", "bot")
                    .put("name", "Integration Hub");
            ObjectNode bot = me.putObject("bot");
            bot.putObject("owner").put("type", "workspace").put("workspace", true);
            bot.put("workspace_name", WORKSPACE);
            send(ex, 200, me, null);
        } else if ("POST".equals(method) && query.matches()) {
            List<ObjectNode> pages = databases.get(query.group(1).replace("-", ""));
            if (pages == null) {
                send(ex, 404, error(404, "object_not_found", "Could not find database with ID: " + query.group(1)), null);
                return;
            }
            query(ex, pages, request);
        } else if ("POST".equals(method) && path.equals("/v1/pages")) {
            List<ObjectNode> pages = databases.get(request.path("parent").path("database_id").asText().replace("-", ""));
            if (pages == null) {
                send(ex, 404, error(404, "object_not_found", "Could not find the parent database."), null);
                return;
            }
            if (!request.path("properties").isObject()) {
                send(ex, 400, error(400, "validation_error", "body.properties should be defined"), null);
                return;
            }
            ObjectNode created = page(request.path("parent").path("database_id").asText(), "", "Ready", request.get("properties"));
            pages.add(created);
            send(ex, 200, created, null);
        } else if ("PATCH".equals(method) && page.matches()) {
            ObjectNode found = databases.values().stream().flatMap(List::stream)
                    .filter(p -> p.path("id").asText().equals(page.group(1))).findFirst().orElse(null);
            if (found == null) {
                send(ex, 404, error(404, "object_not_found", "Could not find page."), null);
                return;
            }
            request.path("properties").fields().forEachRemaining(e -> ((ObjectNode) found.get("properties"))
                    .set(e.getKey(), e.getValue()));
            found.put("last_edited_time", tick());
            send(ex, 200, found, null);
        } else {
            send(ex, 400, error(400, "invalid_request_url", "Invalid request URL."), null);
        }
    }

    private void query(HttpExchange ex, List<ObjectNode> all, JsonNode request) throws IOException {
        int size = request.path("page_size").asInt(100);
        if (size > 100) {
            send(ex, 400, error(400, "validation_error", "body.page_size should be ≤ 100"), null);
            return;
        }
        String since = request.path("filter").path("last_edited_time").path("on_or_after").asText(null);
        List<ObjectNode> matching = new ArrayList<>();
        for (ObjectNode p : all) {
            if (since == null || Instant.parse(p.path("last_edited_time").asText()).compareTo(Instant.parse(since)) >= 0) {
                matching.add(p);
            }
        }
        matching.sort((a, b) -> a.path("last_edited_time").asText().compareTo(b.path("last_edited_time").asText()));
        int start = 0;
        if (request.hasNonNull("start_cursor")) {
            String cursor = request.get("start_cursor").asText();
            start = -1;
            for (int i = 0; i < matching.size(); i++) {
                if (matching.get(i).path("id").asText().equals(cursor)) {
                    start = i;
                }
            }
            if (start < 0) {
                send(ex, 400, error(400, "validation_error", "start_cursor is not valid"), null);
                return;
            }
        }
        int end = Math.min(matching.size(), start + size);
        ObjectNode answer = JSON.createObjectNode().put("object", "list");
        ArrayNode results = answer.putArray("results");
        matching.subList(start, end).forEach(results::add);
        boolean more = end < matching.size();
        answer.put("has_more", more);
        if (more) {
            answer.put("next_cursor", matching.get(end).path("id").asText());
        } else {
            answer.putNull("next_cursor");
        }
        answer.put("type", "page_or_database").putObject("page_or_database");
        send(ex, 200, answer, null);
    }

    private static ObjectNode error(int status, String code, String message) {
        return JSON.createObjectNode().put("object", "error").put("status", status).put("code", code).put("message", message);
    }

    private static String read(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void send(HttpExchange ex, int status, JsonNode body, String retryAfter) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (retryAfter != null) {
            ex.getResponseHeaders().set("Retry-After", retryAfter);
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
