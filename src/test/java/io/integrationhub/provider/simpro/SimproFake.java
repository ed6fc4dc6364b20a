package io.integrationhub.provider.simpro;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A wire-level Simpro build for tests (shared/providers.md §8, docs/simpro.md): the build's OAuth2 token endpoint
 * ({@code /oauth2/token}, client id and secret as form fields, authorization_code and refresh_token grants) and its
 * REST API below {@code /api/v1.0}: {@code GET /companies/} and the company lists {@code /companies/{id}/customers/},
 * {@code sites/}, {@code jobs/}, {@code quotes/} as bare JSON arrays, paged by {@code page}/{@code pageSize} (at most
 * 250, else 422), narrowed to {@code columns} (ID and {@code _href} always), ordered by {@code orderby}, filtered
 * by {@code DateModified=ge(<date-time>)}, with the paging headers {@code Result-Total}, {@code Result-Pages},
 * {@code Result-Count}. Every API call needs a bearer token the build issued. Faults: a page answered with a status
 * a number of times, a page held until the test releases it.
 */
public final class SimproFake {

    public static final String CLIENT_ID = "simpro-test-client";
    public static final String CLIENT_SECRET = "simpro-test-secret";
    public static final String COMPANY = "Acme Plumbing Pty Ltd";
    /** A key pair the build issued to one tenant (client credentials grant only). */
    public static final String KEY_ID = "build-key-7f3a";
    public static final String KEY_SECRET = "build-secret-91bc";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LIST = Pattern.compile("/api/v1\\.0/companies/(\\d+)/(customers|sites|jobs|quotes)/?");
    private static final Pattern FILTER = Pattern.compile("(ge|gt)\\((.+)\\)");
    private static final DateTimeFormatter SIMPRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");

    public record Call(String method, String path, Map<String, String> query, String authorization) {
        public int page() {
            return Integer.parseInt(query.getOrDefault("page", "1"));
        }
    }

    /** A fault: answer {@code status} (with Retry-After when not null) to page {@code page} of {@code resource}. */
    public record Fault(String resource, int page, int status, String retryAfter, AtomicInteger times) {
    }

    private final HttpServer server;
    private final Set<String> accessTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    /** resource → ID → object, per build (one fake is one build). */
    private final Map<String, Map<Integer, ObjectNode>> data = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> tokenCalls = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private volatile Hold hold;

    record Hold(String resource, int page, CountDownLatch reached, CountDownLatch released) {
    }

