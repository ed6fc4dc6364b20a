package io.integrationhub.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntUnaryOperator;

import com.sun.net.httpserver.HttpServer;

/**
 * A host application's webhook receiver on loopback: a real HTTP server that records every request (headers,
 * body) and answers with the status its {@code answer} function gives for the n-th request (1-based). Before
 * answering it may wait (a slow host) through {@link #beforeAnswer}.
 */
public final class HookReceiver implements AutoCloseable {

    /** One received request. */
    public record Received(Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Received> received = new ArrayList<>();
    private volatile IntUnaryOperator answer;
    private volatile Runnable beforeAnswer = () -> { };

    public HookReceiver(IntUnaryOperator answer) {
        this.answer = answer;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(pool);
        server.createContext("/", exchange -> {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int n;
            synchronized (received) {
                received.add(new Received(headers, body));
                n = received.size();
                received.notifyAll();
            }
            beforeAnswer.run();
            exchange.sendResponseHeaders(this.answer.applyAsInt(n), -1);
            exchange.close();
        });
        server.start();
    }

    public static HookReceiver answering(int status) {
        return new HookReceiver(n -> status);
    }

    public void answer(IntUnaryOperator answer) {
        this.answer = answer;
    }

    public void beforeAnswer(Runnable wait) {
        this.beforeAnswer = wait;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Waits (up to a minute, then fails) until at least {@code count} requests arrived; returns them all. */
    public List<Received> await(int count) {
        return await(r -> true, count);
    }

    /**
     * Waits (up to a minute, then fails) until at least {@code count} of the requests received match {@code which};
     * returns the matching ones in arrival order (other requests — another event's delivery — may arrive between them).
     */
    public List<Received> await(java.util.function.Predicate<Received> which, int count) {
        long end = System.nanoTime() + 60_000_000_000L;
        synchronized (received) {
            while (received.stream().filter(which).count() < count) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new AssertionError("the receiver got " + received.stream().filter(which).count()
                            + " matching requests (of " + received.size() + "), not " + count);
                }
                try {
                    received.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            return received.stream().filter(which).toList();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
