package io.integrationhub.provider.microsoft.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLConnection;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Reply;
import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Request;

/**
 * OneDrive ({@code /me/drive}) of the simulator, after Graph's driveItem pages (providers.md §1.3): items by id
 * and by path (colon addressing {@code root:/Jobs/A:/children}), children with paging, folder creation with
 * {@code @microsoft.graph.conflictBehavior}, simple upload, upload sessions (320 KiB-multiple fragments,
 * {@code Content-Range} with a constant total, {@code 416} for a range already received, {@code 202} with
 * {@code nextExpectedRanges}, {@code 201}/{@code 200} with the driveItem on the last fragment, {@code 409
 * nameAlreadyExists} at commit and the explicit commit with {@code @microsoft.graph.sourceUrl}), status and
 * cancel of a session, content download ({@code 302} to an anonymous URL), delete, and delta with paging,
 * {@code @odata.deltaLink}, {@code deleted} facets and {@code 410} for a stale token.
 *
 * <p>File contents live in files under {@code sim.storage()/drive}; a fragment is streamed into its session's
 * file, never held whole in memory. Test hooks (expire sessions or delta tokens, lose a fragment's reply, force a
 * name conflict at commit, observe fragments) are the public methods below the constructor.
 */
public final class GraphDriveSim {

    /** Upload-session fragments must be multiples of this (except the last one). */
    public static final int FRAGMENT_UNIT = 320 * 1024;
    static final long MAX_FRAGMENT = 60L * 1024 * 1024;
    static final long SIMPLE_UPLOAD_LIMIT = 250L * 1024 * 1024;

    private static final Pattern ADDRESS = Pattern.compile(
            "/me/drive/(?:root|items/(?<id>[^/:]+))(?::(?<path>/[^:]*)(?::)?)?(?<rest>/[A-Za-z]+)?");
    private static final Pattern RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
    private static final String INVALID_NAME_CHARS = "\"*:<>?/\\|";

    private final GraphSimulator sim;
    private final String driveId = "b!" + UUID.randomUUID().toString().replace("-", "");
    private final Path files;
    private final Object lock = new Object();
    private final Map<String, Item> items = new LinkedHashMap<>();
    private final Map<String, UploadSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, String> downloads = new ConcurrentHashMap<>();
    private final Item root;
    private long sequence;
    private volatile int deltaEpoch = 1;
    private volatile int deltaPageSize = 200;
    private volatile boolean notifications;
    private final AtomicInteger lostReplies = new AtomicInteger();
    private final Map<String, Integer> commitConflicts = new ConcurrentHashMap<>();
    private volatile BiConsumer<Long, Long> fragmentListener = (received, total) -> { };

    private static final class Item {
        String id;
        String name;
        String parentId;
        boolean folder;
        long size;
        String mimeType;
        Instant created;
        Instant modified;
        long seq;
        int version = 1;
        boolean deleted;
        String downloadToken;
    }

    private static final class UploadSession {
        String id;
        String parentId;
        String name;
        String targetId;
        String conflictBehavior;
        long total = -1;
        long received;
        Instant expires;
        Path file;
        boolean deferCommit;
    }

