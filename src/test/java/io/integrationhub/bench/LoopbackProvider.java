package io.integrationhub.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/**
 * A paged JSON API on 127.0.0.1 that generates its objects on the fly (nothing held in memory):
 * {@code GET /bench/{entity}?account=A&cursor=N&limit=L} → {@code {"objects":[…], "cursor":"N+L"}}.
 * The number of objects per account+entity is set by the benchmark.
 */
public final class LoopbackProvider implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    /** Calls answered per epoch second (bench/scale: the combined call rate of all hub instances). */
    private final Map<Long, java.util.concurrent.atomic.AtomicInteger> perSecond = new ConcurrentHashMap<>();
    private volatile long delayMillis;
    private volatile int anyAccountCount = -1;

    public LoopbackProvider() throws IOException {
        this(0);
    }

    /** On a fixed loopback port (0: any free one). */
    public LoopbackProvider(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/bench/", exchange -> {
            try {
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                URI uri = exchange.getRequestURI();
                String entity = uri.getPath().substring("/bench/".length());
                Map<String, String> q = query(uri.getRawQuery());
                perSecond.computeIfAbsent(System.currentTimeMillis() / 1000, k -> new java.util.concurrent.atomic.AtomicInteger())
                        .incrementAndGet();
                int total = counts.getOrDefault(q.get("account") + "/" + entity, Math.max(anyAccountCount, 0));
                int cursor = Integer.parseInt(q.getOrDefault("cursor", "0"));
                int limit = Integer.parseInt(q.getOrDefault("limit", "1000"));
                StringBuilder body = new StringBuilder(limit * 160).append("{\"objects\":[");
                int end = Math.min(total, cursor + limit);
                for (int i = cursor; i < end; i++) {
                    if (i > cursor) {
                        body.append(',');
                    }
                    body.append("{\"id\":\"").append(entity).append('-').append(i)
                            .append("\",\"type\":\"ITEM\",\"updated_at\":\"2026-01-01T00:00:00Z\",\"version\":").append(i)
                            .append(",\"item_data\":{\"name\":\"Item ").append(i).append("\",\"description\":\"Generated item number ")
                            .append(i).append("\",\"price\":").append(i % 1000).append(".25}}");
                }
                body.append(']');
                if (end < total) {
                    body.append(",\"cursor\":\"").append(end).append('"');
                }
                body.append('}');
                byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void count(String account, String entity, int n) {
        counts.put(account + "/" + entity, n);
    }

    /** Every account not counted otherwise has {@code n} records of every entity. */
    public void countForAnyAccount(int n) {
        this.anyAccountCount = n;
    }

    /** Calls answered, and the most in any one second. */
    public long calls() {
        return perSecond.values().stream().mapToLong(java.util.concurrent.atomic.AtomicInteger::get).sum();
    }

    public int maxCallsPerSecond() {
        return maxCallsIn(1);
    }

    /** The most calls answered in any {@code seconds} consecutive seconds. */
    public int maxCallsIn(int seconds) {
        Map<Long, Integer> snapshot = new HashMap<>();
        perSecond.forEach((second, n) -> snapshot.put(second, n.get()));
        int max = 0;
        for (long start : snapshot.keySet()) {
            int sum = 0;
            for (long s = start; s < start + seconds; s++) {
                sum += snapshot.getOrDefault(s, 0);
            }
            max = Math.max(max, sum);
        }
        return max;
    }

    /** Slows every page down (so a benchmark can kill a run half-way). */
    public void delay(long millis) {
        this.delayMillis = millis;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return q;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
