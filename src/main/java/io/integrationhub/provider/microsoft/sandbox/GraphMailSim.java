package io.integrationhub.provider.microsoft.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Reply;
import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Request;

/**
 * Graph mail of the simulator (providers.md §1.4), for the signed-in user's mailbox:
 * <ul>
 * <li>{@code GET /me/mailFolders}, and message delta per folder: {@code GET /me/mailFolders/{folder}/messages/delta}
 * (also {@code mailFolders('inbox')}) with {@code $select}, {@code $expand=singleValueExtendedProperties($filter=id eq
 * '…')}, {@code $filter=receivedDateTime ge …}, {@code Prefer: odata.maxpagesize=n} and
 * {@code outlook.body-content-type="text"}; pages carry {@code @odata.nextLink} ({@code $skiptoken}) until the last,
 * which carries {@code @odata.deltaLink} ({@code $deltatoken}); messages that left the folder come back as
 * {@code {"id", "@removed":{"reason":"deleted"}}}; a token from before {@link #expireDeltaTokens()} answers
 * {@code 410 SyncStateNotFound}.</li>
 * <li>{@code GET /me/messages/{id}}, {@code DELETE /me/messages/{id}} (moves to Deleted Items).</li>
 * <li>Attachments: {@code GET /me/messages/{id}/attachments} (fileAttachments with {@code contentBytes} unless
 * {@code $select} leaves it out), {@code GET …/attachments/{aid}}, and the raw content at {@code …/$value}. As in
 * Graph, an attachment's {@code size} is the size of the attachment item, a little more than its content.</li>
 * <li>{@code POST /me/sendMail}: JSON ({@code message}, {@code saveToSentItems}) or MIME (base64 in
 * {@code text/plain}) → {@code 202}, empty body; the message is put into Sent Items unless
 * {@code saveToSentItems} is false, and a recipient that is the mailbox itself also gets it in the Inbox. Bad
 * base64 → {@code 400 ErrorMimeContentInvalidBase64String}.</li>
 * </ul>
 * Tests and the sandbox add mail with {@link #receive} (also notifies the inbox's subscribers, as Graph would) or
 * {@link #put} (stores only). Attachment contents live in files under the simulator's storage.
 */
public final class GraphMailSim {

    /** The mailbox owner's address (also {@code /me}'s {@code mail}). */
    public static final String ME = "sandbox@contoso.example";
    public static final String ME_NAME = "Sandbox User";
    /** Graph's attachment item is larger than its content by its properties; the simulator adds this much. */
    static final int ATTACHMENT_OVERHEAD = 212;