    GraphDriveSim(GraphSimulator sim) {
        this.sim = sim;
        this.files = sim.storage().resolve("drive");
        try {
            Files.createDirectories(files);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Instant now = Instant.now();
        root = new Item();
        root.id = GraphSimulator.newId();
        root.name = "root";
        root.folder = true;
        root.created = now;
        root.modified = now;
        root.seq = ++sequence;
        items.put(root.id, root);

        String address = "/me/drive/(?:root|items/[^/:]+)(?:[:/].*)?";
        sim.on("GET", address, this::get);
        sim.on("POST", address, this::post);
        sim.on("PUT", address, this::put);
        sim.on("DELETE", address, this::delete);
        sim.onAnonymous("PUT", "/upload-sessions/([^/]+)", this::putFragment);
        sim.onAnonymous("GET", "/upload-sessions/([^/]+)", this::sessionStatus);
        sim.onAnonymous("DELETE", "/upload-sessions/([^/]+)", this::cancelSession);
        sim.onAnonymous("GET", "/drive-downloads/([^/]+)", this::download);
    }

    // --- test hooks ---

    /** The drive root's item id. */
    public String rootId() {
        return root.id;
    }

    /** Every open upload session disappears: its next fragment or status call answers 404 (Graph: start over). */
    public void expireUploadSessions() {
        sessions.clear();
    }

    /** The next {@code times} fragments are stored, but their replies are lost (503): a resent range meets 416. */
    public void loseNextFragmentReplies(int times) {
        lostReplies.set(times);
    }

    /** The next commit of a file named {@code name} answers 409 nameAlreadyExists, as when the name was taken meanwhile. */
    public void conflictOnCommit(String name) {
        commitConflicts.put(name, 1);
    }

    /** Called after every stored fragment with (bytes received so far, total). */
    public void onFragment(BiConsumer<Long, Long> listener) {
        fragmentListener = listener == null ? (received, total) -> { } : listener;
    }

    /** Every delta token issued so far becomes stale: the next call with one answers 410 Gone. */
    public void expireDeltaTokens() {
        deltaEpoch++;
    }

    public void deltaPageSize(int size) {
        deltaPageSize = size;
    }

    /** Whether drive changes post change notifications to {@code me/drive/root} subscribers (the sandbox). */
    public void notifications(boolean on) {
        notifications = on;
    }

    /** Open upload sessions. */
    public int openSessions() {
        return sessions.size();
    }

    /** The item at a path below the root ({@code Jobs/JOB-1/Quotes}), as Graph would show it. */
    public Optional<JsonNode> itemAt(String path) {
        synchronized (lock) {
            return Optional.ofNullable(resolve(root, path)).map(this::json);
        }
    }

    public Optional<JsonNode> item(String id) {
        synchronized (lock) {
            Item item = items.get(id);
            return item == null || item.deleted ? Optional.empty() : Optional.of(json(item));
        }
    }

    /** Names of the live children of a folder. */
    public List<String> childNames(String folderId) {
        synchronized (lock) {
            return children(folderId).stream().map(i -> i.name).toList();
        }
    }

    /** The stored content of a file item. */
    public Path content(String id) {
        return files.resolve(id);
    }

    /** Adds a file (tests seed the drive); the parent folders of {@code path} must exist. */
    public JsonNode putFile(String path, byte[] content) {
        return putFile(path, new java.io.ByteArrayInputStream(content));
    }

    /** Adds a file streamed from {@code content} (large test files never sit in memory). */
    public JsonNode putFile(String path, InputStream content) {
        int slash = path.lastIndexOf('/');
        synchronized (lock) {
            Item parent = slash < 0 ? root : resolve(root, path.substring(0, slash));
            if (parent == null || !parent.folder) {
                throw new IllegalArgumentException("no folder for " + path);
            }
            Item item = newItem(parent, path.substring(slash + 1), false);
            try {
                Files.copy(content, content(item.id), StandardCopyOption.REPLACE_EXISTING);
                item.size = Files.size(content(item.id));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            item.mimeType = mimeType(item.name, null);
            changed(item);
            return json(item);
        }
    }

    /** Renames an item, as a user would in OneDrive. */
    public void rename(String id, String name) {
        synchronized (lock) {
            Item item = items.get(id);
            item.name = name;
            changed(item);
        }
    }

    /** Deletes an item (and everything below it), as a user would in OneDrive. */
    public void delete(String id) {
        synchronized (lock) {
            remove(items.get(id));
        }
    }

    // --- items ---

    private record Target(Item base, String path, String rest) {
    }

    private Target address(Request r) {
        Matcher m = ADDRESS.matcher(r.path());
        if (!m.matches()) {
            return null;
        }
        Item base = m.group("id") == null ? root : items.get(m.group("id"));
        if (base != null && base.deleted) {
            base = null;
        }
        return new Target(base, m.group("path"), m.group("rest") == null ? "" : m.group("rest"));
    }

    private Reply get(Request r, Matcher unused) throws IOException {
        Target t = address(r);
        synchronized (lock) {
            Item item = t == null || t.base() == null ? null : resolve(t.base(), t.path());
            if (t != null && "/delta".equals(t.rest())) {
                return item == null ? notFound() : delta(r, item);
            }
            if (item == null) {
                return notFound();
            }
            return switch (t.rest()) {
                case "" -> Reply.json(200, json(item));
                case "/children" -> children(r, item);
                case "/content" -> content(item);
                default -> Reply.error(400, "BadRequest", "Resource not found for the segment '" + t.rest() + "'.");
            };
        }
    }

    private Reply children(Request r, Item folder) {
        if (!folder.folder) {
            return Reply.error(400, "invalidRequest", "The item is not a folder.");
        }
        int top = intQuery(r, "$top", 200);
        int offset = intQuery(r, "$skiptoken", 0);
        List<Item> all = children(folder.id);
        ObjectNode page = sim.mapper().createObjectNode();
        ArrayNode value = page.putArray("value");
        all.stream().skip(offset).limit(top).forEach(i -> value.add(json(i)));
        if (offset + top < all.size()) {
            page.put("@odata.nextLink", sim.baseUrl() + "/me/drive/items/" + folder.id + "/children?$top=" + top
                    + "&$skiptoken=" + (offset + top));
        }
        return Reply.json(200, page);
    }

    private Reply content(Item item) {
        if (item.folder) {
            return Reply.error(400, "invalidRequest", "Folders have no content.");
        }
        return Reply.empty(302).with("Location", downloadUrl(item));
    }

    /** One pre-authenticated URL per item (Graph's are short-lived; here they live as long as the item). */
    private String downloadUrl(Item item) {
        if (item.downloadToken == null) {
            item.downloadToken = UUID.randomUUID().toString().replace("-", "");
            downloads.put(item.downloadToken, item.id);
        }
        return sim.baseUrl() + "/drive-downloads/" + item.downloadToken;
    }

    private Reply download(Request r, Matcher m) {
        String id = downloads.get(m.group(1));
        synchronized (lock) {
            Item item = id == null ? null : items.get(id);
            if (item == null || item.deleted) {
                return notFound();
            }
            return Reply.file(content(item.id), item.mimeType);
        }
    }

    private Reply post(Request r, Matcher unused) throws IOException {
        Target t = address(r);
        if (t == null || t.base() == null) {
            return notFound();
        }
        JsonNode body = r.json(sim.mapper());
        synchronized (lock) {
            if ("/children".equals(t.rest())) {
                Item parent = resolve(t.base(), t.path());
                return parent == null ? notFound() : createFolder(parent, body);
            }
            if ("/createUploadSession".equals(t.rest())) {
                return createSession(t, body);
            }
        }
        return Reply.error(400, "BadRequest", "Resource not found for the segment '" + t.rest() + "'.");
    }

    private Reply createFolder(Item parent, JsonNode body) {
        if (!parent.folder) {
            return Reply.error(400, "invalidRequest", "The parent is not a folder.");
        }
        String name = body.path("name").asText("");
        if (!body.has("folder")) {
            return Reply.error(400, "invalidRequest", "Only folders can be created here; upload files with PUT.");
        }
        Reply invalid = invalidName(name);
        if (invalid != null) {
            return invalid;
        }
        String behavior = body.path("@microsoft.graph.conflictBehavior").asText("fail");
        Item existing = child(parent.id, name);
        if (existing != null) {
            switch (behavior) {
                case "fail" -> {
                    return Reply.error(409, "nameAlreadyExists", "The specified item name already exists. Name: " + name);
                }
                case "replace" -> remove(existing);
                default -> name = freeName(parent.id, name);
            }
        }
        Item folder = newItem(parent, name, true);
        changed(folder);
        return Reply.json(201, json(folder));
    }

    private Reply put(Request r, Matcher unused) throws IOException {
        Target t = address(r);
        if (t == null || t.base() == null) {
            return notFound();
        }
        if ("/content".equals(t.rest())) {
            return simpleUpload(r, t);
        }
        if (t.rest().isEmpty()) {
            return commitFromSource(r, t);
        }
        return Reply.error(400, "BadRequest", "Resource not found for the segment '" + t.rest() + "'.");
    }

    /** {@code PUT …/{parent}:/{name}:/content} (new or replace by name) or {@code PUT /items/{id}/content}. */
    private Reply simpleUpload(Request r, Target t) throws IOException {
        Path tmp = Files.createTempFile(files, "put-", ".part");
        try {
            long size;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                size = copy(r.body(), out, SIMPLE_UPLOAD_LIMIT + 1);
            }
            if (size > SIMPLE_UPLOAD_LIMIT) {
                return Reply.error(413, "requestTooLarge", "Simple upload is limited to 250 MB; use an upload session.");
            }
            String behavior = r.query("@microsoft.graph.conflictBehavior");
            synchronized (lock) {
                Item existingTarget;
                Item parent;
                String name;
                if (t.path() == null) {
                    existingTarget = t.base();
                    if (existingTarget.folder) {
                        return Reply.error(400, "invalidRequest", "Cannot upload content to a folder.");
                    }
                    parent = items.get(existingTarget.parentId);
                    name = existingTarget.name;
                } else {
                    String path = t.path();
                    int slash = path.lastIndexOf('/');
                    parent = resolve(t.base(), path.substring(0, slash));
                    name = path.substring(slash + 1);
                    if (parent == null || !parent.folder) {
                        return notFound();
                    }
                    existingTarget = child(parent.id, name);
                }
                Reply invalid = invalidName(name);
                if (invalid != null) {
                    return invalid;
                }
                return store(parent, name, existingTarget, behavior == null ? "replace" : behavior, tmp, size,
                        r.header("Content-Type"));
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Puts a finished content file into the drive under a name conflict behaviour: 201 new, 200 replaced, 409. */
    private Reply store(Item parent, String name, Item existing, String behavior, Path content, long size, String type)
            throws IOException {
        boolean conflictForced = commitConflicts.remove(name) != null;
        if (existing != null && existing.folder) {
            return Reply.error(409, "nameAlreadyExists", "A folder with this name exists. Name: " + name);
        }
        if (conflictForced || existing != null && "fail".equals(behavior)) {
            return Reply.error(409, "nameAlreadyExists", "Another file exists with the same name as the uploaded session. "
                    + "You can redirect the upload session to use a new filename by calling PUT with the new metadata "
                    + "and @microsoft.graph.sourceUrl attribute.");
        }
        Item item;
        int status;
        if (existing != null && "replace".equals(behavior)) {
            item = existing;
            item.version++;
            status = 200;
        } else {
            item = newItem(parent, existing == null ? name : freeName(parent.id, name), false);
            status = 201;
        }
        Files.move(content, content(item.id), StandardCopyOption.REPLACE_EXISTING);
        item.size = size;
        item.mimeType = mimeType(item.name, type);
        changed(item);
        return Reply.json(status, json(item));
    }

    private Reply delete(Request r, Matcher unused) {
        Target t = address(r);
        synchronized (lock) {
            Item item = t == null || t.base() == null ? null : resolve(t.base(), t.path());
            if (item == null || !t.rest().isEmpty()) {
                return notFound();
            }
            if (item == root) {
                return Reply.error(403, "accessDenied", "The drive root cannot be deleted.");
            }
            remove(item);
            return Reply.empty(204);
        }
    }

    // --- upload sessions ---

    private Reply createSession(Target t, JsonNode body) {
        JsonNode item = body.path("item");
        UploadSession s = new UploadSession();
        if (t.path() == null) {
            if (t.base().folder) {
                return Reply.error(400, "invalidRequest", "Name the new file: /items/{parent-id}:/{fileName}:/createUploadSession.");
            }
            s.targetId = t.base().id;
            s.parentId = t.base().parentId;
            s.name = t.base().name;
        } else {
            String path = t.path();
            int slash = path.lastIndexOf('/');
            Item parent = resolve(t.base(), path.substring(0, slash));
            if (parent == null || !parent.folder) {
                return notFound();
            }
            s.parentId = parent.id;
            s.name = path.substring(slash + 1);
            if (item.hasNonNull("name") && !item.get("name").asText().equals(s.name)) {
                return Reply.error(400, "invalidRequest", "The item path must contain the name given in the body.");
            }
        }
        Reply invalid = invalidName(s.name);
        if (invalid != null) {
            return invalid;
        }
        s.conflictBehavior = item.path("@microsoft.graph.conflictBehavior").asText(s.targetId != null ? "replace" : "fail");
        if (s.targetId == null && "fail".equals(s.conflictBehavior) && child(s.parentId, s.name) != null) {
            return Reply.error(409, "nameAlreadyExists", "The specified item name already exists. Name: " + s.name);
        }
        if (item.has("fileSize")) {
            s.total = item.get("fileSize").asLong();
        }
        s.deferCommit = body.path("deferCommit").asBoolean(false);
        s.id = UUID.randomUUID().toString().replace("-", "");
        s.expires = Instant.now().plus(Duration.ofDays(1));
        s.file = files.resolve("session-" + s.id);
        try {
            Files.deleteIfExists(s.file);
            Files.createFile(s.file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sessions.put(s.id, s);
        ObjectNode answer = sim.mapper().createObjectNode();
        answer.put("uploadUrl", sim.baseUrl() + "/upload-sessions/" + s.id);
        answer.put("expirationDateTime", s.expires.toString());
        answer.putArray("nextExpectedRanges").add("0-");
        return Reply.json(200, answer);
    }

    private Reply putFragment(Request r, Matcher m) throws IOException {
        if (r.header("Authorization") != null) {
            return Reply.error(401, "unauthenticated", "Upload URLs are pre-authenticated; do not send an Authorization header.");
        }
        UploadSession s = sessions.get(m.group(1));
        if (s == null) {
            return Reply.error(404, "itemNotFound", "The upload session was not found or has expired.");
        }
        synchronized (s) {
            Matcher range = r.header("Content-Range") == null ? null : RANGE.matcher(r.header("Content-Range"));
            if (range == null || !range.matches()) {
                return Reply.error(400, "invalidRange", "Content-Range 'bytes {start}-{end}/{total}' is required.");
            }
            long start = Long.parseLong(range.group(1));
            long end = Long.parseLong(range.group(2));
            long total = Long.parseLong(range.group(3));
            long length = end - start + 1;
            if (length <= 0 || end >= total) {
                return Reply.error(400, "invalidRange", "The Content-Range is not a range of the file.");
            }
            if (s.total >= 0 && total != s.total) {
                return Reply.error(400, "invalidRange", "The declared file size differs from the session's (" + s.total + ").");
            }
            if (start < s.received) {
                return Reply.error(416, "invalidRange", "The range " + start + "-" + end + " was already received.");
            }
            if (start > s.received) {
                return Reply.error(416, "invalidRange", "Fragments must be uploaded in order; expected " + s.received + "-.");
            }
            if (length > MAX_FRAGMENT) {
                return Reply.error(413, "requestTooLarge", "A fragment must be smaller than 60 MiB.");
            }
            if (end + 1 < total && length % FRAGMENT_UNIT != 0) {
                return Reply.error(400, "invalidRange", "Fragment sizes must be multiples of 320 KiB (327,680 bytes).");
            }
            long stored;
            try (FileChannel channel = FileChannel.open(s.file, StandardOpenOption.WRITE)) {
                channel.position(s.received);
                stored = copy(r.body(), Channels.newOutputStream(channel), length + 1);
                if (stored != length) {
                    channel.truncate(s.received);
                    return Reply.error(400, "invalidRange", "The body has " + stored + " bytes, the Content-Range " + length + ".");
                }
            }
            s.total = total;
            s.received = end + 1;
            fragmentListener.accept(s.received, s.total);
            Reply reply;
            if (s.received == s.total && !s.deferCommit) {
                reply = commit(s, items.get(s.parentId), s.name, s.conflictBehavior, s.targetId);
            } else {
                reply = Reply.json(202, status(s));
            }
            if (lostReplies.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                return Reply.error(503, "serviceNotAvailable", "The reply was lost on the way.");
            }
            return reply;
        }
    }

    private Reply commit(UploadSession s, Item parent, String name, String behavior, String targetId) throws IOException {
        synchronized (lock) {
            if (parent == null || parent.deleted) {
                return notFound();
            }
            Item existing = targetId != null ? items.get(targetId) : child(parent.id, name);
            Reply reply = store(parent, name, existing, targetId != null ? "replace" : behavior, s.file, s.total, null);
            if (reply.status() < 300) {
                sessions.remove(s.id);
            }
            return reply;
        }
    }

    /** The explicit commit Graph documents after a failed last fragment: PUT the item with a sourceUrl. */
    private Reply commitFromSource(Request r, Target t) throws IOException {
        JsonNode body = r.json(sim.mapper());
        String source = body.path("@microsoft.graph.sourceUrl").asText("");
        String prefix = sim.baseUrl() + "/upload-sessions/";
        UploadSession s = source.startsWith(prefix) ? sessions.get(source.substring(prefix.length())) : null;
        if (s == null) {
            return Reply.error(404, "itemNotFound", "The upload session was not found or has expired.");
        }
        synchronized (s) {
            if (s.received != s.total) {
                return Reply.error(400, "invalidRequest", "The upload session is not complete.");
            }
            Item parent;
            synchronized (lock) {
                parent = resolve(t.base(), t.path());
            }
            if (parent == null || !parent.folder) {
                return notFound();
            }
            String name = body.path("name").asText(s.name);
            Reply invalid = invalidName(name);
            return invalid != null ? invalid
                    : commit(s, parent, name, body.path("@microsoft.graph.conflictBehavior").asText("fail"), null);
        }
    }

    private Reply sessionStatus(Request r, Matcher m) {
        UploadSession s = sessions.get(m.group(1));
        if (s == null) {
            return Reply.error(404, "itemNotFound", "The upload session was not found or has expired.");
        }
        synchronized (s) {
            return Reply.json(200, status(s));
        }
    }

    private Reply cancelSession(Request r, Matcher m) throws IOException {
        UploadSession s = sessions.remove(m.group(1));
        if (s == null) {
            return Reply.error(404, "itemNotFound", "The upload session was not found or has expired.");
        }
        Files.deleteIfExists(s.file);
        return Reply.empty(204);
    }

    private ObjectNode status(UploadSession s) {
        ObjectNode answer = sim.mapper().createObjectNode();
        answer.put("expirationDateTime", s.expires.toString());
        answer.putArray("nextExpectedRanges").add(s.received + "-");
        return answer;
    }

    // --- delta ---

    /**
     * {@code GET …/delta}: without a token every live item below the folder (itself first); with a deltaLink
     * token the items changed since, deleted ones as {@code {id, deleted:{state}, parentReference}}. Page
     * tokens carry (epoch, since, upto, offset) so a paged enumeration is a stable snapshot.
     */
    private Reply delta(Request r, Item scope) {
        String token = r.query("token");
        long since = 0;
        long upto = sequence;
        int offset = 0;
        if (token != null && !token.isEmpty() && !"latest".equals(token)) {
            String[] parts = token.split("\\.");
            try {
                int epoch = Integer.parseInt(parts[1]);
                if (epoch != deltaEpoch) {
                    ObjectNode root = sim.mapper().createObjectNode();
                    root.putObject("error").put("code", "resyncChangesApplyDifferences")
                            .put("message", "Resync required. Replace any local items with the server's version "
                                    + "(including deletes) if you're sure that the service was up to date with your local "
                                    + "changes when you last sync'd. Upload any local changes that the server doesn't know about.");
                    return Reply.json(410, root).with("Location", sim.baseUrl() + r.path());
                }
                since = Long.parseLong(parts[2]);
                if ("p".equals(parts[0])) {
                    upto = Long.parseLong(parts[3]);
                    offset = Integer.parseInt(parts[4]);
                }
            } catch (RuntimeException e) {
                return Reply.error(400, "invalidRequest", "Invalid delta token.");
            }
        }
        if ("latest".equals(token)) {
            ObjectNode page = sim.mapper().createObjectNode();
            page.putArray("value");
            page.put("@odata.deltaLink", deltaUrl(r, "d." + deltaEpoch + "." + sequence));
            return Reply.json(200, page);
        }
        final long from = since;
        final long to = upto;
        List<Item> changed = items.values().stream()
                .filter(i -> i.seq > from && i.seq <= to && (from > 0 || !i.deleted) && within(i, scope))
                .sorted(Comparator.comparingLong(i -> i.seq)).toList();
        int top = intQuery(r, "$top", deltaPageSize);
        ObjectNode page = sim.mapper().createObjectNode();
        ArrayNode value = page.putArray("value");
        changed.stream().skip(offset).limit(top).forEach(i -> value.add(i.deleted ? tombstone(i) : json(i)));
        if (offset + top < changed.size()) {
            page.put("@odata.nextLink", deltaUrl(r, "p." + deltaEpoch + "." + from + "." + to + "." + (offset + top)));
        } else {
            page.put("@odata.deltaLink", deltaUrl(r, "d." + deltaEpoch + "." + to));
        }
        return Reply.json(200, page);
    }

    private String deltaUrl(Request r, String token) {
        return sim.baseUrl() + r.path() + "?token=" + token;
    }

    private boolean within(Item item, Item scope) {
        for (Item i = item; i != null; i = i.parentId == null ? null : items.get(i.parentId)) {
            if (i == scope) {
                return true;
            }
        }
        return false;
    }

    private ObjectNode tombstone(Item item) {
        ObjectNode node = sim.mapper().createObjectNode();
        node.put("id", item.id);
        node.putObject("deleted").put("state", "deleted");
        node.set("parentReference", parentReference(item));
        return node;
    }

    // --- model ---

    private Item newItem(Item parent, String name, boolean folder) {
        Item item = new Item();
        item.id = GraphSimulator.newId();
        item.name = name;
        item.parentId = parent.id;
        item.folder = folder;
        item.created = Instant.now();
        items.put(item.id, item);
        return item;
    }

    private void changed(Item item) {
        item.modified = Instant.now();
        item.seq = ++sequence;
        if (notifications) {
            GraphSubscriptionsSim subscriptions = sim.part(GraphSubscriptionsSim.class);
            if (subscriptions != null) {
                subscriptions.notify("me/drive/root", "updated", item.id);
            }
        }
    }

    private void remove(Item item) {
        if (item == null || item.deleted) {
            return;
        }
        for (Item child : children(item.id)) {
            remove(child);
        }
        item.deleted = true;
        changed(item);
        try {
            Files.deleteIfExists(content(item.id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Item> children(String folderId) {
        return items.values().stream().filter(i -> !i.deleted && folderId.equals(i.parentId)).toList();
    }

    private Item child(String folderId, String name) {
        return items.values().stream().filter(i -> !i.deleted && folderId.equals(i.parentId)
                && i.name.equalsIgnoreCase(name)).findFirst().orElse(null);
    }

    /** An item below {@code base} by a relative path ({@code /Jobs/A}); null when any segment is missing. */
    private Item resolve(Item base, String path) {
        Item current = base;
        if (path == null) {
            return current;
        }
        for (String segment : path.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            current = current == null ? null : child(current.id, segment);
        }
        return current;
    }

    private String freeName(String folderId, String name) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        for (int n = 1; ; n++) {
            String candidate = stem + " " + n + ext;
            if (child(folderId, candidate) == null) {
                return candidate;
            }
        }
    }

    private String path(Item item) {
        List<String> names = new ArrayList<>();
        for (Item i = item; i != null && i != root; i = items.get(i.parentId)) {
            names.add(0, i.name);
        }
        return "/drive/root:" + (names.isEmpty() ? "" : "/" + String.join("/", names));
    }

    private ObjectNode parentReference(Item item) {
        ObjectNode ref = sim.mapper().createObjectNode();
        ref.put("driveId", driveId).put("driveType", "personal");
        Item parent = item.parentId == null ? null : items.get(item.parentId);
        if (parent != null) {
            ref.put("id", parent.id).put("path", path(parent));
        }
        return ref;
    }

    private ObjectNode json(Item item) {
        ObjectNode node = sim.mapper().createObjectNode();
        node.put("id", item.id);
        node.put("name", item.name);
        node.put("eTag", "\"{" + item.id + "}," + item.version + "\"");
        node.put("cTag", "\"c:{" + item.id + "}," + item.version + "\"");
        node.put("createdDateTime", item.created.toString());
        node.put("lastModifiedDateTime", item.modified.toString());
        node.put("webUrl", "https://onedrive.sandbox.invalid/" + (item == root ? "" : path(item).substring("/drive/root:/".length())));
        node.set("parentReference", parentReference(item));
        if (item == root) {
            node.putObject("root");
        }
        if (item.folder) {
            node.put("size", 0);
            node.putObject("folder").put("childCount", children(item.id).size());
        } else {
            node.put("size", item.size);
            node.putObject("file").put("mimeType", item.mimeType);
            node.put("@microsoft.graph.downloadUrl", downloadUrl(item));
        }
        return node;
    }

    private static Reply invalidName(String name) {
        if (name == null || name.isBlank() || name.endsWith(".") || name.endsWith(" ") || name.startsWith(" ")
                || name.chars().anyMatch(c -> INVALID_NAME_CHARS.indexOf(c) >= 0 || c < 32)) {
            return Reply.error(400, "invalidRequest", "The name '" + name + "' is not a valid OneDrive item name.");
        }
        return null;
    }

    private static String mimeType(String name, String given) {
        if (given != null && !given.isBlank() && !given.startsWith("application/octet-stream")) {
            return given;
        }
        String guessed = URLConnection.guessContentTypeFromName(name.toLowerCase(Locale.ROOT));
        if (guessed == null && name.toLowerCase(Locale.ROOT).endsWith(".pdf")) {
            guessed = "application/pdf";
        }
        return guessed == null ? "application/octet-stream" : guessed;
    }

    private static Reply notFound() {
        return Reply.error(404, "itemNotFound", "The resource could not be found.");
    }

    private static int intQuery(Request r, String name, int fallback) {
        try {
            String v = r.query(name);
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Copies at most {@code limit} bytes in small buffers; returns how many came (up to the limit). */
    private static long copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        int n;
        while (total < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) > 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }
}
