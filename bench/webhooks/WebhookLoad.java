import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Load generator and checker for the webhook bench (JDK only; run with `java WebhookLoad.java ...`).
 *
 *   send   <baseUrl> <count> <concurrency> <seed> <outFile> [killAfter pid]
 *          signed webhooks over xero/square/hubspot/slack: 80% unique valid, 10% duplicates of an
 *          earlier valid one, 10% forged (wrong key) or stale (old timestamp); optionally kill -9 the
 *          hub after `killAfter` requests were answered.
 *   ping   <baseUrl> <count> <concurrency>          the bare 200 endpoint, same client, same concurrency
 *          send and ping: -Dclosed.warmup=N sends N more requests first that are not timed (the client's JIT warm-up)
 *          ping: -Dping.requests=webhooks sends send's mix of signed webhook requests (bodies and headers) to the bare
 *          endpoint instead of "{}": the framework's cost for exactly that traffic (an experiment; run.sh does not)
 *   pace   <baseUrl> <target> <rate> <seconds> <seed> [outFile]
 *          open-loop load at a fixed rate (requests per second), target "webhooks" (the same mix as send)
 *          or "ping"; each request is due at start + n/rate and its latency counts from that due time,
 *          so a stalled server is not hidden by a client that waits for it (no coordinated omission); the first
 *          -Dpace.warmup-seconds (3) are sent but not counted (the client's own JIT warm-up); -Dpace.client=wire
 *          (default: WireConnection, one kept-alive socket per sending thread, -Dpace.connections=64 threads) or jdk
 *          (java.net.http.HttpClient.sendAsync); the CPU the client used per counted request is printed
 *          send and ping: -Dclosed.client=jdk (default, java.net.http.HttpClient) or wire (WireConnection per thread)
 *   verify <baseUrl> <apiKey> <outFile>              every acknowledged unique event stored and processed once
 *   drained <baseUrl> <apiKey> <seconds>            waits until no stored event waits for processing or is in it
 *   providers <port> <accessToken>
 *          the provider APIs the hub's webhook handlers call for the bench's events, on 127.0.0.1:<port>:
 *          /xero (GET /api.xro/2.0/Invoices|Contacts/{id} for organisation bench-xero-tenant), /square
 *          (GET /v2/orders/{id}), /hubspot (GET /crm/v3/objects/{contacts|companies|deals}/{id}); answers in
 *          the providers' shapes for any id, only to `Authorization: Bearer <accessToken>` (the token the bench
 *          connections hold in the hub's vault); prints the requests it answered when stopped
 */
public class WebhookLoad {

    static final String XERO_KEY = "bench-xero-webhook-key";
    static final String SQUARE_KEY = "bench-square-signature-key";
    static final String HUBSPOT_KEY = "bench-hubspot-app-secret";
    static final String SLACK_KEY = "bench-slack-signing-secret";
    static final String[] PROVIDERS = { "xero", "square", "hubspot", "slack" };

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    record Req(int n, String provider, String kind, String eventKey, byte[] body, Map<String, String> headers) { }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "send" -> send(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
                    Path.of(args[5]), args.length > 6 ? Integer.parseInt(args[6]) : -1, args.length > 7 ? Long.parseLong(args[7]) : -1);
            case "ping" -> ping(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "pace" -> pace(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Long.parseLong(args[5]),
                    args.length > 6 ? Path.of(args[6]) : null);
            case "verify" -> System.exit(verify(args[1], args[2], Path.of(args[3])) ? 0 : 1);
            case "drained" -> System.exit(drained(args[1], args[2], Integer.parseInt(args[3])) ? 0 : 1);
            case "providers" -> providers(Integer.parseInt(args[1]), args[2]);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    // ---------------------------------------------------------------- provider APIs

    static final Map<String, AtomicInteger> ANSWERED = new java.util.concurrent.ConcurrentHashMap<>();
    static final Pattern XERO_ONE = Pattern.compile("/xero/api\\.xro/2\\.0/(Invoices|Contacts)/([^/?]+)");
    static final Pattern SQUARE_ORDER = Pattern.compile("/square/v2/orders/([A-Za-z0-9_-]+)");
    static final Pattern HUBSPOT_OBJECT = Pattern.compile("/hubspot/crm/v3/objects/(contacts|companies|deals)/([^/?]+)");

    /** The provider APIs behind the bench connections' api-urls, until the process is stopped. */
    static void providers(int port, String token) throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", port), 256);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            int status;
            String answer;
            String provider = path.startsWith("/xero/") ? "xero" : path.startsWith("/square/") ? "square"
                    : path.startsWith("/hubspot/") ? "hubspot" : path.startsWith("/slack/") ? "slack" : "other";
            if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                answer = switch (provider) {
                    case "xero" -> "{\"Title\":\"Unauthorized\",\"Status\":401,\"Detail\":\"AuthenticationUnsuccessful\"}";
                    case "square" -> "{\"errors\":[{\"category\":\"AUTHENTICATION_ERROR\",\"code\":\"UNAUTHORIZED\"}]}";
                    default -> "{\"status\":\"error\",\"message\":\"Authentication credentials not found.\",\"category\":\"INVALID_AUTHENTICATION\"}";
                };
                provider += " refused";
            } else {
                status = 200;
                answer = providerAnswer(exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(),
                        exchange.getRequestHeaders().getFirst("xero-tenant-id"));
                if (answer == null) {
                    status = 404;
                    answer = "{\"message\":\"not found\"}";
                    provider += " not found";
                }
            }
            if (!path.equals("/")) { // "/": run.sh's is-it-up probe
                ANSWERED.computeIfAbsent(provider, k -> new AtomicInteger()).incrementAndGet();
            }
            exchange.getRequestBody().readAllBytes();
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("RESULT provider API requests: "
                + new java.util.TreeMap<>(ANSWERED))));
        server.start();
        System.out.println("provider APIs on http://127.0.0.1:" + port);
        Thread.currentThread().join();
    }

    /** The object a GET names, in the provider's shape; null for a path this simulator does not serve. */
    static String providerAnswer(String method, String path, String query, String xeroTenant) {
        if (!method.equals("GET")) {
            return null;
        }
        long now = System.currentTimeMillis();
        if (path.equals("/slack/conversations.history")) {
            return slackHistory(query == null ? "" : query, now);
        }
        String iso = Instant.ofEpochMilli(now).toString();
        Matcher m = XERO_ONE.matcher(path);
        if (m.matches() && "bench-xero-tenant".equals(xeroTenant)) {
            String id = m.group(2);
            String contact = "{\"ContactID\":\"6d1c5e1a-0000-4000-8000-00000000b0c1\",\"ContactNumber\":\"CUST-BENCH\","
                    + "\"ContactStatus\":\"ACTIVE\",\"Name\":\"Bench Customer\",\"EmailAddress\":\"accounts@bench.example\","
                    + "\"IsCustomer\":true,\"IsSupplier\":false,\"Addresses\":[],\"UpdatedDateUTC\":\"/Date(" + now + "+0000)/\"}";
            String envelope = "{\"Id\":\"" + UUID.randomUUID() + "\",\"Status\":\"OK\",\"ProviderName\":\"integration-hub bench\","
                    + "\"DateTimeUTC\":\"/Date(" + now + ")/\",";
            if (m.group(1).equals("Contacts")) {
                return envelope + "\"Contacts\":[" + contact.replace("6d1c5e1a-0000-4000-8000-00000000b0c1", id) + "]}";
            }
            return envelope + "\"Invoices\":[{\"Type\":\"ACCREC\",\"InvoiceID\":\"" + id + "\",\"InvoiceNumber\":\"INV-"
                    + Math.floorMod(id.hashCode(), 100000) + "\",\"Reference\":\"bench\",\"Contact\":" + contact + ","
                    + "\"Date\":\"/Date(1763683200000+0000)/\",\"DateString\":\"2025-11-21T00:00:00\","
                    + "\"DueDate\":\"/Date(1764892800000+0000)/\",\"DueDateString\":\"2025-12-05T00:00:00\","
                    + "\"Status\":\"AUTHORISED\",\"LineAmountTypes\":\"Exclusive\",\"LineItems\":[{\"Description\":\"Consulting\","
                    + "\"Quantity\":2.0,\"UnitAmount\":50.00,\"AccountCode\":\"200\",\"TaxType\":\"OUTPUT2\",\"LineAmount\":100.00,"
                    + "\"TaxAmount\":15.00}],\"SubTotal\":100.00,\"TotalTax\":15.00,\"Total\":115.00,\"AmountDue\":115.00,"
                    + "\"AmountPaid\":0.00,\"CurrencyCode\":\"NZD\",\"HasAttachments\":false,\"Payments\":[],"
                    + "\"UpdatedDateUTC\":\"/Date(" + now + "+0000)/\"}]}";
        }
        m = SQUARE_ORDER.matcher(path);
        if (m.matches()) {
            String id = m.group(1);
            String money = "{\"amount\":900,\"currency\":\"USD\"}";
            String zero = "{\"amount\":0,\"currency\":\"USD\"}";
            return "{\"order\":{\"id\":\"" + id + "\",\"location_id\":\"LBENCH1\",\"state\":\"COMPLETED\","
                    + "\"source\":{\"name\":\"Bench POS\"},\"line_items\":[{\"uid\":\"li-1\",\"name\":\"Flat white\","
                    + "\"variation_name\":\"Regular\",\"catalog_object_id\":\"VBENCH1\",\"quantity\":\"2\","
                    + "\"base_price_money\":{\"amount\":450,\"currency\":\"USD\"},\"total_money\":" + money + "}],"
                    + "\"total_money\":" + money + ",\"total_tax_money\":" + zero + ",\"total_discount_money\":" + zero + ","
                    + "\"total_tip_money\":" + zero + ",\"total_service_charge_money\":" + zero + ",\"net_amount_due_money\":" + zero
                    + ",\"tenders\":[{\"id\":\"t-" + id + "\",\"type\":\"CARD\",\"amount_money\":" + money + ",\"payment_id\":\"p-"
                    + id + "\",\"card_details\":{\"card\":{\"card_brand\":\"VISA\"}}}],\"created_at\":\"" + iso
                    + "\",\"updated_at\":\"" + iso + "\",\"closed_at\":\"" + iso + "\",\"version\":3}}";
        }
        m = HUBSPOT_OBJECT.matcher(path);
        if (m.matches()) {
            String id = m.group(2);
            String properties = switch (m.group(1)) {
                case "contacts" -> "\"email\":\"c" + Math.floorMod(id.hashCode(), 100000) + "@bench.example\",\"firstname\":\"Bench\","
                        + "\"lastname\":\"Contact\",\"lifecyclestage\":\"lead\",\"createdate\":\"" + iso + "\",\"lastmodifieddate\":\"" + iso + "\"";
                case "companies" -> "\"name\":\"Bench Co\",\"domain\":\"bench.example\",\"createdate\":\"" + iso
                        + "\",\"hs_lastmodifieddate\":\"" + iso + "\"";
                default -> "\"dealname\":\"Bench deal\",\"amount\":\"1000\",\"dealstage\":\"appointmentscheduled\","
                        + "\"pipeline\":\"default\",\"createdate\":\"" + iso + "\",\"hs_lastmodifieddate\":\"" + iso + "\"";
            };
            return "{\"id\":\"" + id + "\",\"properties\":{" + properties + ",\"hs_object_id\":\"" + id + "\"},\"createdAt\":\""
                    + iso + "\",\"updatedAt\":\"" + iso + "\",\"archived\":false}";
        }
        return null;
    }

    /**
     * Slack's conversations.history of the bench channel: two messages a minute (one per half minute of the clock), the
     * ones at or after {@code oldest}, newest first, one page. Another channel: Slack's {"ok":false,"error":
     * "channel_not_found"} (with HTTP 200, as Slack answers).
     */
    static String slackHistory(String query, long nowMillis) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        if (!"CBENCH01".equals(q.get("channel"))) {
            return "{\"ok\":false,\"error\":\"channel_not_found\"}";
        }
        double oldest = q.containsKey("oldest") ? Double.parseDouble(q.get("oldest")) : 0;
        long half = nowMillis / 30_000 * 30;
        StringBuilder messages = new StringBuilder();
        for (long at = half; at > half - 120; at -= 30) {
            if (at < oldest) {
                break;
            }
            if (messages.length() > 0) {
                messages.append(',');
            }
            messages.append("{\"type\":\"message\",\"user\":\"UBENCH1\",\"text\":\"<@ABENCH> bench mention at ").append(at)
                    .append("\",\"ts\":\"").append(at).append(".000100\"}");
        }
        return "{\"ok\":true,\"messages\":[" + messages + "],\"has_more\":false,\"pin_count\":0,"
                + "\"response_metadata\":{\"next_cursor\":\"\"}}";
    }

    // ---------------------------------------------------------------- generation

    static List<Req> generate(String baseUrl, int count, long seed) {
        Random random = new Random(seed);
        List<Req> valid = new ArrayList<>();
        List<Req> all = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            String provider = PROVIDERS[n % PROVIDERS.length];
            int roll = random.nextInt(10);
            if (roll == 0 && !valid.isEmpty()) {
                Req original = valid.get(random.nextInt(valid.size()));
                // A redelivery: same event, re-signed now (HubSpot/Slack retries carry a new timestamp).
                all.add(sign(n, original.provider(), "duplicate", original.eventKey(), original.body(), false, false));
            } else if (roll == 1) {
                boolean stale = random.nextBoolean() && (provider.equals("hubspot") || provider.equals("slack"));
                Req forged = sign(n, provider, stale ? "stale" : "forged", "x-" + UUID.randomUUID(),
                        body(provider, UUID.randomUUID().toString()), !stale, stale);
                all.add(forged);
            } else {
                String id = UUID.randomUUID().toString();
                Req r = sign(n, provider, "valid", id, body(provider, id), false, false);
                valid.add(r);
                all.add(r);
            }
        }
        return all;
    }

    static byte[] body(String provider, String id) {
        String json = switch (provider) {
            case "xero" -> "{\"events\":[{\"resourceUrl\":\"https://api.xero.com/api.xro/2.0/Invoices/" + id + "\",\"resourceId\":\""
                    + id + "\",\"eventDateUtc\":\"2026-11-21T01:15:39.902\",\"eventType\":\"UPDATE\",\"eventCategory\":\"INVOICE\","
                    + "\"tenantId\":\"bench-xero-tenant\",\"tenantType\":\"ORGANISATION\"}],\"firstEventSequence\":1,"
                    + "\"lastEventSequence\":1,\"entropy\":\"" + id.substring(0, 8) + "\"}";
            case "square" -> "{\"merchant_id\":\"BENCHMERCHANT\",\"type\":\"order.updated\",\"event_id\":\"" + id + "\",\"created_at\":\""
                    + "2026-11-21T01:15:39Z\",\"data\":{\"type\":\"order_updated\",\"id\":\"o-" + id + "\",\"object\":{}}}";
            // eventId from 63 bits of the event's UUID: the hub dedupes HubSpot events by eventId:occurredAt, and a
            // 31-bit hash of the UUID made two of ~14,000 events one now and then (a "missing" event in verify)
            case "hubspot" -> "[{\"eventId\":" + (UUID.fromString(id).getMostSignificantBits() >>> 1) + ",\"subscriptionId\":7,\"portalId\":424242,\"appId\":3,"
                    + "\"occurredAt\":1763700000000,\"subscriptionType\":\"contact.propertyChange\",\"attemptNumber\":0,"
                    + "\"objectId\":\"" + id + "\",\"propertyName\":\"email\",\"propertyValue\":\"a@b.example\"}]";
            default -> "{\"token\":\"t\",\"team_id\":\"TBENCH\",\"api_app_id\":\"A1\",\"event\":{\"type\":\"app_mention\","
                    + "\"text\":\"hi\"},\"type\":\"event_callback\",\"event_id\":\"" + id + "\",\"event_time\":1}";
        };
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static String publicUrl;

    static Req sign(int n, String provider, String kind, String key, byte[] body, boolean forged, boolean stale) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "application/json");
        switch (provider) {
            case "xero" -> h.put("x-xero-signature", b64(hmac(forged ? "wrong" : XERO_KEY, body)));
            case "square" -> h.put("x-square-hmacsha256-signature", b64(hmac(forged ? "wrong" : SQUARE_KEY,
                    concat(utf8(publicUrl + "/webhooks/square"), body))));
            case "hubspot" -> {
                String ts = String.valueOf(Instant.now().toEpochMilli() - (stale ? 600_000 : 0));
                h.put("X-HubSpot-Request-Timestamp", ts);
                h.put("X-HubSpot-Signature-v3", b64(hmac(forged ? "wrong" : HUBSPOT_KEY,
                        concat(utf8("POST" + publicUrl + "/webhooks/hubspot"), body, utf8(ts)))));
            }
            default -> {
                String ts = String.valueOf(Instant.now().getEpochSecond() - (stale ? 600 : 0));
                h.put("X-Slack-Request-Timestamp", ts);
                h.put("X-Slack-Signature", "v0=" + HexFormat.of().formatHex(hmac(forged ? "wrong" : SLACK_KEY,
                        concat(utf8("v0:" + ts + ":"), body))));
            }
        }
        return new Req(n, provider, kind, key, body, h);
    }

    // ---------------------------------------------------------------- sending

    record Result(Req req, int status, long nanos) { }

    static void send(String baseUrl, int count, int concurrency, long seed, Path out, int killAfter, long pid) throws Exception {
        publicUrl = baseUrl;
        // -Dclosed.warmup=N: N more requests of the same mix first, sent and written to outFile (for verify) but not
        // timed: the client's own JVM compiles its HTTP path then, which would otherwise eat the cores the hub is
        // measured on
        int warmup = Integer.getInteger("closed.warmup", 0);
        List<Req> reqs = generate(baseUrl, count + warmup, seed);
        long signedAt = System.nanoTime();
        AtomicInteger answered = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        List<Result> results = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long cpu0 = 0;
        long start = 0;
        List<Future<?>> futures = new ArrayList<>();
        for (Req r : reqs) {
            if (r.n() == warmup) { // the warm-up answered: the timed window starts
                for (Future<?> f : futures) {
                    f.get();
                }
                futures.clear();
                cpu0 = cpuNanos();
                start = System.nanoTime();
            }
            futures.add(pool.submit(() -> {
                Req signed = fresh(r, signedAt);
                long t0 = System.nanoTime();
                int status;
                try {
                    status = post(baseUrl, "/webhooks/" + r.provider(), signed.headers(), r.body());
                } catch (IOException | InterruptedException e) {
                    status = -1; // no answer (the hub was killed)
                }
                results.add(new Result(r, status, System.nanoTime() - t0));
                if (status > 0 && answered.incrementAndGet() == killAfter && pid > 0 && killed.compareAndSet(false, true)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
                    System.out.println("kill -9 sent to the hub after " + killAfter + " answered requests");
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        long elapsed = System.nanoTime() - start;
        long clientCpu = cpuNanos() - cpu0;
        pool.shutdown();

        StringBuilder tsv = new StringBuilder("n\tprovider\tkind\teventKey\tstatus\tmicros\n");
        for (Result r : results) {
            tsv.append(r.req().n()).append('\t').append(r.req().provider()).append('\t').append(r.req().kind()).append('\t')
                    .append(r.req().eventKey()).append('\t').append(r.status()).append('\t').append(r.nanos() / 1000).append('\n');
        }
        Files.writeString(out, tsv);
        Map<String, int[]> byKind = new LinkedHashMap<>();
        for (Result r : results) {
            if (r.req().n() < warmup) {
                continue;
            }
            int[] c = byKind.computeIfAbsent(r.req().kind() + " → " + r.status(), k -> new int[1]);
            c[0]++;
        }
        System.out.println("signed webhooks: " + count + " requests, concurrency " + concurrency
                + (warmup > 0 ? ", after " + warmup + " not timed" : ""));
        byKind.forEach((k, c) -> System.out.println("  " + k + ": " + c[0]));
        List<Long> ok = results.stream().filter(r -> r.status() > 0 && r.req().n() >= warmup).map(Result::nanos).sorted()
                .toList();
        report("signed webhooks", ok, elapsed);
        clientCpu(clientCpu, count);
    }

    /**
     * The closed-loop steps' client (-Dclosed.client): jdk (default; java.net.http.HttpClient, as every earlier round
     * measured the closed-loop ratios with) or wire ({@link WireConnection}, one per sending thread).
     */
    static final boolean CLOSED_WIRE = "wire".equals(System.getProperty("closed.client", "jdk"));
    static final ThreadLocal<WireConnection> CLOSED_SOCKETS = wireSockets();

    /** Kept-alive connections to the hub under test ({@link #publicUrl}), one per sending thread. */
    static ThreadLocal<WireConnection> wireSockets() {
        return ThreadLocal.withInitial(() -> {
            URI base = URI.create(publicUrl);
            return new WireConnection(base.getHost(), base.getPort());
        });
    }

    /** One POST of a closed-loop step; its status. */
    static int post(String baseUrl, String path, Map<String, String> headers, byte[] body) throws IOException, InterruptedException {
        if (CLOSED_WIRE) {
            return CLOSED_SOCKETS.get().post(path, headers, body);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static void ping(String baseUrl, int count, int concurrency) throws Exception {
        publicUrl = baseUrl;
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicInteger failures = new AtomicInteger();
        int warmup = Integer.getInteger("closed.warmup", 0); // as in send: not timed, not counted
        // -Dping.requests=webhooks: the same mix of signed webhook requests as send (bodies and headers, signatures
        // included), to the bare endpoint: the framework's cost for exactly the traffic the signed step carries
        List<Req> same = "webhooks".equals(System.getProperty("ping.requests"))
                ? generate(baseUrl, count + warmup, Long.getLong("ping.seed", 7)) : null;
        long cpu0 = 0;
        long start = 0;
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < count + warmup; i++) {
            if (i == warmup) {
                for (Future<?> f : futures) {
                    f.get();
                }
                futures.clear();
                latencies.clear();
                failures.set(0);
                cpu0 = cpuNanos();
                start = System.nanoTime();
            }
            Req r = same == null ? null : same.get(i);
            futures.add(pool.submit(() -> {
                Map<String, String> headers = r == null ? Map.of("Content-Type", "application/json") : r.headers();
                byte[] body = r == null ? utf8("{}") : r.body();
                long t0 = System.nanoTime();
                try {
                    if (post(baseUrl, "/bench/ping", headers, body) != 200) {
                        failures.incrementAndGet();
                    }
                } catch (IOException | InterruptedException e) {
                    failures.incrementAndGet();
                }
                latencies.add(System.nanoTime() - t0);
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        long elapsed = System.nanoTime() - start;
        pool.shutdown();
        String name = same == null ? "bare 200" : "bare 200, webhook requests";
        System.out.println(name + " (/bench/ping): " + count + " requests, concurrency " + concurrency + ", failures " + failures);
        long clientCpu = cpuNanos() - cpu0;
        report(name, latencies.stream().sorted().toList(), elapsed);
        clientCpu(clientCpu, count);
    }

    static void pace(String baseUrl, String target, int rate, int seconds, long seed, Path out) throws Exception {
        publicUrl = baseUrl;
        // the first pace.warmup-seconds (default 3) are sent like the rest (and written to outFile, for verify) but not
        // counted: the client's own JVM compiles its HTTP path then, which would show as the server's latency
        int warmup = rate * Integer.getInteger("pace.warmup-seconds", 3);
        int count = rate * seconds + warmup;
        boolean webhooks = target.equals("webhooks");
        // pace.client=wire (default): HTTP/1.1 written and read on kept-alive sockets, one per sending thread
        // (pace.connections of them); jdk: java.net.http.HttpClient.sendAsync, the client of the closed-loop steps.
        // The JDK client costs 1.3-2.3 ms of CPU per request on the bench's two cores: at 500/s that is most of a core
        // taken from the hub it measures. The wire client costs a tenth of that (docs/performance.md, thirteenth session).
        boolean wire = !"jdk".equals(System.getProperty("pace.client", "wire"));
        int connections = Integer.getInteger("pace.connections", 64);
        List<Req> reqs = webhooks ? generate(baseUrl, count, seed) : List.of();
        long signedAt = System.nanoTime();
        List<Result> results = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger();
        List<java.util.concurrent.CompletableFuture<?>> pending = new ArrayList<>();
        ExecutorService senders = wire ? Executors.newFixedThreadPool(connections) : null;
        ThreadLocal<WireConnection> sockets = wireSockets();
        long[] measured = new long[2]; // CPU and time at the end of the warm-up
        long start = System.nanoTime();
        measured[1] = start;
        Instant startedAt = Instant.now(); // request n is due at startedAt + n/rate (to match a GC log or top)
        for (int n = 0; n < count; n++) {
            long due = start + (long) (n * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            Req r = webhooks ? fresh(reqs.get(n), signedAt) : new Req(n, "ping", "ping", "", utf8("{}"),
                    Map.of("Content-Type", "application/json"));
            String path = webhooks ? "/webhooks/" + r.provider() : "/bench/ping";
            java.util.function.IntConsumer done = status -> {
                if (status < 0 || (!webhooks && status != 200)) {
                    failures.incrementAndGet();
                }
                results.add(new Result(r, status, System.nanoTime() - due));
                if (results.size() == warmup) {
                    measured[0] = cpuNanos();
                    measured[1] = System.nanoTime();
                }
            };
            if (wire) {
                pending.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
                    int status;
                    try {
                        status = sockets.get().post(path, r.headers(), r.body());
                    } catch (IOException e) {
                        status = -1;
                    }
                    done.accept(status);
                }, senders));
            } else {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(r.body()));
                r.headers().forEach(b::header);
                pending.add(HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).handle((response, error) -> {
                    done.accept(error == null ? response.statusCode() : -1);
                    return null;
                }));
            }
        }
        for (java.util.concurrent.CompletableFuture<?> f : pending) {
            f.join();
        }
        long elapsed = System.nanoTime() - measured[1];
        long clientCpu = cpuNanos() - measured[0];
        if (senders != null) {
            senders.shutdownNow();
        }
        String name = (webhooks ? "signed webhooks" : "bare 200") + " paced " + rate + "/s";
        System.out.println(name + ": " + count + " requests over " + seconds + " s after a warm-up of " + warmup
                + " requests, failures " + failures + ", client " + (wire ? "wire, " + connections + " connections" : "jdk")
                + ", first request due at " + startedAt);
        if (webhooks) {
            Map<String, int[]> byKind = new LinkedHashMap<>();
            results.forEach(x -> byKind.computeIfAbsent(x.req().kind() + " → " + x.status(), k -> new int[1])[0]++);
            byKind.forEach((k, c) -> System.out.println("  " + k + ": " + c[0]));
        }
        report(name, results.stream().filter(x -> x.status() > 0 && x.req().n() >= warmup).map(Result::nanos).sorted().toList(),
                elapsed);
        clientCpu(measured[0] == 0 ? 0 : clientCpu, count - warmup);
        if (out != null) {
            StringBuilder tsv = new StringBuilder("n\tprovider\tkind\teventKey\tstatus\tmicros\n");
            for (Result x : results) {
                tsv.append(x.req().n()).append('\t').append(x.req().provider()).append('\t').append(x.req().kind()).append('\t')
                        .append(x.req().eventKey()).append('\t').append(x.status()).append('\t').append(x.nanos() / 1000).append('\n');
            }
            Files.writeString(out, tsv);
        }
    }

    /**
     * A load generator's HTTP/1.1 client: one kept-alive TCP connection, the request written in one piece, the answer's
     * status read and its body skipped (Content-Length, chunked, or up to the close). No pooling, no futures, no
     * selector thread: what a request costs the client is the two socket calls. The connection is opened again when
     * the server closed it (Connection: close, e.g. Tomcat's maxKeepAliveRequests) or an I/O error broke it.
     */
    static final class WireConnection {
        final String host;
        final int port;
        final byte[] hostHeader;
        java.net.Socket socket;
        java.io.InputStream in;
        java.io.OutputStream outStream;
        final byte[] line = new byte[8192];

        WireConnection(String host, int port) {
            this.host = host;
            this.port = port;
            this.hostHeader = utf8("Host: " + host + ":" + port + "\r\n");
        }

        int post(String path, Map<String, String> headers, byte[] body) throws IOException {
            java.io.ByteArrayOutputStream request = new java.io.ByteArrayOutputStream(512 + body.length);
            request.writeBytes(utf8("POST " + path + " HTTP/1.1\r\n"));
            request.writeBytes(hostHeader);
            StringBuilder h = new StringBuilder();
            headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
            h.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            request.writeBytes(utf8(h.toString()));
            request.writeBytes(body);
            boolean reused = socket != null;
            try {
                return exchange(request.toByteArray());
            } catch (IOException e) {
                close();
                if (!reused) {
                    throw e;
                }
                return exchange(request.toByteArray()); // the kept-alive connection was closed under us: once more, new
            }
        }

        private int exchange(byte[] request) throws IOException {
            if (socket == null) {
                socket = new java.net.Socket();
                socket.setTcpNoDelay(true);
                socket.connect(new java.net.InetSocketAddress(host, port), 5000);
                socket.setSoTimeout(30_000);
                in = new java.io.BufferedInputStream(socket.getInputStream(), 8192);
                outStream = socket.getOutputStream();
            }
            outStream.write(request);
            outStream.flush();
            String status = readLine();
            if (status == null || !status.startsWith("HTTP/1.")) {
                throw new IOException("no HTTP answer: " + status);
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean closes = false;
            for (String header = readLine(); header != null && !header.isEmpty(); header = readLine()) {
                int colon = header.indexOf(':');
                String name = colon < 0 ? header : header.substring(0, colon).trim();
                String value = colon < 0 ? "" : header.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    closes = value.equalsIgnoreCase("close");
                }
            }
            if (chunked) {
                for (long size = chunkSize(); size > 0; size = chunkSize()) {
                    skip(size);
                    readLine(); // the CRLF after the chunk
                }
                for (String trailer = readLine(); trailer != null && !trailer.isEmpty(); trailer = readLine()) {
                    // trailers, if any, up to the empty line
                }
            } else if (length >= 0) {
                skip(length);
            } else if (code != 204 && code != 304) {
                while (in.read(line) >= 0) {
                    // no length: the body ends with the connection
                }
                closes = true;
            }
            if (closes) {
                close();
            }
            return code;
        }

        private long chunkSize() throws IOException {
            String size = readLine();
            if (size == null) {
                throw new IOException("connection closed inside a chunked body");
            }
            int semicolon = size.indexOf(';');
            return Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                int read = in.read(line, 0, (int) Math.min(line.length, n));
                if (read < 0) {
                    throw new IOException("connection closed inside a body");
                }
                n -= read;
            }
        }

        /** One line without its CRLF (ISO-8859-1, as HTTP's head is), or null at the end of the stream. */
        private String readLine() throws IOException {
            int n = 0;
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b == '\n') {
                    return new String(line, 0, n > 0 && line[n - 1] == '\r' ? n - 1 : n, StandardCharsets.ISO_8859_1);
                }
                if (n == line.length) {
                    throw new IOException("header line over " + line.length + " bytes");
                }
                line[n++] = (byte) b;
            }
            return n == 0 ? null : new String(line, 0, n, StandardCharsets.ISO_8859_1);
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a broken connection
                }
            }
            socket = null;
        }
    }

    /**
     * The request as signed before the timed window, or signed again when that was over a minute ago (the HubSpot and
     * Slack timestamps must stay within five minutes); forged and stale ones as generated. Signing ahead, as a load
     * generator does, keeps the client's HMAC work from competing with the hub for the machine's cores.
     */
    static Req fresh(Req r, long signedAt) {
        if (r.kind().equals("stale") || r.kind().equals("forged") || System.nanoTime() - signedAt < 60_000_000_000L) {
            return r;
        }
        return sign(r.n(), r.provider(), r.kind(), r.eventKey(), r.body(), false, false);
    }

    /** This (client) process's CPU time so far. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static void clientCpu(long cpuNanos, int requests) {
        System.out.printf("CLIENT CPU in the timed window: %.2f ms per request%n", cpuNanos / 1e6 / Math.max(1, requests));
    }

    static void report(String name, List<Long> sorted, long elapsedNanos) {
        if (sorted.isEmpty()) {
            System.out.println("  no answered requests");
            return;
        }
        double seconds = elapsedNanos / 1e9;
        System.out.printf("RESULT %s: throughput %.0f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d answered in %.2f s)%n",
                name, sorted.size() / seconds, pct(sorted, 50), pct(sorted, 99), sorted.get(sorted.size() - 1) / 1e6,
                sorted.size(), seconds);
    }

    static double pct(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
    }

    // ---------------------------------------------------------------- verification

    static final Pattern EVENT = Pattern.compile("\\{\"id\":\"[^\"]+\",\"provider\":\"([^\"]+)\",\"connectionId\":[^,]*,"
            + "\"eventType\":[^,]*,\"externalEventId\":\"([^\"]*)\",\"status\":\"([^\"]+)\",\"error\":(?:null|\"(?:[^\"\\\\]|\\\\.)*\"),"
            + "\"attempts\":(\\d+)");
    static final Pattern CURSOR = Pattern.compile("\"nextCursor\":\"([^\"]+)\"");

    record Row(String provider, String externalId, String status, int attempts) { }

    static boolean verify(String baseUrl, String apiKey, Path sent) throws Exception {
        List<String[]> lines = Files.readAllLines(sent).stream().skip(1).map(l -> l.split("\t")).toList();
        // Events the hub acknowledged (2xx): the hub promised to process each of these.
        Map<String, String> acked = new LinkedHashMap<>(); // provider:key -> provider
        Map<String, String> sentUnique = new LinkedHashMap<>();
        int forgedOrStale = 0;
        int forgedRefused = 0;
        int forgedShed = 0;
        for (String[] l : lines) {
            int status = Integer.parseInt(l[4]);
            if (l[2].equals("forged") || l[2].equals("stale")) {
                if (status > 0) { // requests cut off by the kill got no answer at all
                    forgedOrStale++;
                    if (status == 401) {
                        forgedRefused++;
                    } else if (status == 503) { // shed by the intake limit before verification: not accepted either
                        forgedShed++;
                    }
                }
            } else {
                sentUnique.put(l[1] + ":" + l[3], l[1]);
                if (status >= 200 && status < 300) {
                    acked.put(l[1] + ":" + l[3], l[1]);
                }
            }
        }
        List<Row> rows = List.of();
        long waitStart = System.currentTimeMillis();
        long deadline = waitStart + Long.getLong("verify.seconds", 180) * 1000;
        while (System.currentTimeMillis() < deadline) {
            rows = fetchAll(baseUrl, apiKey);
            boolean settled = rows.stream().noneMatch(r -> List.of("received", "queued", "processing").contains(r.status()));
            if (settled && rows.size() >= acked.size()) {
                break;
            }
            Thread.sleep(1000);
        }
        Map<String, Integer> perProviderAcked = new LinkedHashMap<>();
        acked.values().forEach(p -> perProviderAcked.merge(p, 1, Integer::sum));
        Map<String, Integer> perProviderRows = new LinkedHashMap<>();
        rows.forEach(r -> perProviderRows.merge(r.provider(), 1, Integer::sum));
        long unfinished = rows.stream().filter(r -> !List.of("processed", "ignored").contains(r.status())).count();
        long redelivered = rows.stream().filter(r -> r.attempts() > 1).count();
        // Square and Slack carry the provider's event id: check those one by one.
        Map<String, Long> ids = new LinkedHashMap<>();
        rows.stream().filter(r -> r.provider().equals("square") || r.provider().equals("slack"))
                .forEach(r -> ids.merge(r.provider() + ":" + r.externalId(), 1L, Long::sum));
        long missing = acked.keySet().stream().filter(k -> k.startsWith("square:") || k.startsWith("slack:"))
                .filter(k -> !ids.containsKey(k)).count();
        long duplicated = ids.values().stream().filter(c -> c > 1).count();
        Map<String, Integer> perProviderSent = new LinkedHashMap<>();
        sentUnique.values().forEach(p -> perProviderSent.merge(p, 1, Integer::sum));
        // Every acknowledged event is stored once; events stored but cut off before their answer (kill -9)
        // may be there too, but never more rows than distinct events sent.
        boolean countsMatch = perProviderAcked.keySet().stream().allMatch(p ->
                perProviderRows.getOrDefault(p, 0) >= perProviderAcked.get(p)
                        && perProviderRows.getOrDefault(p, 0) <= perProviderSent.get(p));

        System.out.println("acknowledged unique events: " + acked.size() + " " + perProviderAcked);
        System.out.println("distinct valid events sent: " + sentUnique.size() + " " + perProviderSent);
        System.out.println("stored events: " + rows.size() + " " + perProviderRows);
        System.out.println("acknowledged square/slack events missing: " + missing + "; stored twice: " + duplicated);
        System.out.printf("processing settled %.0f s after the last answer%n", (System.currentTimeMillis() - waitStart) / 1000.0);
        System.out.println("events not finished: " + unfinished + "; events whose processing started more than once "
                + "(a claim abandoned by the kill, redelivered after the lease): " + redelivered);
        System.out.println("forged/stale answered: " + forgedOrStale + ", of which 401: " + forgedRefused
                + ", 503 (shed before verification, overloaded): " + forgedShed);
        boolean ok = countsMatch && missing == 0 && duplicated == 0 && unfinished == 0
                && forgedRefused + forgedShed == forgedOrStale;
        System.out.println(ok ? "VERIFY OK" : "VERIFY FAILED");
        return ok;
    }

    /** Waits until no stored event waits for or is in processing (at most {@code seconds}); true when none does. */
    static boolean drained(String baseUrl, String apiKey, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            boolean busy = false;
            for (String status : List.of("received", "queued", "processing")) {
                String body = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/webhook-events?limit=1&status=" + status))
                        .header("Authorization", "Bearer " + apiKey).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
                busy |= EVENT.matcher(body).find();
            }
            if (!busy) {
                return true;
            }
            Thread.sleep(500);
        }
        return false;
    }

    static List<Row> fetchAll(String baseUrl, String apiKey) throws Exception {
        List<Row> rows = new ArrayList<>();
        String cursor = null;
        do {
            String url = baseUrl + "/api/v1/webhook-events?limit=200" + (cursor == null ? "" : "&cursor=" + cursor);
            String body = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + apiKey).GET()
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = EVENT.matcher(body);
            while (m.find()) {
                rows.add(new Row(m.group(1), m.group(2), m.group(3), Integer.parseInt(m.group(4))));
            }
            Matcher c = CURSOR.matcher(body);
            cursor = c.find() ? c.group(1) : null;
        } while (cursor != null);
        return rows;
    }

    // ---------------------------------------------------------------- crypto

    static byte[] hmac(String key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(utf8(key), "HmacSHA256"));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, i, p.length);
            i += p.length;
        }
        return all;
    }
}
