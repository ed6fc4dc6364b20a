package io.integrationhub.provider.square;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A wire-level Square for tests (shared/providers.md §3): ObtainToken with a JSON body ({@code expires_at}, the same
 * refresh token back on refresh), RevokeToken with {@code Authorization: Client <secret>}, and the v2 API with a
 * required {@code Square-Version} and bearer token: {@code GET /v2/merchants/me}, {@code GET /v2/locations},
 * ListCatalog ({@code GET /v2/catalog/list}, 100 objects a page, deleted ones left out), SearchCatalogObjects
 * ({@code begin_time}, {@code include_deleted_objects}), SearchOrders (at most 10 {@code location_ids}, {@code limit}
 * up to 1000, {@code closed_at} range sorted by {@code CLOSED_AT}, opaque cursor that must come back with the same
 * query) and RetrieveOrder. Errors use Square's {@code {"errors":[{category, code, detail}]}}; queued faults answer
 * {@code 429 RATE_LIMITED} without any Retry-After (Square sends no numbers). One SearchOrders call can be held until
 * the test releases it, so a test can look at a run in the middle.
 */
public final class SquareFake {

    public static final String CLIENT_ID = "sq0idp-test-app";
    public static final String CLIENT_SECRET = "sq0csp-test-secret";
    public static final String MERCHANT = "MLTESTMERCHANT";
    public static final String BUSINESS = "Harbour Coffee Co";

    private static final ObjectMapper JSON = new ObjectMapper();

