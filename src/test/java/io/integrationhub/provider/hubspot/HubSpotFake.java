package io.integrationhub.provider.hubspot;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A wire-level HubSpot for tests (shared/providers.md §5): the OAuth v3 token endpoint (form body; an unknown refresh
 * token answers 400 BAD_REFRESH_TOKEN), {@code GET /account-info/v3/details}, CRM v3 objects of contacts, companies
 * and deals — list ({@code after} paging, {@code archived}, {@code associations}), one object, search (filters on
 * the last-modified property, ascending sort, {@code after}; 400 past the 10,000-result window, or a smaller
 * {@link #searchWindow}), batch upsert by
 * {@code idProperty}, batch update and create ({@code 207} with {@code errors[]} when some inputs are refused) — and
 * v4 association batch reads and default-association batch creates ({@code batch/associate/default}: both ids must
 * name live objects, else a {@code 207} error naming the id; a pair already associated stays one association). Every answer carries the {@code X-HubSpot-RateLimit-*} burst headers; queued faults
 * answer {@code 429} with {@code Retry-After}.
 */
public final class HubSpotFake {

    public static final String CLIENT_ID = "hubspot-test-client";
    public static final String CLIENT_SECRET = "hubspot-test-secret";
    public static final long PORTAL = 4400123;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern OBJECTS = Pattern.compile("/crm/v3/objects/(contacts|companies|deals)(?:/([^/?]+))?(?:/([a-z]+))?");
    private static final Pattern ASSOC = Pattern.compile("/crm/v4/associations/(contacts|companies|deals)/(contacts|companies|deals)/batch/read");
    private static final Pattern ASSOCIATE = Pattern.compile(
            "/crm/v4/associations/(contacts|companies|deals)/(contacts|companies|deals)/batch/associate/default");

    public record Call(String method, String path, String query, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A CRM object: id, properties, times, archived. */
    public static final class Obj {
        final String id;
        final Map<String, String> props = new ConcurrentHashMap<>();
        final Instant createdAt;
        volatile Instant updatedAt;
        volatile boolean archived;

        Obj(String id, Instant at) {
            this.id = id;
            this.createdAt = at;
            this.updatedAt = at;
        }
    }

    private final HttpServer server;
    private final Map<String, Map<String, Obj>> objects = new ConcurrentHashMap<>();
    /** "contacts:1|companies:2" pairs, both directions. */
    private final Set<String> associations = ConcurrentHashMap.newKeySet();
    private final Set<String> accessTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> tokenCalls = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private final AtomicLong clock = new AtomicLong(Instant.parse("2026-11-01T00:00:00Z").toEpochMilli());
    private volatile int throttle;
    private final java.util.concurrent.atomic.AtomicInteger associateFailures = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int associateFailureStatus = 503;
    private volatile int searchWindow = 10_000;
    private volatile long burstInterval;
    private volatile long burstSpentUntil;
    private final AtomicLong burstViolations = new AtomicLong();

    public HubSpotFake() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "hubspot-fake");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/oauth/v3/token", this::token);
        server.createContext("/", this::api);
        for (String type : List.of("contacts", "companies", "deals")) {
            objects.put(type, new ConcurrentHashMap<>());
        }
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
    }

    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Map<String, String>> tokenCalls() {
        return List.copyOf(tokenCalls);
    }

    public void clearCalls() {
        calls.clear();
        tokenCalls.clear();
    }

    /** The next {@code n} API calls answer 429 (burst limit) with Retry-After: 1. */
    public void throttle(int n) {
        throttle = n;
    }

    /**
     * The next answer says the burst window is used up (X-HubSpot-RateLimit-Remaining: 0, the window's length in
     * X-HubSpot-RateLimit-Interval-Milliseconds); a call before the window is over answers 429 and is counted.
     */
    public void spendBurstWindow(long intervalMillis) {
        burstInterval = intervalMillis;
    }

    /** Calls that came while the announced burst window was used up. */
    public long burstViolations() {
        return burstViolations.get();
    }

    /**
     * How many results one search query may page through: HubSpot's 10,000 unless a test makes the window smaller to
     * cross it with fewer objects (the hub must then be told the same, setting hub.providers.hubspot.search-window).
     */
    public HubSpotFake searchWindow(int results) {
        searchWindow = results;
        return this;
    }

    /** The next {@code n} default-association creates answer {@code status} (a 5xx: HubSpot unavailable) and write nothing. */
    public void failAssociations(int n, int status) {
        associateFailureStatus = status;
        associateFailures.set(n);
    }

    /** The ids of the objects of a type whose property has this value. */
    public List<String> idsWhere(String type, String property, String value) {
        return objects.get(type).values().stream().filter(o -> value.equals(o.props.get(property))).map(o -> o.id)
                .sorted().toList();
    }

    /** Batch writes refuse inputs with this id (an email or domain), as HubSpot refuses an invalid one. */
    public void refuse(String id) {
        refused.add(id.toLowerCase());
    }

    /** Every access token stops working (401 until the hub refreshes); refresh tokens too if {@code revoke}. */
    public void expireTokens(boolean revoke) {
        accessTokens.clear();
        if (revoke) {
            refreshTokens.clear();
        }
    }

    private Instant tick() {
        return Instant.ofEpochMilli(clock.addAndGet(1000));
    }

    /** A new object changed "now" in HubSpot's clock (each one second after the previous change). */
    public String create(String type, Map<String, String> props) {
        Obj o = new Obj(String.valueOf(ids.incrementAndGet()), tick());
        o.props.putAll(props);
        touch(type, o);
        objects.get(type).put(o.id, o);
        return o.id;
    }

    /** {@code n} contacts created quickly: many share no modification time (each a millisecond apart). */
    public List<String> bulkContacts(int n) {
        List<String> created = new ArrayList<>();
        long start = clock.addAndGet(1000);
        for (int i = 0; i < n; i++) {
            Obj o = new Obj(String.valueOf(ids.incrementAndGet()), Instant.ofEpochMilli(start + i));
            o.props.put("email", "bulk" + o.id + "@example.com");
            o.props.put("firstname", "Bulk " + i);
            touch("contacts", o);
            objects.get("contacts").put(o.id, o);
            created.add(o.id);
        }
        clock.addAndGet(n);
        return created;
    }

    public void update(String type, String id, String property, String value) {
        Obj o = objects.get(type).get(id);
        o.props.put(property, value);
        o.updatedAt = tick();
        touch(type, o);
    }

    public void archive(String type, String id) {
        Obj o = objects.get(type).get(id);
        o.archived = true;
        o.updatedAt = tick();
    }

    public void associate(String fromType, String fromId, String toType, String toId) {
        associations.add(fromType + ":" + fromId + "|" + toType + ":" + toId);
        associations.add(toType + ":" + toId + "|" + fromType + ":" + fromId);
    }

    public String property(String type, String id, String property) {
        Obj o = objects.get(type).get(id);
        return o == null ? null : o.props.get(property);
    }

    public String idByEmail(String email) {
        return objects.get("contacts").values().stream().filter(o -> email.equalsIgnoreCase(o.props.get("email")))
                .map(o -> o.id).findFirst().orElse(null);
    }

    private static String modifiedProperty(String type) {
        return "contacts".equals(type) ? "lastmodifieddate" : "hs_lastmodifieddate";
    }

    private static void touch(String type, Obj o) {
        o.props.put(modifiedProperty(type), o.updatedAt.toString());
        o.props.put("createdate", o.createdAt.toString());
        o.props.put("hs_object_id", o.id);
    }

    // --- wire ---

    private void token(HttpExchange ex) throws IOException {
        Map<String, String> form = form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        tokenCalls.add(form);
        if (!"POST".equals(ex.getRequestMethod()) || ex.getRequestURI().getRawQuery() != null) {
            send(ex, 400, "{\"status\":\"BAD_REQUEST\",\"message\":\"parameters belong in the form body\"}");
            return;
        }
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            send(ex, 400, "{\"error\":\"invalid_client\",\"status\":\"BAD_CLIENT_ID\",\"message\":\"missing or unknown client id\"}");
            return;
        }
        String grant = form.get("grant_type");
        if ("refresh_token".equals(grant) && !refreshTokens.contains(form.get("refresh_token"))) {
            send(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token is invalid, expired or revoked\","
                    + "\"status\":\"BAD_REFRESH_TOKEN\",\"message\":\"refresh token is invalid, expired or revoked\"}");
            return;
        }
        if (!"refresh_token".equals(grant) && !("authorization_code".equals(grant) && form.get("code") != null)) {
            send(ex, 400, "{\"error\":\"invalid_grant\",\"status\":\"BAD_AUTH_CODE\",\"message\":\"missing or unknown auth code\"}");
            return;
        }
        String access = "hs-at-" + UUID.randomUUID();
        String refresh = "refresh_token".equals(grant) ? form.get("refresh_token") : "hs-rt-" + UUID.randomUUID();
        accessTokens.add(access);
        refreshTokens.add(refresh);
        send(ex, 200, "{\"token_type\":\"bearer\",\"refresh_token\":\"" + refresh + "\",\"access_token\":\"" + access
                + "\",\"expires_in\":1800}");
    }

    private void api(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        calls.add(new Call(ex.getRequestMethod(), path, query, body));
        long now = System.currentTimeMillis();
        if (now < burstSpentUntil) {
            burstViolations.incrementAndGet();
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 429, "{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\","
                    + "\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}");
            return;
        }
        long spend = burstInterval;
        burstInterval = 0;
        if (spend > 0) {
            burstSpentUntil = now + spend;
        }
        ex.getResponseHeaders().add("X-HubSpot-RateLimit-Interval-Milliseconds", spend > 0 ? String.valueOf(spend) : "10000");
        ex.getResponseHeaders().add("X-HubSpot-RateLimit-Max", "110");
        ex.getResponseHeaders().add("X-HubSpot-RateLimit-Remaining", spend > 0 ? "0" : "109");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ") || !accessTokens.contains(auth.substring(7))) {
            send(ex, 401, "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}");
            return;
        }
        if (throttle > 0) {
            throttle--;
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 429, "{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\","
                    + "\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}");
            return;
        }
        try {
            if (path.equals("/account-info/v3/details")) {
                send(ex, 200, "{\"portalId\":" + PORTAL + ",\"uiDomain\":\"app.hubspot.com\",\"timeZone\":\"UTC\"}");
                return;
            }
            Matcher associate = ASSOCIATE.matcher(path);
            if (associate.matches() && "POST".equals(ex.getRequestMethod())) {
                if (associateFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    send(ex, associateFailureStatus, "{\"status\":\"error\",\"message\":\"internal error\","
                            + "\"category\":\"INTERNAL_ERROR\"}");
                    return;
                }
                associationsCreate(ex, associate.group(1), associate.group(2), JSON.readTree(body));
                return;
            }
            Matcher assoc = ASSOC.matcher(path);
            if (assoc.matches() && "POST".equals(ex.getRequestMethod())) {
                associationsRead(ex, assoc.group(1), assoc.group(2), JSON.readTree(body));
                return;
            }
            Matcher m = OBJECTS.matcher(path);
            if (!m.matches()) {
                send(ex, 404, "{\"status\":\"error\",\"message\":\"Not found\",\"category\":\"OBJECT_NOT_FOUND\"}");
                return;
            }
            String type = m.group(1);
            String id = m.group(2);
            String op = m.group(3);
            Map<String, String> q = form(query == null ? "" : query);
            if ("GET".equals(ex.getRequestMethod()) && id == null) {
                list(ex, type, q);
            } else if ("GET".equals(ex.getRequestMethod())) {
                Obj o = objects.get(type).get(id);
                if (o == null || o.archived) {
                    send(ex, 404, "{\"status\":\"error\",\"message\":\"resource not found\",\"category\":\"OBJECT_NOT_FOUND\"}");
                } else {
                    send(ex, 200, render(type, o, props(q), q.get("associations")).toString());
                }
            } else if ("search".equals(id) && op == null) {
                search(ex, type, JSON.readTree(body));
            } else if ("batch".equals(id) && op != null) {
                batch(ex, type, op, JSON.readTree(body));
            } else {
                send(ex, 405, "{\"status\":\"error\",\"message\":\"Method not allowed\"}");
            }
        } catch (RuntimeException e) {
            send(ex, 500, "{\"status\":\"error\",\"message\":\"" + e + "\"}");
        }
    }

    private List<String> props(Map<String, String> q) {
        return q.get("properties") == null ? List.of() : List.of(q.get("properties").split(","));
    }

    private ObjectNode render(String type, Obj o, List<String> props, String assocTypes) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", o.id);
        ObjectNode p = n.putObject("properties");
        List<String> wanted = props.isEmpty() ? new ArrayList<>(o.props.keySet()) : props;
        for (String name : wanted) {
            p.put(name, o.props.get(name));
        }
        p.put("hs_object_id", o.id);
        n.put("createdAt", o.createdAt.toString());
        n.put("updatedAt", o.updatedAt.toString());
        n.put("archived", o.archived);
        if (assocTypes != null && !assocTypes.isBlank()) {
            ObjectNode a = JSON.createObjectNode();
            for (String to : assocTypes.split(",")) {
                List<String> linked = linked(type, o.id, to);
                if (!linked.isEmpty()) {
                    ArrayNode results = a.putObject(to).putArray("results");
                    for (String other : linked) {
                        results.addObject().put("id", other).put("type", type.replaceAll("s$", "").replace("companie", "company")
                                + "_to_" + to.replaceAll("ies$", "y").replaceAll("s$", ""));
                    }
                }
            }
            if (!a.isEmpty()) {
                n.set("associations", a);
            }
        }
        return n;
    }

    private List<String> linked(String type, String id, String to) {
        String prefix = type + ":" + id + "|" + to + ":";
        return associations.stream().filter(s -> s.startsWith(prefix)).map(s -> s.substring(prefix.length())).sorted().toList();
    }

    private void list(HttpExchange ex, String type, Map<String, String> q) throws IOException {
        int limit = Math.min(Integer.parseInt(q.getOrDefault("limit", "10")), 100);
        boolean archived = Boolean.parseBoolean(q.getOrDefault("archived", "false"));
        List<Obj> all = objects.get(type).values().stream().filter(o -> o.archived == archived)
                .sorted(Comparator.comparingLong(o -> Long.parseLong(o.id))).toList();
        int from = q.get("after") == null ? 0 : Integer.parseInt(q.get("after"));
        ObjectNode out = JSON.createObjectNode();
        ArrayNode results = out.putArray("results");
        for (int i = from; i < Math.min(all.size(), from + limit); i++) {
            results.add(render(type, all.get(i), props(q), q.get("associations")));
        }
        if (from + limit < all.size()) {
            out.putObject("paging").putObject("next").put("after", String.valueOf(from + limit))
                    .put("link", root() + "/crm/v3/objects/" + type + "?after=" + (from + limit));
        }
        send(ex, 200, out.toString());
    }

    private void search(HttpExchange ex, String type, JsonNode request) throws IOException {
        int limit = Math.min(request.path("limit").asInt(10), 200);
        int after = request.path("after").isMissingNode() || request.path("after").isNull() ? 0 : Integer.parseInt(request.path("after").asText());
        if (after + limit > searchWindow) {
            send(ex, 400, "{\"status\":\"error\",\"message\":\"There was a problem with the request.\",\"category\":\"VALIDATION_ERROR\","
                    + "\"errors\":[{\"message\":\"paging beyond " + searchWindow + " results is not supported\",\"code\":\"INVALID_PAGING\"}]}");
            return;
        }
        String modified = modifiedProperty(type);
        List<Obj> matching = new ArrayList<>();
        for (Obj o : objects.get(type).values()) {
            if (o.archived) {
                continue;
            }
            boolean ok = true;
            for (JsonNode group : request.path("filterGroups")) {
                for (JsonNode f : group.path("filters")) {
                    if (!f.path("propertyName").asText().equals(modified)) {
                        throw new IllegalArgumentException("the fake filters on " + modified + " only");
                    }
                    long v = Long.parseLong(f.path("value").asText());
                    long at = o.updatedAt.toEpochMilli();
                    ok &= switch (f.path("operator").asText()) {
                        case "GTE" -> at >= v;
                        case "GT" -> at > v;
                        case "LTE" -> at <= v;
                        case "LT" -> at < v;
                        default -> throw new IllegalArgumentException(f.path("operator").asText());
                    };
                }
            }
            if (ok) {
                matching.add(o);
            }
        }
        matching.sort(Comparator.comparing((Obj o) -> o.updatedAt).thenComparing(o -> Long.parseLong(o.id)));
        List<String> props = new ArrayList<>();
        request.path("properties").forEach(p -> props.add(p.asText()));
        ObjectNode out = JSON.createObjectNode();
        out.put("total", matching.size());
        ArrayNode results = out.putArray("results");
        for (int i = after; i < Math.min(matching.size(), after + limit); i++) {
            results.add(render(type, matching.get(i), props, null));
        }
        if (after + limit < matching.size()) {
            out.putObject("paging").putObject("next").put("after", String.valueOf(after + limit));
        }
        send(ex, 200, out.toString());
    }

    private void associationsRead(HttpExchange ex, String from, String to, JsonNode request) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode results = out.putArray("results");
        ArrayNode errors = JSON.createArrayNode();
        for (JsonNode input : request.path("inputs")) {
            String id = input.path("id").asText();
            List<String> linked = linked(from, id, to);
            if (linked.isEmpty()) {
                errors.addObject().put("status", "error").put("category", "OBJECT_NOT_FOUND")
                        .put("message", "No " + to + " is associated with " + from + " " + id).putObject("context")
                        .putArray("fromObjectId").add(id);
                continue;
            }
            ObjectNode r = results.addObject();
            r.putObject("from").put("id", id);
            ArrayNode targets = r.putArray("to");
            linked.forEach(l -> targets.addObject().put("toObjectId", Long.parseLong(l)).putArray("associationTypes")
                    .addObject().put("category", "HUBSPOT_DEFINED").put("typeId", 1).putNull("label"));
        }
        out.put("status", "COMPLETE");
        sendBatch(ex, out, errors, 200);
    }

    private void associationsCreate(HttpExchange ex, String from, String to, JsonNode request) throws IOException {
        JsonNode inputs = request.path("inputs");
        if (!inputs.isArray() || inputs.isEmpty() || inputs.size() > 100) {
            send(ex, 400, "{\"status\":\"error\",\"message\":\"inputs: between 1 and 100 are allowed\",\"category\":\"VALIDATION_ERROR\"}");
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode results = out.putArray("results");
        ArrayNode errors = JSON.createArrayNode();
        for (JsonNode input : inputs) {
            String fromId = input.path("from").path("id").asText("");
            String toId = input.path("to").path("id").asText("");
            String missing = live(from, fromId) ? live(to, toId) ? null : "toObjectId" : "fromObjectId";
            if (missing != null) {
                String id = "fromObjectId".equals(missing) ? fromId : toId;
                errors.addObject().put("status", "error").put("category", "OBJECT_NOT_FOUND")
                        .put("message", ("fromObjectId".equals(missing) ? from : to) + " " + id + " not found")
                        .putObject("context").putArray(missing).add(id);
                continue;
            }
            associate(from, fromId, to, toId);
            ObjectNode r = results.addObject();
            r.putObject("from").put("id", fromId);
            r.putObject("to").put("id", toId);
            r.putObject("associationSpec").put("associationCategory", "HUBSPOT_DEFINED").put("associationTypeId", 1);
        }
        out.put("status", "COMPLETE");
        out.put("startedAt", Instant.now().toString());
        out.put("completedAt", Instant.now().toString());
        sendBatch(ex, out, errors, 200);
    }

    /** A batch answer: {@code status} on success, {@code 207} with HubSpot's {@code errors}/{@code numErrors} otherwise. */
    private void sendBatch(HttpExchange ex, ObjectNode out, ArrayNode errors, int status) throws IOException {
        if (!errors.isEmpty()) {
            out.set("errors", errors);
            out.put("numErrors", errors.size());
        }
        send(ex, errors.isEmpty() ? status : 207, out.toString());
    }

    private boolean live(String type, String id) {
        Obj o = objects.get(type).get(id);
        return o != null && !o.archived;
    }

    /** The ids of the {@code to} objects associated with an object (both directions are kept). */
    public List<String> associated(String type, String id, String to) {
        return linked(type, id, to);
    }

    private void batch(HttpExchange ex, String type, String op, JsonNode request) throws IOException {
        JsonNode inputs = request.path("inputs");
        if (!inputs.isArray() || inputs.size() > 100) {
            send(ex, 400, "{\"status\":\"error\",\"message\":\"inputs: between 1 and 100 are allowed\",\"category\":\"VALIDATION_ERROR\"}");
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode results = out.putArray("results");
        ArrayNode errors = JSON.createArrayNode();
        for (JsonNode input : inputs) {
            String key = switch (op) {
                case "upsert" -> input.path("id").asText("").toLowerCase();
                case "update" -> input.path("id").asText();
                default -> null;
            };
            Map<String, String> props = new HashMap<>();
            input.path("properties").fields().forEachRemaining(e -> {
                if (!e.getValue().isNull()) {
                    props.put(e.getKey(), e.getValue().asText());
                }
            });
            if (key != null && (refused.contains(key) || key.isBlank())) {
                errors.addObject().put("status", "error").put("category", "VALIDATION_ERROR")
                        .put("message", "Property values were not valid: " + key).putObject("context").putArray("ids").add(key);
                continue;
            }
            Obj o;
            boolean created = false;
            switch (op) {
                case "upsert" -> {
                    String idProperty = input.path("idProperty").asText();
                    o = objects.get(type).values().stream().filter(x -> !x.archived && key.equalsIgnoreCase(x.props.get(idProperty)))
                            .findFirst().orElse(null);
                    if (o == null) {
                        o = new Obj(String.valueOf(ids.incrementAndGet()), tick());
                        objects.get(type).put(o.id, o);
                        created = true;
                    }
                    props.put(idProperty, key);
                }
                case "update" -> {
                    o = objects.get(type).get(key);
                    if (o == null || o.archived) {
                        errors.addObject().put("status", "error").put("category", "OBJECT_NOT_FOUND")
                                .put("message", "Object not found: " + key).putObject("context").putArray("ids").add(key);
                        continue;
                    }
                }
                case "create" -> {
                    o = new Obj(String.valueOf(ids.incrementAndGet()), tick());
                    objects.get(type).put(o.id, o);
                    created = true;
                }
                default -> throw new IllegalArgumentException(op);
            }
            o.props.putAll(props);
            o.updatedAt = tick();
            touch(type, o);
            ObjectNode r = render(type, o, List.of(), null);
            if ("upsert".equals(op)) {
                r.put("new", created);
            }
            results.add(r);
        }
        out.put("status", "COMPLETE");
        out.put("requestedAt", Instant.now().toString());
        out.put("startedAt", Instant.now().toString());
        out.put("completedAt", Instant.now().toString());
        sendBatch(ex, out, errors, "create".equals(op) ? 201 : 200);
    }

    private static Map<String, String> form(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