    public SimproFake() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "simpro-fake");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/oauth2/token", this::token);
        server.createContext("/api/v1.0/", this::api);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        for (String r : List.of("customers", "sites", "jobs", "quotes")) {
            data.put(r, new ConcurrentHashMap<>());
        }
    }

    /** The build URL (scheme and host only, as a tenant enters it). */
    public String root() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String resource) {
        return calls.stream().filter(c -> c.path().contains("/" + resource + "/")).toList();
    }

    public List<Map<String, String>> tokenCalls() {
        return List.copyOf(tokenCalls);
    }

    public void clearCalls() {
        calls.clear();
        tokenCalls.clear();
    }

    /** Every access token stops working: the next call answers 401 until the hub gets a new one. */
    public void expireAccessTokens() {
        accessTokens.clear();
    }

    public void clearFaults() {
        faults.clear();
        Hold h = hold;
        if (h != null) {
            h.released().countDown();
        }
        hold = null;
    }

    public void fail(String resource, int page, int status, String retryAfter, int times) {
        faults.add(new Fault(resource, page, status, retryAfter, new AtomicInteger(times)));
    }

    /** Page {@code page} of {@code resource} waits, once reached, until {@link #release()}. */
    public void holdAt(String resource, int page) {
        hold = new Hold(resource, page, new CountDownLatch(1), new CountDownLatch(1));
    }

    public boolean awaitHeld(long seconds) throws InterruptedException {
        return hold.reached().await(seconds, TimeUnit.SECONDS);
    }

    public void release() {
        hold.released().countDown();
    }

    /** A build with {@code customers} customers (every third an individual), {@code sites} sites, jobs and quotes. */
    public void seed(int customers, int sites, int jobs, int quotes) {
        data.values().forEach(Map::clear);
        String old = "2026-01-05T09:00:00+10:00";
        for (int i = 1; i <= customers; i++) {
            ObjectNode c = JSON.createObjectNode().put("ID", i);
            boolean individual = i % 3 == 0;
            c.put("_href", "/api/v1.0/companies/0/customers/" + (individual ? "individuals/" : "companies/") + i);
            c.put("CompanyName", individual ? "" : "Customer Co " + i);
            c.put("GivenName", individual ? "Given" + i : "");
            c.put("FamilyName", individual ? "Family" + i : "");
            c.put("Email", "customer" + i + "@example.com").put("Phone", "0400 000 " + i).put("DateModified", old);
            data.get("customers").put(i, c);
        }
        for (int i = 1; i <= sites; i++) {
            ObjectNode s = JSON.createObjectNode().put("ID", 100 + i).put("_href", "/api/v1.0/companies/0/sites/" + (100 + i));
            s.put("Name", "Site " + i).put("DateModified", old);
            s.putObject("Address").put("Address", i + " Main St").put("City", "Brisbane").put("State", "QLD")
                    .put("PostalCode", "4000").put("Country", "Australia");
            s.putArray("Customers").addObject().put("ID", 1 + (i - 1) % customers);
            data.get("sites").put(100 + i, s);
        }
        for (String resource : List.of("jobs", "quotes")) {
            int n = resource.equals("jobs") ? jobs : quotes;
            int base = resource.equals("jobs") ? 1000 : 50000;
            for (int i = 1; i <= n; i++) {
                ObjectNode j = JSON.createObjectNode().put("ID", base + i)
                        .put("_href", "/api/v1.0/companies/0/" + resource + "/" + (base + i));
                if (resource.equals("jobs")) {
                    j.put("Type", "Service");
                } else {
                    j.put("IsClosed", false);
                }
                j.put("Name", (resource.equals("jobs") ? "Job " : "Quote ") + i).put("Description", "Fix tap " + i)
                        .put("Stage", resource.equals("jobs") ? "Progress" : "InProgress").put("DateIssued", "2026-01-02")
                        .put("DateModified", old);
                int customer = 1 + (i - 1) % Math.max(customers, 1);
                j.putObject("Customer").put("ID", customer).put("CompanyName", "Customer Co " + customer)
                        .put("GivenName", "").put("FamilyName", "");
                if (sites > 0) {
                    j.putObject("Site").put("ID", 100 + 1 + (i - 1) % sites).put("Name", "Site");
                }
                j.putObject("Status").put("ID", 1).put("Name", "In progress");
                j.putObject("Total").put("ExTax", 100.0 + i).put("Tax", 10.0).put("IncTax", 110.0 + i);
                j.put("Description", "Fix tap " + i);
                data.get(resource).put(base + i, j);
            }
        }
    }

    /** Renames an object of {@code resource} and marks it modified now (as Simpro does on every edit). */
    public void modify(String resource, int id, String name) {
        ObjectNode o = data.get(resource).get(id);
        o.put("Name", name).put("DateModified", OffsetDateTime.now(ZoneOffset.ofHours(10)).format(SIMPRO_TIME));
    }

    public ObjectNode object(String resource, int id) {
        return data.get(resource).get(id);
    }

    private void token(HttpExchange ex) throws IOException {
        Map<String, String> form = parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        tokenCalls.add(form);
        String grant = form.get("grant_type");
        boolean hub = CLIENT_ID.equals(form.get("client_id")) && CLIENT_SECRET.equals(form.get("client_secret"));
        boolean tenant = "client_credentials".equals(grant) && KEY_ID.equals(form.get("client_id"))
                && KEY_SECRET.equals(form.get("client_secret"));
        if (!"POST".equals(ex.getRequestMethod()) || !hub && !tenant) {
            send(ex, 401, "{\"error\":\"invalid_client\"}", Map.of());
            return;
        }
        if (tenant) {
            String access = "at-" + UUID.randomUUID();
            accessTokens.add(access);
            send(ex, 200, JSON.createObjectNode().put("access_token", access).put("token_type", "Bearer")
                    .put("expires_in", 3600).toString(), Map.of());
            return;
        }
        boolean ok = "authorization_code".equals(grant) && form.getOrDefault("code", "").startsWith("code-")
                || "refresh_token".equals(grant) && refreshTokens.remove(form.getOrDefault("refresh_token", ""));
        if (!ok) {
            send(ex, 400, "{\"error\":\"invalid_grant\"}", Map.of());
            return;
        }
        String access = "at-" + UUID.randomUUID();
        String refresh = "rt-" + UUID.randomUUID();
        accessTokens.add(access);
        refreshTokens.add(refresh);
        send(ex, 200, JSON.createObjectNode().put("access_token", access).put("token_type", "Bearer")
                .put("expires_in", 3600).put("refresh_token", refresh).put("scope", "").toString(), Map.of());
    }

    private void api(HttpExchange ex) throws IOException {
        Map<String, String> query = parse(ex.getRequestURI().getRawQuery());
        String path = ex.getRequestURI().getPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        calls.add(new Call(ex.getRequestMethod(), path, query, auth));
        if (auth == null || !auth.startsWith("Bearer ") || !accessTokens.contains(auth.substring(7))) {
            send(ex, 401, "{\"errors\":[{\"message\":\"Invalid access token\"}]}", Map.of());
            return;
        }
        if (path.equals("/api/v1.0/companies/") || path.equals("/api/v1.0/companies")) {
            ArrayNode companies = JSON.createArrayNode();
            companies.addObject().put("ID", 0).put("Name", COMPANY);
            send(ex, 200, companies.toString(), Map.of());
            return;
        }
        Matcher m = LIST.matcher(path);
        if (!m.matches() || !"GET".equals(ex.getRequestMethod())) {
            send(ex, 404, "{\"errors\":[{\"message\":\"Not found\"}]}", Map.of());
            return;
        }
        if (!m.group(1).equals("0")) {
            send(ex, 404, "{\"errors\":[{\"message\":\"Company not found\"}]}", Map.of());
            return;
        }
        String resource = m.group(2);
        int page = Integer.parseInt(query.getOrDefault("page", "1"));
        int size = Integer.parseInt(query.getOrDefault("pageSize", "30"));
        if (size < 1 || size > 250) {
            send(ex, 422, "{\"errors\":[{\"path\":\"pageSize\",\"message\":\"pageSize must be between 1 and 250\"}]}", Map.of());
            return;
        }
        for (Fault f : faults) {
            if (f.resource().equals(resource) && f.page() == page && f.times().getAndDecrement() > 0) {
                send(ex, f.status(), "{\"errors\":[{\"message\":\"Simulated failure\"}]}",
                        f.retryAfter() == null ? Map.of() : Map.of("Retry-After", f.retryAfter()));
                return;
            }
        }
        Hold h = hold;
        if (h != null && h.resource().equals(resource) && h.page() == page) {
            h.reached().countDown();
            try {
                h.released().await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ObjectNode> all = new ArrayList<>(data.get(resource).values());
        String since = query.get("DateModified");
        if (since != null) {
            Matcher f = FILTER.matcher(since);
            if (!f.matches()) {
                send(ex, 422, "{\"errors\":[{\"path\":\"DateModified\",\"message\":\"Invalid search\"}]}", Map.of());
                return;
            }
            Instant from = OffsetDateTime.parse(f.group(2)).toInstant();
            boolean strict = f.group(1).equals("gt");
            all.removeIf(o -> {
                Instant at = OffsetDateTime.parse(o.path("DateModified").asText()).toInstant();
                return strict ? !at.isAfter(from) : at.isBefore(from);
            });
        }
        all.sort(Comparator.comparingInt(o -> o.path("ID").asInt()));
        if ("-ID".equals(query.get("orderby"))) {
            java.util.Collections.reverse(all);
        }
        int total = all.size();
        int pages = Math.max(1, (total + size - 1) / size);
        List<ObjectNode> slice = all.subList(Math.min(total, (page - 1) * size), Math.min(total, page * size));
        Set<String> columns = query.containsKey("columns") ? Set.of(query.get("columns").split(",")) : null;
        ArrayNode out = JSON.createArrayNode();
        for (ObjectNode o : slice) {
            ObjectNode item = out.addObject();
            item.set("ID", o.get("ID"));
            o.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("ID") && (columns == null || columns.contains(e.getKey()) || e.getKey().equals("_href"))) {
                    item.set(e.getKey(), e.getValue());
                }
            });
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Result-Total", Integer.toString(total));
        headers.put("Result-Pages", Integer.toString(pages));
        headers.put("Result-Count", Integer.toString(slice.size()));
        send(ex, 200, out.toString(), headers);
    }

    private static Map<String, String> parse(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
