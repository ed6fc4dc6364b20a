package io.integrationhub.provider.googledrive.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An in-process Google Drive v3 and Calendar v3, shaped after Google's public documentation
 * (shared/providers.md §4): {@code about}, {@code files.list} with the {@code q} terms the hub sends
 * ({@code '<id>' in parents}, {@code mimeType =}, {@code trashed =}) and {@code pageSize}/{@code pageToken} paging,
 * {@code files.get} (metadata, {@code alt=media}; Google Docs refuse media with {@code 403 fileNotDownloadable}),
 * {@code files.export} to PDF, {@code changes.getStartPageToken}/{@code changes.list} (a change log with
 * {@code nextPageToken}/{@code newStartPageToken}), {@code changes.watch} and {@code channels.stop} with push
 * notifications ({@code X-Goog-*} headers, empty body); Calendar events insert (client-chosen ids, 409 duplicate),
 * patch, delete (a deleted event answers 410), list by {@code privateExtendedProperty}. Errors use Google's envelope
 * {@code {"error":{"code","message","errors":[{"domain","reason","message"}]}}}. Tests inject faults with
 * {@link #failNext} (e.g. {@code 403 userRateLimitExceeded}). The zero-setup profile serves it under
 * {@code /sandbox/google-drive/api} and {@code /sandbox/google-calendar/api}; tests serve it on a port of their own.
 */
public class GoogleSimulator {

    public static final String FOLDER = "application/vnd.google-apps.folder";
    public static final String DOC = "application/vnd.google-apps.document";

    /** A request: path below the API root ({@code /drive/v3/files}), headers with lower-case names. */
    public record Request(String method, String path, String rawQuery, Map<String, String> headers, byte[] body) {
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
    }

    public record Reply(int status, String contentType, byte[] body) {
        static Reply json(int status, JsonNode body) {
            return new Reply(status, "application/json; charset=UTF-8", body.toString().getBytes(StandardCharsets.UTF_8));
        }

        static Reply empty(int status) {
            return new Reply(status, null, new byte[0]);
        }

        /** Google's error envelope. */
        public static Reply error(int status, String domain, String reason, String message) {
            ObjectNode root = MAPPER.createObjectNode();
            ObjectNode error = root.putObject("error").put("code", status).put("message", message);
            error.putArray("errors").addObject().put("domain", domain).put("reason", reason).put("message", message);
            return json(status, root);
        }

        public static Reply userRateLimitExceeded() {
            return error(403, "usageLimits", "userRateLimitExceeded", "User rate limit exceeded.");
        }
    }

    /** What the simulator was asked. */
    public record Call(String method, String path, String rawQuery, boolean authorized, int status, String body) {
    }

    private record Fault(String method, Pattern path, Reply reply, int[] remaining) {
    }

    /** A Drive file or folder. */
    public static final class Item {
        final String id;
        String name;
        String mimeType;
        List<String> parents = new ArrayList<>();
        boolean trashed;
        byte[] content = new byte[0];
        Instant created = Instant.now();
        Instant modified = Instant.now();

        Item(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private record Channel(String id, String resourceId, String address, String token, long expiration) {
    }

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern IN_PARENTS = Pattern.compile("'([A-Za-z0-9_-]+)' in parents");
    private static final Pattern MIME_IS = Pattern.compile("mimeType\\s*(=|!=)\\s*'([^']+)'");
    private static final Pattern TRASHED_IS = Pattern.compile("trashed\\s*=\\s*(true|false)");

    private final Predicate<String> tokens;
    private final Map<String, Item> items = new ConcurrentHashMap<>();
    private final List<String> changeLog = new CopyOnWriteArrayList<>(); // file ids, token n = index n - 1
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> events = new ConcurrentHashMap<>();
    private final java.util.Set<String> deletedEvents = ConcurrentHashMap.newKeySet();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger messages = new AtomicInteger(1);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile String notifyBase;
    private final String rootId = "0AROOT" + id().substring(0, 8);
    private final String email;

    public GoogleSimulator(Predicate<String> tokens, String email) {
        this.tokens = tokens;
        this.email = email;
        Item root = new Item(rootId);
        root.name = "My Drive";
        root.mimeType = FOLDER;
        items.put(rootId, root);
    }

    /** Push notifications go to this base URL + the channel address's path (null: to the address itself). */
    public GoogleSimulator notifyVia(String baseUrl) {
        this.notifyBase = baseUrl;
        return this;
    }

    // --- the Drive a test or the sandbox arranges -------------------------------------------------------------

    public String rootId() {
        return rootId;
    }

    public synchronized Item folder(String name, String parent) {
        return put(name, FOLDER, parent, new byte[0]);
    }

    public synchronized Item file(String name, String parent, String mimeType, byte[] content) {
        return put(name, mimeType, parent, content);
    }

    public synchronized void move(String id, String newParent) {
        Item item = items.get(id);
        item.parents = new ArrayList<>(List.of(newParent));
        changed(item);
    }

    public synchronized void trash(String id) {
        Item item = items.get(id);
        item.trashed = true;
        changed(item);
    }

    public synchronized void rename(String id, String name) {
        Item item = items.get(id);
        item.name = name;
        changed(item);
    }

    /** Permanently deleted: changes.list reports it {@code removed}. */
    public synchronized void delete(String id) {
        items.remove(id);
        changeLog.add(id);
        notifyChannels();
    }

    public Map<String, ObjectNode> events() {
        return Map.copyOf(events);
    }

    private Item put(String name, String mimeType, String parent, byte[] content) {
        Item item = new Item(id());
        item.name = name;
        item.mimeType = mimeType;
        item.parents.add(parent == null ? rootId : parent);
        item.content = content;
        items.put(item.id, item);
        changed(item);
        return item;
    }

    private void changed(Item item) {
        item.modified = Instant.now();
        changeLog.add(item.id);
        notifyChannels();
    }

    private void notifyChannels() {
        for (Channel channel : channels.values()) {
            String target = channel.address();
            if (notifyBase != null) {
                target = notifyBase + URI.create(channel.address()).getRawPath();
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(10))
                    .header("X-Goog-Channel-ID", channel.id())
                    .header("X-Goog-Channel-Token", channel.token())
                    .header("X-Goog-Channel-Expiration", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                            Instant.ofEpochMilli(channel.expiration()).atZone(ZoneOffset.UTC)))
                    .header("X-Goog-Message-Number", Integer.toString(messages.incrementAndGet()))
                    .header("X-Goog-Resource-ID", channel.resourceId())
                    .header("X-Goog-Resource-State", "change")
                    .header("X-Goog-Resource-URI", "https://www.googleapis.com/drive/v3/changes?alt=json")
                    .POST(HttpRequest.BodyPublishers.noBody()).build();
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        }
    }

    // --- faults and calls ------------------------------------------------------------------------------------

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

    // --- the wire ------------------------------------------------------------------------------------------------

    public Reply handle(Request r) {
        String auth = r.header("Authorization");
        boolean authorized = auth != null && auth.startsWith("Bearer ") && tokens.test(auth.substring(7));
        Reply reply;
        try {
            reply = dispatch(r, authorized);
        } catch (RuntimeException | IOException e) {
            reply = Reply.error(500, "global", "backendError", "Backend Error");
        }
        calls.add(new Call(r.method(), r.path(), r.rawQuery(), authorized, reply.status(),
                r.body() == null ? "" : new String(r.body(), StandardCharsets.UTF_8)));
        return reply;
    }

    private Reply dispatch(Request r, boolean authorized) throws IOException {
        for (Fault fault : faults) {
            if ((fault.method() == null || fault.method().equals(r.method())) && fault.path().matcher(r.path()).matches()) {
                synchronized (fault.remaining()) {
                    if (fault.remaining()[0] > 0) {
                        fault.remaining()[0]--;
                        return fault.reply();
                    }
                }
            }
        }
        if (!authorized) {
            return Reply.error(401, "global", "authError", "Invalid Credentials");
        }
        String p = r.path();
        String m = r.method();
        Matcher id;
        if (p.equals("/drive/v3/about") && m.equals("GET")) {
            ObjectNode about = MAPPER.createObjectNode();
            about.putObject("user").put("kind", "drive#user").put("displayName", "Sandbox Cook")
                    .put("emailAddress", email).put("permissionId", "perm-" + email.hashCode());
            return Reply.json(200, about);
        }
        if (p.equals("/drive/v3/files") && m.equals("GET")) {
            return listFiles(r);
        }
        if ((id = match("/drive/v3/files/([^/]+)/export", p)) != null && m.equals("GET")) {
            return export(r, id.group(1));
        }
        if ((id = match("/drive/v3/files/([^/]+)", p)) != null && m.equals("GET")) {
            return getFile(r, id.group(1));
        }
        if (p.equals("/drive/v3/changes/startPageToken") && m.equals("GET")) {
            return Reply.json(200, MAPPER.createObjectNode().put("kind", "drive#startPageToken")
                    .put("startPageToken", Integer.toString(changeLog.size() + 1)));
        }
        if (p.equals("/drive/v3/changes") && m.equals("GET")) {
            return listChanges(r);
        }
        if (p.equals("/drive/v3/changes/watch") && m.equals("POST")) {
            return watch(r);
        }
        if (p.equals("/drive/v3/channels/stop") && m.equals("POST")) {
            JsonNode body = MAPPER.readTree(r.body());
            return channels.remove(body.path("id").asText()) == null
                    ? Reply.error(404, "global", "notFound", "Channel not found")
                    : Reply.empty(204);
        }
        if (p.equals("/calendar/v3/calendars/primary") && m.equals("GET")) {
            return Reply.json(200, MAPPER.createObjectNode().put("kind", "calendar#calendar").put("id", email)
                    .put("summary", email).put("timeZone", "Europe/London"));
        }
        if (p.equals("/calendar/v3/calendars/primary/events")) {
            return m.equals("POST") ? insertEvent(r) : m.equals("GET") ? listEvents(r)
                    : Reply.error(405, "global", "methodNotAllowed", "Method not allowed");
        }
        if ((id = match("/calendar/v3/calendars/primary/events/([^/]+)", p)) != null) {
            return event(r, id.group(1));
        }
        return Reply.error(404, "global", "notFound", "Not Found");
    }

    private static Matcher match(String regex, String path) {
        Matcher matcher = Pattern.compile(regex).matcher(path);
        return matcher.matches() ? matcher : null;
    }

    private Item resolve(String id) {
        return items.get("root".equals(id) ? rootId : id);
    }

    private Reply notFound(String id) {
        return Reply.error(404, "global", "notFound", "File not found: " + id + ".");
    }

    private Reply listFiles(Request r) {
        String q = r.query("q") == null ? "" : r.query("q");
        int size = pageSize(r.query("pageSize"), 100);
        if (size < 0) {
            return Reply.error(400, "global", "invalid", "Invalid value for pageSize");
        }
        List<Item> found = new ArrayList<>();
        Matcher parent = IN_PARENTS.matcher(q);
        Matcher mime = MIME_IS.matcher(q);
        Matcher trashed = TRASHED_IS.matcher(q);
        String parentId = parent.find() ? (parent.group(1).equals("root") ? rootId : parent.group(1)) : null;
        boolean hasMime = mime.find();
        boolean hasTrashed = trashed.find();
        for (Item item : items.values()) {
            if (item.id.equals(rootId) || parentId != null && !item.parents.contains(parentId)
                    || hasMime && (mime.group(1).equals("=") != item.mimeType.equals(mime.group(2)))
                    || hasTrashed && item.trashed != Boolean.parseBoolean(trashed.group(1))) {
                continue;
            }
            found.add(item);
        }
        found.sort((a, b) -> "name".equals(r.query("orderBy")) ? a.name.compareTo(b.name) : a.id.compareTo(b.id));
        int from = offset(r.query("pageToken"));
        if (from < 0) {
            return Reply.error(400, "global", "invalid", "Invalid Value");
        }
        ObjectNode out = MAPPER.createObjectNode().put("kind", "drive#fileList").put("incompleteSearch", false);
        ArrayNode files = out.putArray("files");
        for (int i = from; i < Math.min(found.size(), from + size); i++) {
            files.add(json(found.get(i)));
        }
        if (from + size < found.size()) {
            out.put("nextPageToken", token(from + size));
        }
        return Reply.json(200, out);
    }

    private Reply getFile(Request r, String id) {
        Item item = resolve(id);
        if (item == null) {
            return notFound(id);
        }
        if ("media".equals(r.query("alt"))) {
            if (item.mimeType.startsWith("application/vnd.google-apps.")) {
                return Reply.error(403, "global", "fileNotDownloadable",
                        "Only files with binary content can be downloaded. Use Export with Docs Editors files.");
            }
            return new Reply(200, item.mimeType, item.content);
        }
        return Reply.json(200, json(item));
    }

    private Reply export(Request r, String id) {
        Item item = resolve(id);
        if (item == null) {
            return notFound(id);
        }
        if (!item.mimeType.startsWith("application/vnd.google-apps.") || FOLDER.equals(item.mimeType)) {
            return Reply.error(403, "global", "fileNotExportable", "Export only supports Docs Editors files.");
        }
        if (!"application/pdf".equals(r.query("mimeType"))) {
            return Reply.error(400, "global", "badRequest", "The requested conversion is not supported.");
        }
        String pdf = "%PDF-1.4\n% " + item.name + "\n" + new String(item.content, StandardCharsets.UTF_8) + "\n%%EOF\n";
        return new Reply(200, "application/pdf", pdf.getBytes(StandardCharsets.UTF_8));
    }

    private Reply listChanges(Request r) {
        String token = r.query("pageToken");
        if (token == null || !token.matches("\\d+")) {
            return Reply.error(400, "global", "required", "Required parameter: pageToken");
        }
        int from = Integer.parseInt(token) - 1;
        int size = pageSize(r.query("pageSize"), 100);
        ObjectNode out = MAPPER.createObjectNode().put("kind", "drive#changeList");
        ArrayNode changes = out.putArray("changes");
        int end = Math.min(changeLog.size(), from + size);
        for (int i = Math.max(0, from); i < end; i++) {
            String fileId = changeLog.get(i);
            Item item = items.get(fileId);
            ObjectNode change = changes.addObject().put("kind", "drive#change").put("changeType", "file")
                    .put("time", RFC3339.format(Instant.now())).put("fileId", fileId).put("removed", item == null);
            if (item != null) {
                change.set("file", json(item));
            }
        }
        if (end < changeLog.size()) {
            out.put("nextPageToken", Integer.toString(end + 1));
        } else {
            out.put("newStartPageToken", Integer.toString(changeLog.size() + 1));
        }
        return Reply.json(200, out);
    }

    private Reply watch(Request r) throws IOException {
        if (r.query("pageToken") == null) {
            return Reply.error(400, "global", "required", "Required parameter: pageToken");
        }
        JsonNode body = MAPPER.readTree(r.body());
        if (!"web_hook".equals(body.path("type").asText()) || !body.path("address").asText().startsWith("http")) {
            return Reply.error(400, "push", "invalidArgument", "Invalid channel");
        }
        long expiration = body.path("expiration").asLong(Instant.now().plusSeconds(3600).toEpochMilli());
        expiration = Math.min(expiration, Instant.now().plusSeconds(604_800).toEpochMilli());
        Channel channel = new Channel(body.path("id").asText(), "res-" + id(), body.path("address").asText(),
                body.path("token").asText(null), expiration);
        channels.put(channel.id(), channel);
        return Reply.json(200, MAPPER.createObjectNode().put("kind", "api#channel").put("id", channel.id())
                .put("resourceId", channel.resourceId())
                .put("resourceUri", "https://www.googleapis.com/drive/v3/changes?alt=json")
                .put("token", channel.token()).put("expiration", Long.toString(expiration)));
    }

    public int liveChannels() {
        return channels.size();
    }

    private ObjectNode json(Item item) {
        ObjectNode file = MAPPER.createObjectNode().put("kind", "drive#file").put("id", item.id).put("name", item.name)
                .put("mimeType", item.mimeType).put("trashed", item.trashed)
                .put("createdTime", RFC3339.format(item.created)).put("modifiedTime", RFC3339.format(item.modified))
                .put("webViewLink", "https://drive.google.com/file/d/" + item.id + "/view");
        if (!item.id.equals(rootId)) {
            ArrayNode parents = file.putArray("parents");
            item.parents.forEach(parents::add);
        }
        if (!item.mimeType.startsWith("application/vnd.google-apps.")) {
            file.put("size", Long.toString(item.content.length)).put("md5Checksum", md5(item.content));
        }
        return file;
    }

    // --- Calendar -----------------------------------------------------------------------------------------------

    private Reply insertEvent(Request r) throws IOException {
        JsonNode body = MAPPER.readTree(r.body());
        String id = body.path("id").asText(null);
        if (id != null && !id.matches("[a-v0-9]{5,1024}")) {
            return Reply.error(400, "global", "invalid", "Invalid resource id value.");
        }
        if (id != null && (events.containsKey(id) || deletedEvents.contains(id))) {
            return Reply.error(409, "global", "duplicate", "The requested identifier already exists.");
        }
        if (!body.path("start").isObject() || !body.path("end").isObject()) {
            return Reply.error(400, "global", "required", "Missing end time.");
        }
        ObjectNode event = ((ObjectNode) body).deepCopy();
        event.put("kind", "calendar#event").put("id", id == null ? id().toLowerCase(Locale.ROOT).replaceAll("[^a-v0-9]", "")
                : id).put("status", "confirmed").put("created", RFC3339.format(Instant.now()));
        event.put("htmlLink", "https://www.google.com/calendar/event?eid=" + event.path("id").asText());
        stamp(event);
        events.put(event.path("id").asText(), event);
        return Reply.json(200, event);
    }

    private Reply event(Request r, String id) throws IOException {
        if (deletedEvents.contains(id)) {
            return Reply.error(410, "global", "deleted", "Resource has been deleted");
        }
        ObjectNode event = events.get(id);
        if (event == null) {
            return Reply.error(404, "global", "notFound", "Not Found");
        }
        switch (r.method()) {
            case "GET" -> {
                return Reply.json(200, event);
            }
            case "PATCH" -> {
                JsonNode patch = MAPPER.readTree(r.body());
                patch.fields().forEachRemaining(f -> event.set(f.getKey(), f.getValue()));
                stamp(event);
                return Reply.json(200, event);
            }
            case "DELETE" -> {
                events.remove(id);
                deletedEvents.add(id);
                return Reply.empty(204);
            }
            default -> {
                return Reply.error(405, "global", "methodNotAllowed", "Method not allowed");
            }
        }
    }

    private Reply listEvents(Request r) {
        String filter = r.query("privateExtendedProperty");
        int size = pageSize(r.query("maxResults"), 250);
        List<ObjectNode> found = new ArrayList<>();
        for (ObjectNode event : events.values()) {
            if (filter != null) {
                int eq = filter.indexOf('=');
                JsonNode value = event.path("extendedProperties").path("private").path(filter.substring(0, eq));
                if (!value.asText("").equals(filter.substring(eq + 1))) {
                    continue;
                }
            }
            found.add(event);
        }
        found.sort((a, b) -> a.path("id").asText().compareTo(b.path("id").asText()));
        int from = offset(r.query("pageToken"));
        ObjectNode out = MAPPER.createObjectNode().put("kind", "calendar#events");
        ArrayNode list = out.putArray("items");
        for (int i = Math.max(0, from); i < Math.min(found.size(), from + size); i++) {
            list.add(found.get(i));
        }
        if (from + size < found.size()) {
            out.put("nextPageToken", token(from + size));
        }
        return Reply.json(200, out);
    }

    private static void stamp(ObjectNode event) {
        event.put("updated", RFC3339.format(Instant.now()));
        event.put("etag", "\"" + System.nanoTime() + "\"");
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private static int pageSize(String value, int dflt) {
        if (value == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(value);
            return n < 1 || n > 1000 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String token(int offset) {
        return "tok" + Integer.toString(offset * 7 + 3, 36);
    }

    private static int offset(String token) {
        if (token == null) {
            return 0;
        }
        try {
            int raw = Integer.parseInt(token.substring(3), 36) - 3;
            return token.startsWith("tok") && raw % 7 == 0 ? raw / 7 : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static String id() {
        return "1" + UUID.randomUUID().toString().replace("-", "").substring(0, 27);
    }

    private static String md5(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The request's headers (lower-case names) from any map. */
    public static Map<String, String> headers(Map<String, ?> raw) {
        Map<String, String> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (v != null) {
                out.put(k.toLowerCase(Locale.ROOT), v.toString());
            }
        });
        return out;
    }
}
