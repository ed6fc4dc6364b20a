package io.integrationhub.provider.microsoft.mail;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.family.FamilyMappings;
import io.integrationhub.platform.sync.SyncContext;
import io.integrationhub.platform.sync.SyncSource;
import io.integrationhub.platform.tenancy.TenantJdbc;
import io.integrationhub.provider.microsoft.graph.GraphClient.GraphException;
import io.integrationhub.provider.microsoft.graph.GraphClient.Reply;
import io.integrationhub.provider.microsoft.graph.GraphClient.Request;
import io.integrationhub.provider.microsoft.mail.OutlookMailLinks.Link;
import io.integrationhub.provider.microsoft.graph.GraphClient;

/**
 * Outlook capture ({@code outlook} / {@code email}): a message delta per captured folder
 * ({@code GET /me/mailFolders/{folder}/messages/delta}, providers.md §1.4) turned into {@code email} records.
 *
 * <p>Paging state is one JSON cursor: the folders of the run, the folder being read, its {@code @odata.nextLink},
 * and the {@code @odata.deltaLink} each finished folder gave. The last page hands the engine all delta links as the
 * next incremental position. A stale link ({@code 410 SyncStateNotFound}) restarts that folder from a fresh
 * enumeration. {@code @removed} entries become deleted records — unless the message has meanwhile shown up in
 * another captured folder (ids are immutable, {@code Prefer: IdType="ImmutableId"}, so a moved message keeps its
 * record). When Graph notified a change after the run began reading, the run reads the folders once more
 * ({@code hub.microsoft.mail.max-rounds}), so a notification folded into a running run is not lost.
 *
 * <p>Each message is matched to a job by the connection's rules ({@link OutlookMailRules}) in this order: the job
 * it was linked to before, the hub's own tag on mail it sent ({@link OutlookSendMail}), the job reference in the
 * subject, its conversation's job, and a sender or recipient address known for a job. Attachments are listed,
 * and those of job emails saved to OneDrive ({@link OutlookMailAttachments}). The record's shape is the family's
 * mapping file {@code routes/microsoft/mappings/message.jsonata}.
 */
@Component
public class OutlookMailSource implements SyncSource {

    private static final Logger LOG = LoggerFactory.getLogger(OutlookMailSource.class);

    static final String SELECT = "id,subject,from,toRecipients,ccRecipients,receivedDateTime,sentDateTime,bodyPreview,body,"
            + "conversationId,internetMessageId,hasAttachments,parentFolderId,lastModifiedDateTime,webLink";
    /** Enrichment the source adds to a raw message for {@link #map}: folder, job match, attachments (and, for the
     *  mapping only, the body as text). */
    static final String HUB = "@hub";

    private final GraphClient graph;
    private final OutlookMailRules rules;
    private final OutlookMailLinks links;
    private final OutlookMailAttachments attachments;
    private final OutlookMailSubscriptions subscriptions;
    private final OutlookMailProperties properties;
    private final TenantJdbc jdbc;
    private final ObjectMapper mapper;
    private final FamilyMappings mappings;

    /** The route applying routes/microsoft/mappings/message.jsonata (routes/microsoft/mappings.camel.yaml). */
    static final String MESSAGE_MAPPING = "direct:microsoft.mail.message-to-record";

    public OutlookMailSource(GraphClient graph, OutlookMailRules rules, OutlookMailLinks links,
            OutlookMailAttachments attachments, OutlookMailSubscriptions subscriptions, OutlookMailProperties properties,
            TenantJdbc jdbc, ObjectMapper mapper, FamilyMappings mappings) {
        this.graph = graph;
        this.rules = rules;
        this.links = links;
        this.attachments = attachments;
        this.subscriptions = subscriptions;
        this.properties = properties;
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.mappings = mappings;
    }

    @Override
    public String provider() {
        return OutlookMailRules.PROVIDER;
    }

    @Override
    public String entity() {
        return "email";
    }

    /** Where a run is: its folders, the one being read, and the delta links of the finished ones. */
    private static final class State {
        List<String> folders = new ArrayList<>();
        int index;
        String url;
        Map<String, String> links = new LinkedHashMap<>();
        int round = 1;
        Instant roundStart;
        List<String> restarted = new ArrayList<>();
    }