    public record Call(String method, String path, String query, String version, String authorization, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final HttpServer server;
    private final Map<String, Boolean> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refreshTokens = new ConcurrentHashMap<>();
    private final List<ObjectNode> catalog = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> orders = new CopyOnWriteArrayList<>();
    private final List<String> locations = new CopyOnWriteArrayList<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Call> tokenCalls = new CopyOnWriteArrayList<>();
    private final Deque<String> faults = new ConcurrentLinkedDeque<>(); // paths whose next call answers 429
    private final Map<String, JsonNode> cursors = new ConcurrentHashMap<>();
    private volatile int holdSearch = -1;
    private volatile CountDownLatch held = new CountDownLatch(0);
    private volatile CountDownLatch release = new CountDownLatch(0);
    private final java.util.concurrent.atomic.AtomicInteger searches = new java.util.concurrent.atomic.AtomicInteger();
    private long last;

    public SquareFake() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "square-fake");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/oauth2/", this::oauth);
        server.createContext("/v2/", this::api);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
    }

    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String path) {
        return calls.stream().filter(c -> c.path().equals(path)).toList();
    }

    public List<Call> tokenCalls() {
        return List.copyOf(tokenCalls);
    }

    public void clearCalls() {
        calls.clear();
        tokenCalls.clear();
    }

    /**
     * The next {@code n} API calls to {@code path} answer 429 RATE_LIMITED (no Retry-After); calls to other paths
     * (a run an earlier test left going) are answered as usual.
     */
    public void rateLimit(int n, String path) {
        for (int i = 0; i < n; i++) {
            faults.add(path);
        }
    }

    /** The {@code n}-th SearchOrders call from now (1-based) waits until {@link #release()}. */
    public void holdSearch(int n) {
        searches.set(0);
        held = new CountDownLatch(1);
        release = new CountDownLatch(1);
        holdSearch = n;
    }

    public boolean awaitHeld() throws InterruptedException {
        return held.await(60, TimeUnit.SECONDS);
    }

    public void release() {
        holdSearch = -1;
        release.countDown();
    }

    // --- data -------------------------------------------------------------------------------------------------

    public void locations(String... ids) {
        locations.clear();
        locations.addAll(List.of(ids));
    }

    public ObjectNode item(String id, String name, String categoryId, int... prices) {
        ObjectNode o = object("ITEM", id);
        ObjectNode data = o.putObject("item_data").put("name", name);
        if (categoryId != null) {
            data.put("category_id", categoryId);
        }
        ArrayNode variations = data.putArray("variations");
        for (int i = 0; i < prices.length; i++) {
            ObjectNode v = variations.addObject().put("type", "ITEM_VARIATION").put("id", id + "-V" + i);
            ObjectNode vd = v.putObject("item_variation_data").put("item_id", id).put("name", "Size " + i)
                    .put("sku", id + "-" + i).put("pricing_type", "FIXED_PRICING");
            vd.putObject("price_money").put("amount", prices[i]).put("currency", "USD");
        }
        catalog.add(o);
        return o;
    }

    public ObjectNode category(String id, String name) {
        ObjectNode o = object("CATEGORY", id);
        o.putObject("category_data").put("name", name);
        catalog.add(o);
        return o;
    }

    public ObjectNode modifierList(String id, String name) {
        ObjectNode o = object("MODIFIER_LIST", id);
        ObjectNode data = o.putObject("modifier_list_data").put("name", name).put("selection_type", "SINGLE");
        data.putArray("modifiers").addObject().put("type", "MODIFIER").put("id", id + "-M1")
                .putObject("modifier_data").put("name", "Oat milk").putObject("price_money").put("amount", 60).put("currency", "USD");
        catalog.add(o);
        return o;
    }

    public ObjectNode catalogObject(String id) {
        return catalog.stream().filter(o -> o.path("id").asText().equals(id)).findFirst().orElseThrow();
    }

    /** A seller's edit: a new version and updated_at. */
    public void renameItem(String id, String name) {
        ObjectNode o = catalogObject(id);
        ((ObjectNode) o.get("item_data")).put("name", name);
        touch(o);
    }

    public void deleteObject(String id) {
        touch(catalogObject(id).put("is_deleted", true));
    }

    private ObjectNode object(String type, String id) {
        ObjectNode o = JSON.createObjectNode().put("type", type).put("id", id).put("is_deleted", false)
                .put("present_at_all_locations", true);
        touch(o);
        return o;
    }

    private void touch(ObjectNode o) {
        String now = tick();
        o.put("updated_at", now).put("version", Instant.parse(now).toEpochMilli());
    }

    /** {@code perDay} orders a day at each location, closed between {@code from} (inclusive) and {@code days} later. */
    public int orders(Instant from, int days, int perDay) {
        int n = 0;
        for (int d = 0; d < days; d++) {
            for (String location : locations) {
                for (int k = 0; k < perDay; k++) {
                    Instant closed = from.plus(d, ChronoUnit.DAYS).plus(8 + k, ChronoUnit.HOURS)
                            .plus(locations.indexOf(location), ChronoUnit.MINUTES);
                    orders.add(order(location + "-" + d + "-" + k, location, closed, 350 + 50 * k));
                    n++;
                }
            }
        }
        return n;
    }

    public List<ObjectNode> orders() {
        return orders;
    }

    public ObjectNode order(String id) {
        return orders.stream().filter(o -> o.path("id").asText().equals(id)).findFirst().orElseThrow();
    }

    /** A tip added after the sale (Square's order.updated / payment.updated). */
    public void addTip(String id, int cents) {
        ObjectNode o = order(id);
        o.putObject("total_tip_money").put("amount", cents).put("currency", "USD");
        long total = o.path("total_money").path("amount").asLong() + cents;
        o.putObject("total_money").put("amount", total).put("currency", "USD");
        o.put("version", o.path("version").asInt() + 1).put("updated_at", tick());
    }

    private static ObjectNode order(String id, String location, Instant closed, int cents) {
        ObjectNode o = JSON.createObjectNode().put("id", id).put("location_id", location).put("state", "COMPLETED")
                .put("version", 1).put("created_at", closed.minusSeconds(120).toString())
                .put("updated_at", closed.toString()).put("closed_at", closed.toString());
        ObjectNode line = o.putArray("line_items").addObject().put("uid", "li-" + id).put("name", "Flat white")
                .put("variation_name", "Regular").put("catalog_object_id", "ITEM-FLAT-V0").put("quantity", "1");
        line.putObject("base_price_money").put("amount", cents).put("currency", "USD");
        line.putObject("total_money").put("amount", cents).put("currency", "USD");
        o.putObject("total_money").put("amount", cents).put("currency", "USD");
        o.putObject("total_tax_money").put("amount", 0).put("currency", "USD");
        ObjectNode tender = o.putArray("tenders").addObject().put("id", "T-" + id).put("type", "CARD")
                .put("payment_id", "PAY-" + id);
        tender.putObject("amount_money").put("amount", cents).put("currency", "USD");
        tender.putObject("card_details").putObject("card").put("card_brand", "VISA");
        return o;
    }

    private synchronized String tick() {
        long now = Math.max(System.currentTimeMillis(), last + 1);
        last = now;
        return Instant.ofEpochMilli(now).toString();
    }

    // --- OAuth ------------------------------------------------------------------------------------------------

    private void oauth(HttpExchange ex) throws IOException {
        String body = read(ex);
        String path = ex.getRequestURI().getPath();
        tokenCalls.add(new Call(ex.getRequestMethod(), path, null, ex.getRequestHeaders().getFirst("Square-Version"),
                ex.getRequestHeaders().getFirst("Authorization"), body));
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            request = null;
        }
        if (request == null || !String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")).startsWith("application/json")) {
            send(ex, 400, error("INVALID_REQUEST_ERROR", "BAD_REQUEST", "The body must be JSON."));
            return;
        }
        if (path.equals("/oauth2/revoke")) {
            if (!("Client " + CLIENT_SECRET).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, error("AUTHENTICATION_ERROR", "UNAUTHORIZED", "Client authorization is invalid."));
                return;
            }
            accessTokens.remove(request.path("access_token").asText());
            send(ex, 200, JSON.createObjectNode().put("success", true));
            return;
        }
        if (!CLIENT_ID.equals(request.path("client_id").asText()) || !CLIENT_SECRET.equals(request.path("client_secret").asText())) {
            send(ex, 401, error("AUTHENTICATION_ERROR", "UNAUTHORIZED", "Not authorized."));
            return;
        }
        String grant = request.path("grant_type").asText();
        String refresh;
        if ("authorization_code".equals(grant) && request.path("code").asText().startsWith("sq0cgp-")) {
            refresh = "EQAAE-" + UUID.randomUUID();
            refreshTokens.put(refresh, true);
        } else if ("refresh_token".equals(grant) && refreshTokens.containsKey(request.path("refresh_token").asText())) {
            refresh = request.path("refresh_token").asText(); // code flow: multi-use, the same one comes back
        } else {
            send(ex, 401, error("AUTHENTICATION_ERROR", "UNAUTHORIZED", "Invalid code or refresh token."));
            return;
        }
        String access = "EAAAE-" + UUID.randomUUID();
        accessTokens.put(access, true);
        send(ex, 200, JSON.createObjectNode().put("access_token", access).put("token_type", "bearer")
                .put("expires_at", Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString())
                .put("merchant_id", MERCHANT).put("refresh_token", refresh).put("short_lived", false));
    }

    // --- API --------------------------------------------------------------------------------------------------

    private void api(HttpExchange ex) throws IOException {
        String body = read(ex);
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery();
        String method = ex.getRequestMethod();
        String version = ex.getRequestHeaders().getFirst("Square-Version");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        calls.add(new Call(method, path, query, version, auth, body));
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
        if (!accessTokens.containsKey(token)) {
            send(ex, 401, error("AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized."));
            return;
        }
        if (version == null || !version.matches("\\d{4}-\\d{2}-\\d{2}")) {
            send(ex, 400, error("INVALID_REQUEST_ERROR", "INVALID_VALUE", "Square-Version is missing or invalid."));
            return;
        }
        if (faults.removeFirstOccurrence(path)) {
            send(ex, 429, error("RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limit exceeded."));
            return;
        }
        JsonNode request = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        if ("GET".equals(method) && path.equals("/v2/merchants/me")) {
            ObjectNode answer = JSON.createObjectNode();
            answer.putObject("merchant").put("id", MERCHANT).put("business_name", BUSINESS).put("country", "US")
                    .put("currency", "USD").put("status", "ACTIVE");
            send(ex, 200, answer);
        } else if ("GET".equals(method) && path.equals("/v2/locations")) {
            ObjectNode answer = JSON.createObjectNode();
            ArrayNode list = answer.putArray("locations");
            for (String id : locations) {
                list.addObject().put("id", id).put("name", "Store " + id).put("status", "ACTIVE")
                        .put("timezone", "Australia/Sydney").put("currency", "USD").put("merchant_id", MERCHANT);
            }
            send(ex, 200, answer);
        } else if ("GET".equals(method) && path.equals("/v2/catalog/list")) {
            Map<String, String> q = params(query);
            Set<String> types = Set.of(q.getOrDefault("types", "").toUpperCase().split(","));
            List<ObjectNode> live = catalog.stream().filter(o -> !o.path("is_deleted").asBoolean())
                    .filter(o -> q.get("types") == null || types.contains(o.path("type").asText())).toList();
            page(ex, live, q.get("cursor"), 100, "objects", null);
        } else if ("POST".equals(method) && path.equals("/v2/catalog/search")) {
            Set<String> types = new java.util.HashSet<>();
            request.path("object_types").forEach(t -> types.add(t.asText()));
            Instant begin = request.hasNonNull("begin_time") ? Instant.parse(request.get("begin_time").asText()) : null;
            boolean deleted = request.path("include_deleted_objects").asBoolean(false);
            List<ObjectNode> found = catalog.stream().filter(o -> types.isEmpty() || types.contains(o.path("type").asText()))
                    .filter(o -> deleted || !o.path("is_deleted").asBoolean())
                    .filter(o -> begin == null || !Instant.parse(o.path("updated_at").asText()).isBefore(begin))
                    .sorted(Comparator.comparing(o -> o.path("updated_at").asText())).toList();
            String latest = catalog.stream().map(o -> o.path("updated_at").asText()).max(String::compareTo).orElse(null);
            page(ex, found, request.path("cursor").asText(null), Math.min(1000, request.path("limit").asInt(100)), "objects", latest);
        } else if ("POST".equals(method) && path.equals("/v2/orders/search")) {
            searchOrders(ex, request);
        } else if ("GET".equals(method) && path.startsWith("/v2/orders/")) {
            String id = path.substring("/v2/orders/".length());
            ObjectNode found = orders.stream().filter(o -> o.path("id").asText().equals(id)).findFirst().orElse(null);
            if (found == null) {
                send(ex, 404, error("INVALID_REQUEST_ERROR", "NOT_FOUND", "Order not found."));
                return;
            }
            ObjectNode answer = JSON.createObjectNode();
            answer.set("order", found);
            send(ex, 200, answer);
        } else {
            send(ex, 404, error("INVALID_REQUEST_ERROR", "NOT_FOUND", "Resource not found."));
        }
    }

    private void searchOrders(HttpExchange ex, JsonNode request) throws IOException {
        if (searches.incrementAndGet() == holdSearch) {
            held.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        JsonNode ids = request.path("location_ids");
        if (!ids.isArray() || ids.isEmpty() || ids.size() > 10) {
            send(ex, 400, error("INVALID_REQUEST_ERROR", "INVALID_ARRAY_LENGTH", "location_ids must hold 1 to 10 ids."));
            return;
        }
        int limit = request.path("limit").asInt(500);
        if (limit < 1 || limit > 1000) {
            send(ex, 400, error("INVALID_REQUEST_ERROR", "INVALID_VALUE", "limit must be 1 to 1000."));
            return;
        }
        JsonNode range = request.path("query").path("filter").path("date_time_filter").path("closed_at");
        String sortField = request.path("query").path("sort").path("sort_field").asText("CREATED_AT");
        if (!range.isMissingNode() && !"CLOSED_AT".equals(sortField)) {
            send(ex, 400, error("INVALID_REQUEST_ERROR", "INVALID_SORT_ORDER", "sort_field must match the date_time_filter."));
            return;
        }
        ObjectNode original = request.deepCopy();
        original.remove("cursor");
        String cursor = request.path("cursor").asText(null);
        if (cursor != null && !original.equals(cursors.get(cursor))) {
            send(ex, 400, error("INVALID_REQUEST_ERROR", "INVALID_CURSOR", "The cursor does not belong to this query."));
            return;
        }
        Set<String> at = new java.util.HashSet<>();
        ids.forEach(i -> at.add(i.asText()));
        Instant start = range.hasNonNull("start_at") ? Instant.parse(range.get("start_at").asText()) : Instant.EPOCH;
        Instant end = range.hasNonNull("end_at") ? Instant.parse(range.get("end_at").asText()) : Instant.now();
        Comparator<ObjectNode> byClosed = Comparator.comparing(o -> o.path("closed_at").asText());
        boolean asc = "ASC".equals(request.path("query").path("sort").path("sort_order").asText("DESC"));
        List<ObjectNode> found = orders.stream().filter(o -> at.contains(o.path("location_id").asText()))
                .filter(o -> {
                    Instant c = Instant.parse(o.path("closed_at").asText());
                    return !c.isBefore(start) && c.isBefore(end);
                }).sorted(asc ? byClosed : byClosed.reversed()).toList();
        int offset = cursor == null ? 0 : Integer.parseInt(cursor.substring(cursor.indexOf(':') + 1));
        int stop = Math.min(found.size(), offset + limit);
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode list = answer.putArray("orders");
        found.subList(offset, stop).forEach(list::add);
        if (stop < found.size()) {
            String next = UUID.randomUUID() + ":" + stop;
            cursors.put(next, original);
            answer.put("cursor", next);
        }
        send(ex, 200, answer);
    }

    private void page(HttpExchange ex, List<ObjectNode> all, String cursor, int size, String field, String latest)
            throws IOException {
        int offset = cursor == null || cursor.isBlank() ? 0 : Integer.parseInt(cursor.replace("c", ""));
        int stop = Math.min(all.size(), offset + size);
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode list = answer.putArray(field);
        all.subList(Math.min(offset, all.size()), stop).forEach(list::add);
        if (stop < all.size()) {
            answer.put("cursor", "c" + stop);
        }
        if (latest != null) {
            answer.put("latest_time", latest);
        }
        send(ex, 200, answer);
    }

    private static Map<String, String> params(String query) {
        Map<String, String> map = new HashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    map.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return map;
    }

    private static ObjectNode error(String category, String code, String detail) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("errors").addObject().put("category", category).put("code", code).put("detail", detail);
        return body;
    }

    private static String read(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
