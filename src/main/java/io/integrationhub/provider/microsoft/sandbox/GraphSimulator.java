package io.integrationhub.provider.microsoft.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An in-process Microsoft Graph v1.0, shaped after Graph's public documentation (see
 * {@code ../shared/providers.md} §1): identity, drive items and upload sessions, delta, messages, sendMail,
 * events and subscriptions. The zero-setup profile serves it under {@code /sandbox/microsoft/api} so the
 * Microsoft family can be clicked through locally; tests serve the same simulator on a port of their own and
 * inject faults (429 with Retry-After, 503, a failed chunk, 401 of an expired token, 410 of a stale delta
 * token) with {@link #failNext}. File contents are kept in files, never in memory.
 *
 * <p>Transport-neutral: an adapter turns its HTTP request into a {@link Request} and writes the {@link Reply}.
 */
public class GraphSimulator {

    /** A request as Graph sees it: path below the API base ({@code /me/drive/root}), headers with lower-case names. */
    public record Request(String method, String path, String rawQuery, Map<String, String> headers, InputStream body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String query(String name) {
            if (rawQuery == null) {
                return null;
            }
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                if (key.equals(name)) {
                    return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        public byte[] bytes() throws IOException {
            return body == null ? new byte[0] : body.readAllBytes();
        }

        public JsonNode json(ObjectMapper mapper) throws IOException {
            byte[] b = bytes();
            return b.length == 0 ? mapper.createObjectNode() : mapper.readTree(b);
        }
    }

    /** An answer: a status, headers, and a body held in memory (JSON) or in a file (content). */
    public record Reply(int status, Map<String, String> headers, byte[] body, Path file) {

        public static Reply empty(int status) {
            return new Reply(status, new LinkedHashMap<>(), new byte[0], null);
        }

        public static Reply json(int status, JsonNode body) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            return new Reply(status, headers, body.toString().getBytes(StandardCharsets.UTF_8), null);
        }

        public static Reply file(Path file, String contentType) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", contentType == null ? "application/octet-stream" : contentType);
            return new Reply(200, headers, null, file);
        }

        /** Graph's error envelope {@code {"error":{"code","message","innerError":{…}}}}. */
        public static Reply error(int status, String code, String message) {
            ObjectNode root = MAPPER.createObjectNode();
            ObjectNode error = root.putObject("error");
            error.put("code", code).put("message", message);
            error.putObject("innerError").put("date", Instant.now().toString())
                    .put("request-id", UUID.randomUUID().toString()).put("client-request-id", UUID.randomUUID().toString());
            return json(status, root);
        }

        /** Graph's throttling answer (providers.md §1.7). */
        public static Reply throttled(int retryAfterSeconds) {
            ObjectNode root = MAPPER.createObjectNode();
            ObjectNode error = root.putObject("error");
            error.put("code", "TooManyRequests").put("message", "Please retry again later.");
            error.putObject("innerError").put("code", "429").put("date", Instant.now().toString())
                    .put("message", "Please retry after").put("request-id", UUID.randomUUID().toString()).put("status", "429");
            return json(429, root).with("Retry-After", Integer.toString(retryAfterSeconds));
        }

        public Reply with(String header, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(header, value);
            return new Reply(status, h, body, file);
        }

        public long length() {
            try {
                return file != null ? Files.size(file) : body.length;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @FunctionalInterface
    public interface Handler {
        Reply handle(Request request, Matcher match) throws IOException;
    }

    /** What the simulator was asked, for tests to assert on (bodies are not kept, only their size). */
    public record Call(String method, String path, String rawQuery, boolean authorized, String contentRange,
            long bodyBytes, int status) {
    }

    private record Route(String method, Pattern pattern, boolean anonymous, Handler handler) {
    }

    private record Fault(String method, Pattern pattern, Reply reply, int[] remaining) {
    }

    static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final Map<Class<?>, Object> parts = new java.util.concurrent.ConcurrentHashMap<>();
    private final Path storage;
    private volatile String baseUrl;
    private volatile Predicate<String> tokens;

    /**
     * @param baseUrl the API base as the hub calls it (absolute links such as nextLink, uploadUrl and
     *                download URLs start with it)
     * @param storage folder for uploaded contents
     * @param tokens  which bearer tokens are valid
     */
    public GraphSimulator(String baseUrl, Path storage, Predicate<String> tokens) {
        this.baseUrl = baseUrl;
        this.storage = storage;
        this.tokens = tokens;
        try {
            Files.createDirectories(storage);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The simulator with every part of Graph the Microsoft family uses. */
    public static GraphSimulator standard(String baseUrl, Path storage, Predicate<String> tokens) {
        GraphSimulator sim = new GraphSimulator(baseUrl, storage, tokens);
        sim.register(new GraphIdentitySim(sim));
        sim.register(new GraphSubscriptionsSim(sim));
        sim.register(new GraphDriveSim(sim));
        sim.register(new GraphMailSim(sim));
        sim.register(new GraphCalendarSim(sim));
        return sim;
    }

    /** Keeps a part (its state) so other parts and tests can reach it with {@link #part}. */
    public void register(Object part) {
        parts.put(part.getClass(), part);
    }

    public <T> T part(Class<T> type) {
        return type.cast(parts.get(type));
    }

    public String baseUrl() {
        return baseUrl;
    }

    public Path storage() {
        return storage;
    }

    public ObjectMapper mapper() {
        return MAPPER;
    }

    /** Registers a handler for a method and a path pattern (regex over the whole path) that needs a bearer token. */
    public void on(String method, String pathRegex, Handler handler) {
        routes.add(new Route(method, Pattern.compile(pathRegex), false, handler));
    }

    /** A pre-authenticated URL (upload session, download URL): no bearer token expected. */
    public void onAnonymous(String method, String pathRegex, Handler handler) {
        routes.add(new Route(method, Pattern.compile(pathRegex), true, handler));
    }

    /** The next {@code times} requests matching method and path (regex) get {@code reply} instead of an answer. */
    public void failNext(String method, String pathRegex, int times, Reply reply) {
        faults.add(new Fault(method, Pattern.compile(pathRegex), reply, new int[] {times}));
    }

    public void clearFaults() {
        faults.clear();
    }

    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public void clearCalls() {
        calls.clear();
    }

    public Reply handle(Request request) {
        CountingStream counted = new CountingStream(request.body() == null ? InputStream.nullInputStream() : request.body());
        Request r = new Request(request.method().toUpperCase(Locale.ROOT), request.path(), request.rawQuery(),
                request.headers(), counted);
        String auth = r.header("Authorization");
        boolean authorized = auth != null && auth.startsWith("Bearer ") && tokens.test(auth.substring(7));
        Reply reply;
        try {
            reply = dispatch(r, authorized);
        } catch (IOException | RuntimeException e) {
            reply = Reply.error(500, "generalException", "The simulator failed: " + e.getClass().getSimpleName());
        }
        try {
            counted.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the client went away; nothing left to count
        }
        calls.add(new Call(r.method(), r.path(), r.rawQuery(), authorized, r.header("Content-Range"), counted.count,
                reply.status()));
        return reply;
    }

    private Reply dispatch(Request r, boolean authorized) throws IOException {
        for (Fault fault : faults) {
            if ((fault.method() == null || fault.method().equals(r.method())) && fault.pattern().matcher(r.path()).matches()) {
                synchronized (fault.remaining()) {
                    if (fault.remaining()[0] > 0) {
                        fault.remaining()[0]--;
                        return fault.reply();
                    }
                }
            }
        }
        for (Route route : routes) {
            Matcher m = route.pattern().matcher(r.path());
            if (route.method().equals(r.method()) && m.matches()) {
                if (!route.anonymous() && !authorized) {
                    return Reply.error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.");
                }
                return route.handler().handle(r, m);
            }
        }
        return Reply.error(400, "BadRequest", "Resource not found for the segment '" + r.path() + "'.");
    }

    /** A new Graph-looking id. */
    public static String newId() {
        return "01" + UUID.randomUUID().toString().replace("-", "").toUpperCase(Locale.ROOT).substring(0, 32);
    }

    private static final class CountingStream extends java.io.FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
