package io.integrationhub.provider.slack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A wire-level Slack Web API for tests (shared/providers.md §6): {@code oauth.v2.access} with the client id and
 * secret as form fields (a bot token per workspace), {@code auth.test}, {@code conversations.list} and
 * {@code conversations.history} with Slack's cursor paging, {@code chat.postMessage} and {@code chat.update}. As
 * Slack, it answers HTTP 200 with {@code {"ok":false,"error"}} for refused calls ({@code invalid_auth},
 * {@code token_revoked}, {@code channel_not_found}, {@code not_in_channel}, {@code is_archived}) and {@code 429} with
 * {@code Retry-After} (seconds) and {@code {"ok":false,"error":"ratelimited"}} when a channel gets messages faster than
 * about one per second.
 */
public final class SlackFake {

    public static final String CLIENT_ID = "slack-test-client";
    public static final String CLIENT_SECRET = "slack-test-secret";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as Slack received it. */
    public record Call(String method, String path, String query, String contentType, String authorization, String body,
            int status, String answer) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String param(String name) {
            return params(query).get(name);
        }
    }

    /** A message in a channel. */
    public record Message(String ts, String threadTs, String user, String botId, String text, JsonNode blocks) {
    }

    private record Channel(String id, String name, boolean member, boolean archived, List<Message> messages) {
    }

    private final HttpServer server;
    /** bot token → team id; a revoked token maps to null. */
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> revoked = new ConcurrentHashMap<>();
    private final Map<String, Channel> channels = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Map<String, Long> lastPost = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger rateLimitNext = new AtomicInteger();
    private final AtomicInteger seq = new AtomicInteger();
    private volatile long minIntervalMs = 500;

    public SlackFake() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "slack-fake");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/api/", this::api);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
    }

    /** The Web API's base, as {@code https://slack.com/api}. */
    public String api() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api";
    }

    public String authorizeUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/oauth/v2/authorize";
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String method) {
        return calls.stream().filter(c -> c.path().equals("/api/" + method)).toList();
    }

    public void clearCalls() {
        calls.clear();
    }

    /** A public channel; {@code member}: the app was invited to it. */
    public void channel(String id, String name, boolean member) {
        channels.put(id, new Channel(id, name, member, false, new CopyOnWriteArrayList<>()));
    }

    /** The messages of a channel, oldest first. */
    public List<Message> messages(String channel) {
        Channel c = channels.get(channel);
        return c == null ? List.of() : List.copyOf(c.messages());
    }

    /** A person writes in a channel; returns the message's ts. */
    public String userMessage(String channel, String user, String text) {
        String ts = nextTs();
        channels.get(channel).messages().add(new Message(ts, null, user, null, text, null));
        return ts;
    }

    /** The next {@code n} chat.postMessage calls answer 429 with Retry-After: 1. */
    public void rateLimitNext(int n) {
        rateLimitNext.set(n);
    }

    /** Every token of the workspace stops working ({@code token_revoked}), as when the app is uninstalled. */
    public void revokeTokens(String team) {
        tokens.forEach((token, t) -> {
            if (t.equals(team)) {
                revoked.put(token, team);
                tokens.remove(token);
            }
        });
    }

    private synchronized String nextTs() {
        long micros = System.currentTimeMillis() * 1000 + seq.incrementAndGet() % 1000;
        return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    private void api(HttpExchange ex) throws IOException {
        String body = read(ex);
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery();
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        Answer answer;
        try {
            answer = answer(ex.getRequestMethod(), path.substring("/api/".length()), query, contentType, auth, body);
        } catch (IOException | RuntimeException e) {
            answer = new Answer(200, error("invalid_arguments"), null);
        }
        calls.add(new Call(ex.getRequestMethod(), path, query, contentType, auth, body, answer.status(),
                answer.body().toString()));
        byte[] bytes = answer.body().toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (answer.retryAfter() != null) {
            ex.getResponseHeaders().set("Retry-After", answer.retryAfter());
        }
        ex.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private record Answer(int status, JsonNode body, String retryAfter) {
    }

    private static Answer ok(JsonNode body) {
        return new Answer(200, body, null);
    }

    private Answer answer(String httpMethod, String method, String query, String contentType, String auth, String body)
            throws IOException {
        if (method.equals("oauth.v2.access")) {
            return token(contentType, body);
        }
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
        if (revoked.containsKey(token)) {
            return ok(error("token_revoked"));
        }
        String team = tokens.get(token);
        if (team == null) {
            return ok(error(token.isEmpty() ? "not_authed" : "invalid_auth"));
        }
        Map<String, String> params = params(query);
        switch (method) {
            case "auth.test" -> {
                return ok(JSON.createObjectNode().put("ok", true).put("url", "https://" + team.toLowerCase() + ".slack.com/")
                        .put("team", "Workspace " + team).put("user", "hub").put("team_id", team).put("user_id", "U0BOT")
                        .put("bot_id", "B0BOT"));
            }
            case "conversations.list" -> {
                int limit = Integer.parseInt(params.getOrDefault("limit", "100"));
                int from = params.containsKey("cursor") ? Integer.parseInt(new String(Base64.getDecoder()
                        .decode(params.get("cursor")), StandardCharsets.UTF_8).substring("offset:".length())) : 0;
                List<Channel> all = new ArrayList<>(channels.values());
                ObjectNode answer = JSON.createObjectNode().put("ok", true);
                ArrayNode list = answer.putArray("channels");
                for (Channel c : all.subList(Math.min(from, all.size()), Math.min(all.size(), from + limit))) {
                    ObjectNode channel = list.addObject().put("id", c.id()).put("name", c.name()).put("is_channel", true)
                            .put("is_private", false).put("is_archived", c.archived()).put("is_member", c.member())
                            .put("num_members", 3);
                    channel.putObject("topic").put("value", "About " + c.name());
                }
                answer.putObject("response_metadata").put("next_cursor", from + limit < all.size()
                        ? Base64.getEncoder().encodeToString(("offset:" + (from + limit)).getBytes(StandardCharsets.UTF_8))
                        : "");
                return ok(answer);
            }
            case "conversations.history" -> {
                Channel c = channels.get(params.getOrDefault("channel", ""));
                if (c == null) {
                    return ok(error("channel_not_found"));
                }
                if (!c.member()) {
                    return ok(error("not_in_channel"));
                }
                double oldest = Double.parseDouble(params.getOrDefault("oldest", "0"));
                List<Message> newestFirst = new ArrayList<>(c.messages().stream()
                        .filter(m -> m.threadTs() == null || m.threadTs().equals(m.ts()))
                        .filter(m -> Double.parseDouble(m.ts()) > oldest).toList());
                java.util.Collections.reverse(newestFirst);
                ObjectNode answer = JSON.createObjectNode().put("ok", true).put("has_more", false);
                ArrayNode messages = answer.putArray("messages");
                for (Message m : newestFirst) {
                    ObjectNode node = messages.addObject().put("type", "message").put("ts", m.ts()).put("text", m.text());
                    if (m.user() != null) {
                        node.put("user", m.user());
                    } else {
                        node.put("bot_id", m.botId()).put("subtype", "bot_message");
                    }
                }
                answer.putObject("response_metadata").put("next_cursor", "");
                return ok(answer);
            }
            case "chat.postMessage", "chat.update" -> {
                if (!"POST".equals(httpMethod)) {
                    return ok(error("invalid_request"));
                }
                JsonNode request = contentType != null && contentType.startsWith("application/json")
                        ? JSON.readTree(body) : JSON.createObjectNode();
                String id = request.path("channel").asText("");
                Channel c = channels.get(id);
                if (c == null) {
                    return ok(error("channel_not_found"));
                }
                if (!c.member()) {
                    return ok(error("not_in_channel"));
                }
                if (request.path("text").asText("").isEmpty() && !request.path("blocks").isArray()) {
                    return ok(error("no_text"));
                }
                if (method.equals("chat.update")) {
                    return update(c, request);
                }
                long now = System.currentTimeMillis();
                Long last = lastPost.get(id);
                if (rateLimitNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 || last != null && now - last < minIntervalMs) {
                    return new Answer(429, error("ratelimited"), "1");
                }
                lastPost.put(id, now);
                String ts = nextTs();
                String thread = request.hasNonNull("thread_ts") ? request.get("thread_ts").asText() : null;
                c.messages().add(new Message(ts, thread, null, "B0BOT", request.path("text").asText(),
                        request.get("blocks")));
                ObjectNode answer = JSON.createObjectNode().put("ok", true).put("channel", id).put("ts", ts);
                ObjectNode message = answer.putObject("message").put("type", "message").put("subtype", "bot_message")
                        .put("text", request.path("text").asText()).put("bot_id", "B0BOT").put("ts", ts);
                if (thread != null) {
                    message.put("thread_ts", thread);
                }
                return ok(answer);
            }
            default -> {
                return ok(error("unknown_method"));
            }
        }
    }

    private Answer update(Channel c, JsonNode request) {
        String ts = request.path("ts").asText();
        for (int i = 0; i < c.messages().size(); i++) {
            Message m = c.messages().get(i);
            if (m.ts().equals(ts)) {
                c.messages().set(i, new Message(ts, m.threadTs(), m.user(), m.botId(), request.path("text").asText(),
                        request.get("blocks")));
                return ok(JSON.createObjectNode().put("ok", true).put("channel", c.id()).put("ts", ts)
                        .put("text", request.path("text").asText()));
            }
        }
        return ok(error("message_not_found"));
    }

    /** oauth.v2.access: client id and secret as form fields; the code names the workspace ("code-T0ACME-…"). */
    private Answer token(String contentType, String body) {
        Map<String, String> form = params(body);
        if (contentType == null || !contentType.startsWith("application/x-www-form-urlencoded")
                || !CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            return ok(error("invalid_client_id"));
        }
        String code = form.getOrDefault("code", "");
        if (!code.startsWith("code-") || form.get("redirect_uri") == null) {
            return ok(error("invalid_code"));
        }
        String team = code.split("-")[1];
        String token = "xoxb-" + team + "-" + UUID.randomUUID();
        tokens.put(token, team);
        ObjectNode answer = JSON.createObjectNode().put("ok", true).put("access_token", token).put("token_type", "bot")
                .put("scope", "chat:write,channels:read,channels:history,app_mentions:read").put("bot_user_id", "U0BOT")
                .put("app_id", "A0HUB");
        answer.putObject("team").put("id", team).put("name", "Workspace " + team);
        answer.putNull("enterprise");
        answer.putObject("authed_user").put("id", "U0ADMIN");
        return ok(answer);
    }

    private static ObjectNode error(String code) {
        return JSON.createObjectNode().put("ok", false).put("error", code);
    }

    static Map<String, String> params(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    private static String read(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