    @Override
    public Page fetchPage(SyncContext context, String cursor) throws Exception {
        OutlookMailRules.Rules rules = this.rules.rules(context.config());
        State state;
        if (cursor == null) {
            state = new State();
            state.folders.addAll(rules.folders());
            state.links.putAll(deltaLinks(context.since()));
            state.links.keySet().retainAll(state.folders);
            state.roundStart = Instant.now();
            subscriptions.ensureQuietly(context.tenantId(), context.connectionId());
        } else {
            state = read(cursor);
        }
        GraphClient.Session session = graph.session(context.http());
        while (true) {
            if (state.index >= state.folders.size()) {
                return finishRound(context, state, List.of());
            }
            String folder = state.folders.get(state.index);
            boolean fresh = state.url == null && !state.links.containsKey(folder);
            String url = state.url != null ? state.url : fresh ? initialUrl(folder, context) : state.links.get(folder);
            if (!fresh && !url.startsWith(graph.baseUrl() + "/")) {
                // Links come from Graph and from stored cursors: the bearer token must not follow one elsewhere
                // (e.g. after the API URL was changed); the folder is read afresh instead.
                LOG.warn("A delta link of folder {} of connection {} is not on the Graph API; reading the folder afresh",
                        folder, context.connectionId());
                state.links.remove(folder);
                state.url = null;
                continue;
            }
            Reply reply;
            try {
                reply = session.send(Request.of("GET", session.url(url)).header("Prefer", prefer()),
                        status -> status == 410 || status == 404);
            } catch (GraphException e) {
                if (!"syncstatenotfound".equalsIgnoreCase(String.valueOf(e.code()))) {
                    throw e;
                }
                reply = new Reply(410, Map.of(), "", mapper.createObjectNode());
            }
            if (reply.status() == 410) {
                if (fresh || state.restarted.contains(folder)) {
                    throw new IllegalStateException("Graph refused a fresh message delta of folder " + folder
                            + " (410 " + reply.errorCode() + ")");
                }
                LOG.info("Delta state of folder {} of connection {} expired ({}); reading the folder afresh", folder,
                        context.connectionId(), reply.errorCode());
                state.links.remove(folder);
                state.url = null;
                state.restarted.add(folder);
                continue;
            }
            if (reply.status() == 404) {
                LOG.warn("Mail folder {} of connection {} does not exist (any more); skipped", folder, context.connectionId());
                state.links.remove(folder);
                state.url = null;
                state.index++;
                continue;
            }
            JsonNode body = reply.json();
            List<JsonNode> items = enrich(context, rules, session, folder, body.path("value"));
            String next = body.path("@odata.nextLink").asText(null);
            if (next != null) {
                state.url = next;
                return Page.of(items, write(state));
            }
            String delta = body.path("@odata.deltaLink").asText(null);
            if (delta == null) {
                throw new IllegalStateException("a message delta page of folder " + folder + " had neither nextLink nor "
                        + "deltaLink");
            }
            state.links.put(folder, delta);
            state.url = null;
            state.index++;
            if (state.index < state.folders.size()) {
                return Page.of(items, write(state));
            }
            return finishRound(context, state, items);
        }
    }

    /** All folders read: another round if Graph notified a change since this round began, else the last page. */
    private Page finishRound(SyncContext context, State state, List<JsonNode> items) throws JsonProcessingException {
        Optional<Instant> notified = links.lastNotified(context.tenantId(), context.connectionId());
        if (state.round < properties.getMaxRounds() && notified.isPresent() && notified.get().isAfter(state.roundStart)) {
            state.round++;
            state.index = 0;
            state.url = null;
            state.roundStart = Instant.now();
            return Page.of(items, write(state));
        }
        ObjectNode position = mapper.createObjectNode();
        position.set("links", mapper.valueToTree(state.links));
        return new Page(items, null, null, position.toString());
    }

