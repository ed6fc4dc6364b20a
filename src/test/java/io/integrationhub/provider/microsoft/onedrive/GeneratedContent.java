package io.integrationhub.provider.microsoft.onedrive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Large test files that never exist in memory: bytes computed on the fly from a seed (xorshift), served over
 * HTTP for {@code contentUrl} ({@code /files/{size}/{seed}}, optionally without Content-Length) and readable
 * as a stream for multipart bodies; {@link #sha256} hashes the same sequence for comparison.
 */
final class GeneratedContent {

    private static HttpServer server;
    private static final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();

    private GeneratedContent() {
    }

    /** {@code size} pseudo-random bytes from {@code seed}. */
    static InputStream stream(long size, long seed) {
        return new InputStream() {
            private long state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
            private long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    state ^= state << 13;
                    state ^= state >>> 7;
                    state ^= state << 17;
                    b[off + i] = (byte) state;
                }
                left -= n;
                return n;
            }
        };
    }

    static String sha256(long size, long seed) {
        try (InputStream in = stream(size, seed)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** URL of a generated file; {@code withLength=false} sends it chunked, without Content-Length. */
    static synchronized String url(long size, long seed, boolean withLength) {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "generated-content");
                t.setDaemon(true);
                return t;
            }));
            server.createContext("/files/", GeneratedContent::serve);
            server.start();
        }
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/files/" + size + "/" + seed
                + (withLength ? "" : "/chunked");
    }

    /** How many times a generated file was requested. */
    static int served(long size, long seed) {
        return served.getOrDefault(size + "/" + seed, new AtomicInteger()).get();
    }

    private static void serve(HttpExchange exchange) throws IOException {
        String[] parts = exchange.getRequestURI().getPath().split("/");
        long size = Long.parseLong(parts[2]);
        long seed = Long.parseLong(parts[3]);
        boolean chunked = parts.length > 4;
        served.computeIfAbsent(size + "/" + seed, k -> new AtomicInteger()).incrementAndGet();
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, chunked ? 0 : size);
        try (OutputStream out = exchange.getResponseBody(); InputStream in = stream(size, seed)) {
            in.transferTo(out);
        } catch (IOException e) {
            // the hub stopped reading (an upload that starts over re-reads from the start)
        }
        exchange.close();
    }
}