    private static final List<String> WELL_KNOWN = List.of("inbox", "sentitems", "drafts", "deleteditems", "archive",
            "junkemail", "outbox");
    private static final Pattern DELTA = Pattern.compile("/me/mailFolders(?:/([^/()]+)|\\('([^']+)'\\))/messages/delta");
    private static final Pattern EXPAND_FILTER = Pattern.compile(
            "singleValueExtendedProperties\\(\\$filter=id eq '([^']+)'\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern RECEIVED_FILTER = Pattern.compile("receivedDateTime (ge|gt) (\\S+)");

    /** An attachment of a message to be added: content from bytes or from a file (large ones). */
    public record AttachmentSpec(String name, String contentType, byte[] content, Path file, boolean inline) {

        public static AttachmentSpec of(String name, String contentType, byte[] content) {
            return new AttachmentSpec(name, contentType, content, null, false);
        }

        /** A generated attachment of {@code size} bytes, written to a file (never held in memory). */
        public static AttachmentSpec ofSize(Path folder, String name, String contentType, long size) {
            try {
                Files.createDirectories(folder);
                Path file = Files.createTempFile(folder, "att", ".bin");
                byte[] block = new byte[64 * 1024];
                for (int i = 0; i < block.length; i++) {
                    block[i] = (byte) ('a' + i % 26);
                }
                try (OutputStream out = Files.newOutputStream(file)) {
                    for (long left = size; left > 0; left -= block.length) {
                        out.write(block, 0, (int) Math.min(block.length, left));
                    }
                }
                return new AttachmentSpec(name, contentType, null, file, false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * A message to add. {@code conversationId} null starts a new conversation; {@code extendedProperties} maps a
     * single-value extended property id (e.g. {@code String {guid} Name X}) to its value.
     */
    public record Incoming(String fromAddress, String fromName, List<String> to, List<String> cc, String subject,
            String htmlBody, String conversationId, List<AttachmentSpec> attachments, Map<String, String> extendedProperties) {

        public static Incoming of(String fromAddress, String subject, String htmlBody) {
            return new Incoming(fromAddress, null, List.of(ME), List.of(), subject, htmlBody, null, List.of(), Map.of());
        }

        public Incoming withAttachments(AttachmentSpec... specs) {
            return new Incoming(fromAddress, fromName, to, cc, subject, htmlBody, conversationId, List.of(specs),
                    extendedProperties);
        }

        public Incoming inConversation(String id) {
            return new Incoming(fromAddress, fromName, to, cc, subject, htmlBody, id, attachments, extendedProperties);
        }

        public Incoming withTo(List<String> addresses) {
            return new Incoming(fromAddress, fromName, addresses, cc, subject, htmlBody, conversationId, attachments,
                    extendedProperties);
        }

        public Incoming withCc(List<String> addresses) {
            return new Incoming(fromAddress, fromName, to, addresses, subject, htmlBody, conversationId, attachments,
                    extendedProperties);
        }
    }

    private record StoredAttachment(String id, String name, String contentType, boolean inline, Path file, long length,
            Instant modified) {
    }

    private static final class Message {
        final String id;
        String folder;
        long seq;
        final ObjectNode json;
        final List<StoredAttachment> attachments;
        final Map<String, String> extended;

        Message(String id, String folder, ObjectNode json, List<StoredAttachment> attachments, Map<String, String> extended) {
            this.id = id;
            this.folder = folder;
            this.json = json;
            this.attachments = attachments;
            this.extended = extended;
        }
    }

    private final GraphSimulator sim;
    private final Object lock = new Object();
    private final Map<String, Message> messages = new LinkedHashMap<>();
    /** folder → message id → the change number at which the message left the folder. */
    private final Map<String, Map<String, Long>> removed = new LinkedHashMap<>();
    private final Map<String, String> folderNames = new LinkedHashMap<>();
    private long seq;
    private int epoch;

    GraphMailSim(GraphSimulator sim) {
        this.sim = sim;
        for (String name : WELL_KNOWN) {
            folderNames.put(name, name);
        }
        sim.on("GET", "/me/mailFolders", (r, m) -> folders());
        sim.on("GET", "/me/mailFolders/([^/()]+)", (r, m) -> folder(m.group(1)));
        // Folders here have no children (childFolderCount 0): the list is empty, as Graph answers for a leaf.
        sim.on("GET", "/me/mailFolders/([^/()]+)/childFolders", (r, m) -> {
            Reply parent = folder(m.group(1));
            return parent.status() != 200 ? parent : childless();
        });
        sim.on("GET", DELTA.pattern(), (r, m) -> delta(r, m.group(1) != null ? m.group(1) : m.group(2)));
        sim.on("GET", "/me/messages/([^/]+)", (r, m) -> getMessage(r, m.group(1)));
        sim.on("DELETE", "/me/messages/([^/]+)", (r, m) -> deleteMessage(m.group(1)));
        sim.on("GET", "/me/messages/([^/]+)/attachments", (r, m) -> attachments(r, m.group(1)));
        sim.on("GET", "/me/messages/([^/]+)/attachments/([^/]+)", (r, m) -> attachment(m.group(1), m.group(2)));
        sim.on("GET", "/me/messages/([^/]+)/attachments/([^/]+)/\\$value", (r, m) -> attachmentValue(m.group(1), m.group(2)));
        sim.on("POST", "/me/sendMail", (r, m) -> sendMail(r));
    }

    // --- helpers for tests and the sandbox ---

    /** Delivers a message into the Inbox and notifies the Inbox's subscribers ({@code created}), as Graph would. */
    public String receive(Incoming incoming) {
        String id = put("inbox", incoming);
        sim.part(GraphSubscriptionsSim.class).notify("me/mailFolders('inbox')/messages", "created", id);
        return id;
    }

    /** Stores a message in a folder (well-known name or id) without notifying anyone; returns its id. */
    public String put(String folder, Incoming in) {
        synchronized (lock) {
            String folderId = resolve(folder);
            if (folderId == null) {
                throw new IllegalArgumentException("no folder " + folder);
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            String id = GraphSimulator.newId();
            List<StoredAttachment> stored = store(in.attachments());
            ObjectNode json = newMessage(id, folderId, now, in.fromAddress(), in.fromName(), in.to(), in.cc(), in.subject(),
                    "html", in.htmlBody(), in.conversationId(), "<" + UUID.randomUUID() + "@" + domain(in.fromAddress()) + ">",
                    !stored.isEmpty(), !"sentitems".equals(folderId));
            Message message = new Message(id, folderId, json, stored, new LinkedHashMap<>(in.extendedProperties()));
            messages.put(id, message);
            touch(message);
            return id;
        }
    }

    /** A user-created folder; returns its id (usable in the connection's {@code mail.folders}). */
    public String addFolder(String displayName) {
        synchronized (lock) {
            String id = "AAMkF" + GraphSimulator.newId();
            folderNames.put(id, displayName);
            return id;
        }
    }

    /** Removes a message as a user deleting it for good would (it leaves its folder). */
    public void delete(String id) {
        synchronized (lock) {
            Message message = messages.remove(id);
            if (message != null) {
                removed.computeIfAbsent(message.folder, f -> new LinkedHashMap<>()).put(id, ++seq);
            }
        }
    }

    /** Marks a message read (an "updated" change in delta). */
    public void markRead(String id) {
        synchronized (lock) {
            Message message = messages.get(id);
            message.json.put("isRead", true);
            touch(message);
        }
    }

    /** A message as Graph would answer it (all properties), or null. */
    public ObjectNode message(String id) {
        synchronized (lock) {
            Message message = messages.get(id);
            return message == null ? null : render(message, null, null, false);
        }
    }

    /** Messages currently in a folder, oldest change first. */
    public List<ObjectNode> messages(String folder) {
        synchronized (lock) {
            String folderId = resolve(folder);
            return messages.values().stream().filter(m -> m.folder.equals(folderId)).sorted(Comparator.comparingLong(m -> m.seq))
                    .map(m -> render(m, null, null, false)).toList();
        }
    }

    /** The ids of a message's attachments, in order. */
    public List<String> attachmentIds(String id) {
        synchronized (lock) {
            Message message = messages.get(id);
            return message == null ? List.of() : message.attachments.stream().map(StoredAttachment::id).toList();
        }
    }

    /** The extended properties stored with a message (what {@code $expand=singleValueExtendedProperties} returns). */
    public Map<String, String> extendedProperties(String id) {
        synchronized (lock) {
            Message message = messages.get(id);
            return message == null ? Map.of() : Map.copyOf(message.extended);
        }
    }

    /** Every delta token and skip token issued so far stops working ({@code 410 SyncStateNotFound}). */
    public void expireDeltaTokens() {
        synchronized (lock) {
            epoch++;
        }
    }

    /** Empties the mailbox (tests start from a known state); issued tokens stop working. */
    public void clear() {
        synchronized (lock) {
            messages.clear();
            removed.clear();
            epoch++;
        }
    }

    // --- Graph endpoints ---

    private Reply childless() {
        ObjectNode root = sim.mapper().createObjectNode();
        root.putArray("value");
        return Reply.json(200, root);
    }

    private Reply folder(String id) {
        synchronized (lock) {
            String key = resolve(id);
            if (key == null) {
                return Reply.error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
            }
            long total = messages.values().stream().filter(msg -> msg.folder.equals(key)).count();
            ObjectNode f = sim.mapper().createObjectNode();
            f.put("id", key).put("displayName", displayName(folderNames.get(key))).put("parentFolderId", "root")
                    .put("childFolderCount", 0).put("unreadItemCount", 0).put("totalItemCount", total);
            return Reply.json(200, f);
        }
    }

    private Reply folders() {
        synchronized (lock) {
            ObjectNode root = sim.mapper().createObjectNode();
            root.put("@odata.context", sim.baseUrl() + "/$metadata#users('me')/mailFolders");
            ArrayNode value = root.putArray("value");
            folderNames.forEach((id, name) -> {
                long total = messages.values().stream().filter(m -> m.folder.equals(id)).count();
                value.addObject().put("id", id).put("displayName", displayName(name)).put("parentFolderId", "root")
                        .put("childFolderCount", 0).put("unreadItemCount", 0).put("totalItemCount", total);
            });
            return Reply.json(200, root);
        }
    }

    private Reply delta(Request r, String folder) {
        synchronized (lock) {
            String folderId = resolve(folder);
            if (folderId == null) {
                return Reply.error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
            }
            ObjectNode state;
            String skip = r.query("$skiptoken");
            String deltaToken = r.query("$deltatoken");
            if (skip != null || deltaToken != null) {
                try {
                    state = (ObjectNode) sim.mapper().readTree(Base64.getUrlDecoder().decode(skip != null ? skip : deltaToken));
                } catch (IOException | IllegalArgumentException | ClassCastException e) {
                    return Reply.error(400, "BadRequest", "The delta token is malformed.");
                }
                if (state.path("e").asInt() != epoch || !folderId.equals(state.path("f").asText())) {
                    return Reply.error(410, "SyncStateNotFound", "The sync state generation is not found; generation="
                            + state.path("e").asInt() + ";[highest=" + epoch + "].");
                }
                if (deltaToken != null) {
                    // A new round: changes after the token's snapshot, up to now.
                    long previous = state.path("upTo").asLong();
                    state.put("since", previous).put("upTo", seq).put("after", previous);
                }
            } else {
                state = sim.mapper().createObjectNode();
                state.put("e", epoch).put("f", folderId).put("since", -1).put("upTo", seq).put("after", -1);
                state.put("select", r.query("$select"));
                state.put("expand", r.query("$expand"));
                String filter = r.query("$filter");
                if (filter != null) {
                    Matcher fm = RECEIVED_FILTER.matcher(filter);
                    try {
                        if (!fm.matches()) {
                            throw new DateTimeParseException("unsupported", filter, 0);
                        }
                        OffsetDateTime.parse(fm.group(2));
                    } catch (DateTimeParseException e) {
                        return Reply.error(400, "ErrorInvalidUrlQueryFilter", "The query filter '" + filter
                                + "' is not supported on delta.");
                    }
                    state.put("filter", filter);
                }
            }
            int pageSize = pageSize(r.header("Prefer"));
            boolean text = preferText(r.header("Prefer"));
            long since = state.path("since").asLong();
            long upTo = state.path("upTo").asLong();
            long after = state.path("after").asLong();
            boolean initial = since < 0;
            record Entry(long seq, Message message, String removedId) {
            }
            List<Entry> entries = new ArrayList<>();
            for (Message m : messages.values()) {
                if (m.folder.equals(folderId) && m.seq > Math.max(since, after) && m.seq <= upTo && passes(m, state)) {
                    entries.add(new Entry(m.seq, m, null));
                }
            }
            if (!initial) {
                removed.getOrDefault(folderId, Map.of()).forEach((id, at) -> {
                    Message now = messages.get(id);
                    if (at > Math.max(since, after) && at <= upTo && (now == null || !now.folder.equals(folderId))) {
                        entries.add(new Entry(at, null, id));
                    }
                });
            }
            entries.sort(Comparator.comparingLong(Entry::seq));
            ObjectNode root = sim.mapper().createObjectNode();
            root.put("@odata.context", sim.baseUrl() + "/$metadata#Collection(message)");
            ArrayNode value = root.putArray("value");
            String base = sim.baseUrl() + "/me/mailFolders/" + folderId + "/messages/delta?";
            List<Entry> page = entries.subList(0, Math.min(pageSize, entries.size()));
            for (Entry e : page) {
                if (e.message() != null) {
                    value.add(render(e.message(), state.path("select").asText(null), state.path("expand").asText(null), text));
                } else {
                    value.addObject().put("@odata.type", "#microsoft.graph.message").put("id", e.removedId())
                            .putObject("@removed").put("reason", "deleted");
                }
            }
            if (entries.size() > page.size()) {
                ObjectNode next = state.deepCopy();
                next.put("after", page.get(page.size() - 1).seq());
                root.put("@odata.nextLink", base + "$skiptoken=" + token(next));
            } else {
                ObjectNode done = state.deepCopy();
                done.remove("after");
                root.put("@odata.deltaLink", base + "$deltatoken=" + token(done));
            }
            return Reply.json(200, root).with("Preference-Applied", "odata.maxpagesize=" + pageSize);
        }
    }

    private Reply getMessage(Request r, String id) {
        synchronized (lock) {
            Message m = messages.get(id);
            return m == null ? notFound() : Reply.json(200, render(m, r.query("$select"), r.query("$expand"),
                    preferText(r.header("Prefer"))));
        }
    }

    private Reply deleteMessage(String id) {
        synchronized (lock) {
            Message m = messages.get(id);
            if (m == null) {
                return notFound();
            }
            removed.computeIfAbsent(m.folder, f -> new LinkedHashMap<>()).put(id, ++seq);
            m.folder = "deleteditems";
            m.json.put("parentFolderId", "deleteditems");
            touch(m);
            return Reply.empty(204);
        }
    }

    private Reply attachments(Request r, String messageId) throws IOException {
        synchronized (lock) {
            Message m = messages.get(messageId);
            if (m == null) {
                return notFound();
            }
            String select = r.query("$select");
            ObjectNode root = sim.mapper().createObjectNode();
            root.put("@odata.context", sim.baseUrl() + "/$metadata#users('me')/messages('" + messageId + "')/attachments");
            ArrayNode value = root.putArray("value");
            for (StoredAttachment a : m.attachments) {
                value.add(renderAttachment(a, select == null || selects(select, "contentBytes")));
            }
            if (select != null) {
                for (JsonNode a : value) {
                    ((ObjectNode) a).retain(selected(select, "@odata.type", "@odata.mediaContentType", "id"));
                }
            }
            return Reply.json(200, root);
        }
    }

    private Reply attachment(String messageId, String attachmentId) throws IOException {
        synchronized (lock) {
            StoredAttachment a = findAttachment(messageId, attachmentId);
            return a == null ? notFound() : Reply.json(200, renderAttachment(a, true));
        }
    }

    private Reply attachmentValue(String messageId, String attachmentId) {
        synchronized (lock) {
            StoredAttachment a = findAttachment(messageId, attachmentId);
            return a == null ? notFound() : Reply.file(a.file(), a.contentType());
        }
    }

    private Reply sendMail(Request r) throws IOException {
        String type = r.header("Content-Type") == null ? "" : r.header("Content-Type").toLowerCase(Locale.ROOT);
        if (type.startsWith("text/plain")) {
            return sendMime(r.bytes());
        }
        JsonNode body;
        try {
            body = r.json(sim.mapper());
        } catch (IOException e) {
            return Reply.error(400, "RequestBodyRead", "The request body is not valid JSON.");
        }
        JsonNode message = body.path("message");
        if (!message.isObject()) {
            return Reply.error(400, "ErrorInvalidRequest", "The 'message' parameter is missing.");
        }
        List<String> to = addresses(message.path("toRecipients"));
        List<String> cc = addresses(message.path("ccRecipients"));
        if (to.isEmpty() && cc.isEmpty() && addresses(message.path("bccRecipients")).isEmpty()) {
            return Reply.error(400, "ErrorInvalidRecipients", "At least one recipient isn't valid., A message can't be sent "
                    + "because it contains no recipients.");
        }
        List<AttachmentSpec> specs = new ArrayList<>();
        for (JsonNode a : message.path("attachments")) {
            if (!"#microsoft.graph.fileAttachment".equals(a.path("@odata.type").asText())) {
                return Reply.error(400, "ErrorInvalidRequest", "Only fileAttachment is supported by this simulator.");
            }
            byte[] content;
            try {
                content = Base64.getDecoder().decode(a.path("contentBytes").asText(""));
            } catch (IllegalArgumentException e) {
                return Reply.error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
            }
            specs.add(new AttachmentSpec(a.path("name").asText("attachment"), a.path("contentType").asText(
                    "application/octet-stream"), content, null, a.path("isInline").asBoolean(false)));
        }
        Map<String, String> extended = new LinkedHashMap<>();
        for (JsonNode p : message.path("singleValueExtendedProperties")) {
            extended.put(p.path("id").asText(), p.path("value").asText());
        }
        String contentType = message.path("body").path("contentType").asText("text");
        String content = message.path("body").path("content").asText("");
        String html = "html".equalsIgnoreCase(contentType) ? content : "<html><body>" + escape(content) + "</body></html>";
        deliverSent(message.path("subject").asText(""), html, to, cc, specs, extended,
                !body.has("saveToSentItems") || body.path("saveToSentItems").asBoolean(true));
        return Reply.empty(202);
    }

    /** MIME format: the whole message base64-encoded in a text/plain body. Only Subject, To, Cc and the text are read. */
    private Reply sendMime(byte[] raw) {
        byte[] mime;
        try {
            mime = Base64.getMimeDecoder().decode(new String(raw, StandardCharsets.US_ASCII).trim());
            if (mime.length == 0) {
                throw new IllegalArgumentException("empty");
            }
        } catch (IllegalArgumentException e) {
            return Reply.error(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
        }
        String text = new String(mime, StandardCharsets.UTF_8).replace("\r\n", "\n");
        int split = text.indexOf("\n\n");
        String head = split < 0 ? text : text.substring(0, split);
        String content = split < 0 ? "" : text.substring(split + 2);
        String subject = "";
        List<String> to = new ArrayList<>();
        List<String> cc = new ArrayList<>();
        for (String line : head.split("\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("subject:")) {
                subject = line.substring(8).trim();
            } else if (lower.startsWith("to:")) {
                to.addAll(mimeAddresses(line.substring(3)));
            } else if (lower.startsWith("cc:")) {
                cc.addAll(mimeAddresses(line.substring(3)));
            }
        }
        if (to.isEmpty() && cc.isEmpty()) {
            return Reply.error(400, "ErrorInvalidRecipients", "A message can't be sent because it contains no recipients.");
        }
        deliverSent(subject, "<html><body>" + escape(content) + "</body></html>", to, cc, List.of(), Map.of(), true);
        return Reply.empty(202);
    }

    private void deliverSent(String subject, String html, List<String> to, List<String> cc, List<AttachmentSpec> specs,
            Map<String, String> extended, boolean saveToSentItems) {
        List<String> notifyInbox = new ArrayList<>();
        List<String> notifySent = new ArrayList<>();
        synchronized (lock) {
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            String conversation = conversationId();
            String internetId = "<" + UUID.randomUUID() + "@contoso.example>";
            if (saveToSentItems) {
                String id = GraphSimulator.newId();
                List<StoredAttachment> stored = store(specs);
                ObjectNode json = newMessage(id, "sentitems", now, ME, ME_NAME, to, cc, subject, "html", html, conversation,
                        internetId, !stored.isEmpty(), false);
                Message m = new Message(id, "sentitems", json, stored, new LinkedHashMap<>(extended));
                messages.put(id, m);
                touch(m);
                notifySent.add(id);
            }
            Set<String> all = new HashSet<>();
            to.forEach(a -> all.add(a.toLowerCase(Locale.ROOT)));
            cc.forEach(a -> all.add(a.toLowerCase(Locale.ROOT)));
            if (all.contains(ME)) {
                String id = GraphSimulator.newId();
                List<StoredAttachment> stored = store(specs);
                ObjectNode json = newMessage(id, "inbox", now, ME, ME_NAME, to, cc, subject, "html", html, conversation,
                        internetId, !stored.isEmpty(), true);
                Message m = new Message(id, "inbox", json, stored, new LinkedHashMap<>());
                messages.put(id, m);
                touch(m);
                notifyInbox.add(id);
            }
        }
        GraphSubscriptionsSim subscriptions = sim.part(GraphSubscriptionsSim.class);
        notifySent.forEach(id -> subscriptions.notify("me/mailFolders('sentitems')/messages", "created", id));
        notifyInbox.forEach(id -> subscriptions.notify("me/mailFolders('inbox')/messages", "created", id));
    }

    // --- rendering and state ---

    private ObjectNode newMessage(String id, String folderId, Instant now, String fromAddress, String fromName,
            List<String> to, List<String> cc, String subject, String bodyType, String body, String conversationId,
            String internetMessageId, boolean hasAttachments, boolean received) {
        ObjectNode json = sim.mapper().createObjectNode();
        json.put("@odata.type", "#microsoft.graph.message");
        json.put("id", id);
        json.put("createdDateTime", now.toString());
        json.put("lastModifiedDateTime", now.toString());
        json.put("changeKey", "CQAAABYAAAC" + Long.toHexString(seq + 1));
        json.putArray("categories");
        json.put("receivedDateTime", now.toString());
        json.put("sentDateTime", now.minusSeconds(received ? 2 : 0).toString());
        json.put("hasAttachments", hasAttachments);
        json.put("internetMessageId", internetMessageId);
        json.put("subject", subject);
        json.put("bodyPreview", preview(toText(body)));
        json.put("importance", "normal");
        json.put("parentFolderId", folderId);
        json.put("conversationId", conversationId != null ? conversationId : conversationId());
        json.put("isRead", !received);
        json.put("isDraft", false);
        json.put("webLink", "https://outlook.office365.com/owa/?ItemID=" + id + "&exvsurl=1&viewmodel=ReadMessageItem");
        json.putObject("body").put("contentType", bodyType).put("content", body == null ? "" : body);
        ObjectNode from = sim.mapper().createObjectNode();
        from.putObject("emailAddress").put("name", fromName != null ? fromName : fromAddress).put("address", fromAddress);
        json.set("sender", from.deepCopy());
        json.set("from", from);
        json.set("toRecipients", recipients(to));
        json.set("ccRecipients", recipients(cc));
        json.putArray("bccRecipients");
        json.putArray("replyTo");
        json.putObject("flag").put("flagStatus", "notFlagged");
        return json;
    }

    private ObjectNode render(Message m, String select, String expand, boolean text) {
        ObjectNode out = m.json.deepCopy();
        out.put("@odata.etag", "W/\"" + out.path("changeKey").asText() + "\"");
        if (text && "html".equals(out.path("body").path("contentType").asText())) {
            ((ObjectNode) out.get("body")).put("contentType", "text").put("content", toText(out.path("body").path("content")
                    .asText()));
        }
        if (select != null) {
            out.retain(selected(select, "@odata.type", "@odata.etag", "id"));
        }
        if (expand != null) {
            Matcher em = EXPAND_FILTER.matcher(expand);
            if (em.find()) {
                ArrayNode props = sim.mapper().createArrayNode();
                m.extended.forEach((id, value) -> {
                    if (id.equalsIgnoreCase(em.group(1))) {
                        props.addObject().put("id", id).put("value", value);
                    }
                });
                if (!props.isEmpty()) {
                    out.set("singleValueExtendedProperties", props);
                }
            }
        }
        return out;
    }

    private ObjectNode renderAttachment(StoredAttachment a, boolean withContent) throws IOException {
        ObjectNode out = sim.mapper().createObjectNode();
        out.put("@odata.type", "#microsoft.graph.fileAttachment");
        out.put("@odata.mediaContentType", a.contentType());
        out.put("id", a.id());
        out.put("lastModifiedDateTime", a.modified().toString());
        out.put("name", a.name());
        out.put("contentType", a.contentType());
        out.put("size", a.length() + ATTACHMENT_OVERHEAD);
        out.put("isInline", a.inline());
        out.putNull("contentId");
        out.putNull("contentLocation");
        if (withContent) {
            out.put("contentBytes", Base64.getEncoder().encodeToString(Files.readAllBytes(a.file())));
        }
        return out;
    }

    private List<StoredAttachment> store(List<AttachmentSpec> specs) {
        List<StoredAttachment> stored = new ArrayList<>();
        try {
            Path folder = sim.storage().resolve("mail");
            Files.createDirectories(folder);
            for (AttachmentSpec spec : specs) {
                String id = "AAMkA" + GraphSimulator.newId();
                Path file = folder.resolve(id);
                if (spec.file() != null) {
                    Files.copy(spec.file(), file);
                } else {
                    Files.write(file, spec.content());
                }
                stored.add(new StoredAttachment(id, spec.name(), spec.contentType() == null ? "application/octet-stream"
                        : spec.contentType(), spec.inline(), file, Files.size(file), Instant.now().truncatedTo(ChronoUnit.SECONDS)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return stored;
    }

    private StoredAttachment findAttachment(String messageId, String attachmentId) {
        Message m = messages.get(messageId);
        return m == null ? null : m.attachments.stream().filter(a -> a.id().equals(attachmentId)).findFirst().orElse(null);
    }

    private void touch(Message m) {
        m.seq = ++seq;
        m.json.put("lastModifiedDateTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.json.put("changeKey", "CQAAABYAAAC" + Long.toHexString(m.seq));
        m.json.put("parentFolderId", m.folder);
    }

    private boolean passes(Message m, ObjectNode state) {
        String filter = state.path("filter").asText(null);
        if (filter == null) {
            return true;
        }
        Matcher fm = RECEIVED_FILTER.matcher(filter);
        if (!fm.matches()) {
            return true;
        }
        Instant bound = OffsetDateTime.parse(fm.group(2)).toInstant();
        Instant received = Instant.parse(m.json.path("receivedDateTime").asText());
        return "ge".equals(fm.group(1)) ? !received.isBefore(bound) : received.isAfter(bound);
    }

    private String resolve(String folder) {
        if (folder == null) {
            return null;
        }
        String lower = folder.toLowerCase(Locale.ROOT);
        if (folderNames.containsKey(lower)) {
            return lower;
        }
        return folderNames.containsKey(folder) ? folder : null;
    }

    private static String displayName(String name) {
        return switch (name) {
            case "inbox" -> "Inbox";
            case "sentitems" -> "Sent Items";
            case "drafts" -> "Drafts";
            case "deleteditems" -> "Deleted Items";
            case "archive" -> "Archive";
            case "junkemail" -> "Junk Email";
            case "outbox" -> "Outbox";
            default -> name;
        };
    }

    private ArrayNode recipients(List<String> addresses) {
        ArrayNode out = sim.mapper().createArrayNode();
        for (String a : addresses == null ? List.<String>of() : addresses) {
            out.addObject().putObject("emailAddress").put("name", a).put("address", a);
        }
        return out;
    }

    private static List<String> addresses(JsonNode recipients) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : recipients) {
            String a = r.path("emailAddress").path("address").asText("");
            if (!a.isBlank()) {
                out.add(a);
            }
        }
        return out;
    }

    private static List<String> mimeAddresses(String header) {
        List<String> out = new ArrayList<>();
        for (String part : header.split(",")) {
            Matcher angle = Pattern.compile("<([^>]+)>").matcher(part);
            String a = angle.find() ? angle.group(1) : part.trim();
            if (a.contains("@")) {
                out.add(a);
            }
        }
        return out;
    }

    private static String[] selected(String select, String... always) {
        List<String> fields = new ArrayList<>(List.of(always));
        for (String f : select.split(",")) {
            fields.add(f.trim());
        }
        return fields.toArray(String[]::new);
    }

    private static boolean selects(String select, String field) {
        for (String f : select.split(",")) {
            if (f.trim().equalsIgnoreCase(field)) {
                return true;
            }
        }
        return false;
    }

    private static int pageSize(String prefer) {
        if (prefer != null) {
            Matcher m = Pattern.compile("odata\\.maxpagesize=(\\d+)").matcher(prefer);
            if (m.find()) {
                return Math.max(1, Math.min(1000, Integer.parseInt(m.group(1))));
            }
        }
        return 10;
    }

    private static boolean preferText(String prefer) {
        return prefer != null && prefer.toLowerCase(Locale.ROOT).contains("outlook.body-content-type=\"text\"");
    }

    private String token(ObjectNode state) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(state.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String conversationId() {
        return "AAQkA" + GraphSimulator.newId();
    }

    private static String domain(String address) {
        int at = address == null ? -1 : address.indexOf('@');
        return at < 0 ? "contoso.example" : address.substring(at + 1);
    }

    private static String toText(String html) {
        if (html == null) {
            return "";
        }
        return html.replaceAll("(?is)<(script|style)[^>]*>.*?</\\1>", " ").replaceAll("(?i)<br\\s*/?>|</p>|</div>", "\n")
                .replaceAll("<[^>]+>", "").replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&quot;", "\"").replace("&amp;", "&").replaceAll("[ \\t]+", " ").trim();
    }

    private static String preview(String text) {
        String flat = text.replaceAll("\\s+", " ").trim();
        return flat.length() > 255 ? flat.substring(0, 255) : flat;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static Reply notFound() {
        return Reply.error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
    }
}