    private String initialUrl(String folder, SyncContext context) {
        StringBuilder url = new StringBuilder("/me/mailFolders").append(GraphClient.encodePath(folder))
                .append("/messages/delta?$select=").append(SELECT)
                .append("&$expand=").append(encode("singleValueExtendedProperties($filter=id eq '"
                        + OutlookSendMail.HUB_PROPERTY + "')"));
        Instant from = context.rangeFrom() != null ? context.rangeFrom()
                : "full".equals(context.mode()) ? null : Instant.now().minus(properties.getInitialWindow());
        if (from != null) {
            url.append("&$filter=").append(encode("receivedDateTime ge " + from.truncatedTo(ChronoUnit.SECONDS)));
        }
        return url.toString();
    }

    private String prefer() {
        return "odata.maxpagesize=" + properties.getPageSize() + ", outlook.body-content-type=\"text\", IdType=\"ImmutableId\"";
    }

    private List<JsonNode> enrich(SyncContext context, OutlookMailRules.Rules rules, GraphClient.Session session,
            String folder, JsonNode values) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (JsonNode item : values) {
            if (item.has("@removed")) {
                removed.add(item.path("id").asText());
                out.add(item);
                continue;
            }
            ObjectNode message = item.deepCopy();
            ObjectNode hub = message.putObject(HUB);
            hub.put("folder", folder);
            Link job = match(context, rules, message, hub);
            if (job != null) {
                hub.put("jobRef", job.jobRef()).put("jobRule", job.rule());
            }
            if (message.path("hasAttachments").asBoolean(false)) {
                hub.set("attachments", attachments.capture(context, session, message.path("id").asText(),
                        job == null ? null : job.jobRef(), rules.saveAttachments()));
            }
            out.add(message);
        }
        if (!removed.isEmpty()) {
            Map<String, String> elsewhere = foldersOfRecords(context, removed);
            out.removeIf(item -> item.has("@removed") && elsewhere.containsKey(item.path("id").asText())
                    && !folder.equals(elsewhere.get(item.path("id").asText())));
        }
        return out;
    }

    /** The job of a message by the connection's rules, remembered for the message and its conversation. */
    private Link match(SyncContext context, OutlookMailRules.Rules rules, ObjectNode message, ObjectNode hub) {
        UUID tenant = context.tenantId();
        UUID connection = context.connectionId();
        String id = message.path("id").asText();
        String conversation = message.path("conversationId").asText(null);
        HubTag tag = hubTag(message);
        if (tag != null && tag.sendId() != null) {
            hub.put("sendId", tag.sendId());
        }
        Link link = links.find(tenant, connection, OutlookMailLinks.MESSAGE, id).orElse(null);
        if (link == null && tag != null && tag.jobRef() != null) {
            link = new Link(tag.jobRef(), "sent");
        }
        if (link == null) {
            String job = rules.jobInSubject(message.path("subject").asText(null));
            link = job == null ? null : new Link(job, "subject");
        }
        if (link == null) {
            link = links.find(tenant, connection, OutlookMailLinks.CONVERSATION, conversation)
                    .map(l -> new Link(l.jobRef(), "conversation")).orElse(null);
        }
        if (link == null) {
            String job = rules.jobOfAddresses(addresses(message));
            link = job == null ? null : new Link(job, "address");
        }
        if (link != null) {
            links.linkIfAbsent(tenant, connection, OutlookMailLinks.MESSAGE, id, link);
            links.linkIfAbsent(tenant, connection, OutlookMailLinks.CONVERSATION, conversation, link);
        }
        return link;
    }

    private record HubTag(String sendId, String jobRef) {
    }

    /** The extended property {@link OutlookSendMail} stamps on what the hub sends. */
    private HubTag hubTag(JsonNode message) {
        for (JsonNode p : message.path("singleValueExtendedProperties")) {
            if (OutlookSendMail.HUB_PROPERTY.equalsIgnoreCase(p.path("id").asText())) {
                try {
                    JsonNode v = mapper.readTree(p.path("value").asText("{}"));
                    return new HubTag(v.path("sendId").asText(null), v.path("jobRef").asText(null));
                } catch (JsonProcessingException e) {
                    LOG.info("Unreadable hub tag on message {} ignored", message.path("id").asText());
                }
            }
        }
        return null;
    }

    private static List<String> addresses(JsonNode message) {
        List<String> out = new ArrayList<>();
        String from = message.path("from").path("emailAddress").path("address").asText(null);
        if (from != null) {
            out.add(from);
        }
        for (String field : new String[] {"toRecipients", "ccRecipients"}) {
            for (JsonNode r : message.path(field)) {
                String a = r.path("emailAddress").path("address").asText(null);
                if (a != null) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** The captured folder each of these messages' records is in now. */
    private Map<String, String> foldersOfRecords(SyncContext context, List<String> ids) {
        Map<String, String> out = new HashMap<>();
        jdbc.query(context.tenantId(), "SELECT external_id, data FROM records WHERE tenant_id = :tenantId AND connection_id = "
                + ":connectionId AND model = 'email' AND deleted = FALSE AND external_id IN (:ids)",
                Map.of("connectionId", context.connectionId(), "ids", ids), (rs, n) -> {
                    try {
                        out.put(rs.getString(1), mapper.readTree(rs.getString(2)).path("folder").asText(""));
                    } catch (JsonProcessingException e) {
                        out.put(rs.getString(1), "");
                    }
                    return null;
                });
        return out;
    }

    @Override
    public Mapped map(JsonNode raw) {
        String id = raw.path("id").asText(null);
        if (raw.has("@removed")) {
            return new Mapped(id, null, null, true);
        }
        // The shape of the record is routes/microsoft/mappings/message.jsonata (route microsoft.mail.message-to-record);
        // reading the body as text, within the configured length, is the capture's: it goes to the mapping in @hub.
        ObjectNode input = raw.deepCopy();
        ObjectNode hub = input.path(HUB).isObject() ? (ObjectNode) input.get(HUB) : input.putObject(HUB);
        String body = bodyText(raw.path("body"));
        if (body.length() > properties.getMaxBodyChars()) {
            hub.put("bodyText", body.substring(0, properties.getMaxBodyChars()));
            hub.put("bodyTruncated", true);
        } else {
            hub.put("bodyText", body);
        }
        return mappings.record(MESSAGE_MAPPING, input);
    }

    /** Graph sends text when asked ({@code outlook.body-content-type="text"}); an HTML body is reduced to its text. */
    static String bodyText(JsonNode body) {
        String content = body.path("content").asText("");
        if (!"html".equalsIgnoreCase(body.path("contentType").asText("text"))) {
            return content.trim();
        }
        return content.replaceAll("(?is)<(script|style)[^>]*>.*?</\\1>", " ").replaceAll("(?i)<br\\s*/?>|</p>|</div>", "\n")
                .replaceAll("<[^>]+>", "").replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&").replaceAll("[ \\t]+", " ").trim();
    }

    private Map<String, String> deltaLinks(String since) {
        Map<String, String> out = new LinkedHashMap<>();
        if (since == null || !since.startsWith("{")) {
            return out;
        }
        try {
            mapper.readTree(since).path("links").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        } catch (JsonProcessingException e) {
            LOG.info("Stored mail delta position unreadable; folders are read afresh");
        }
        return out;
    }

    private String write(State state) throws JsonProcessingException {
        ObjectNode node = mapper.createObjectNode();
        node.set("folders", mapper.valueToTree(state.folders));
        node.put("index", state.index);
        node.put("url", state.url);
        node.set("links", mapper.valueToTree(state.links));
        node.put("round", state.round);
        node.put("roundStart", state.roundStart.toString());
        node.set("restarted", mapper.valueToTree(state.restarted));
        return mapper.writeValueAsString(node);
    }

    private State read(String cursor) throws JsonProcessingException {
        JsonNode node = mapper.readTree(cursor);
        State state = new State();
        node.path("folders").forEach(f -> state.folders.add(f.asText()));
        state.index = node.path("index").asInt();
        state.url = node.path("url").asText(null);
        node.path("links").fields().forEachRemaining(e -> state.links.put(e.getKey(), e.getValue().asText()));
        state.round = node.path("round").asInt(1);
        state.roundStart = Instant.parse(node.path("roundStart").asText());
        node.path("restarted").forEach(f -> state.restarted.add(f.asText()));
        return state;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
