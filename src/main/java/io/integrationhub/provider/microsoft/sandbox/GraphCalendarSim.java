package io.integrationhub.provider.microsoft.sandbox;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Reply;
import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Request;

/**
 * Graph calendar events of the signed-in user (providers.md §1.5; Graph's event, user-post-events, event-update,
 * event-delete and singleValueLegacyExtendedProperty-get pages):
 * <ul>
 * <li>{@code POST /me/events} → 201 + event ({@code id}, {@code changeKey}, {@code iCalUId}, {@code createdDateTime},
 * {@code lastModifiedDateTime}, …). A {@code transactionId} already used answers the event it created (Graph's
 * protection against a repeated POST).</li>
 * <li>{@code GET /me/events/{id}} → 200; {@code PATCH /me/events/{id}} → 200 with a new {@code changeKey};
 * {@code DELETE /me/events/{id}} → 204; an unknown id → 404 {@code ErrorItemNotFound}.</li>
 * <li>{@code GET /me/events} with {@code $top} and {@code $skip} paging ({@code @odata.nextLink}), {@code $select},
 * and the one {@code $filter} form the hub uses:
 * {@code singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')} (value compared case-insensitively);
 * {@code $expand=singleValueExtendedProperties($filter=id eq '…')} on lists and single events.</li>
 * <li>Validation: {@code isAllDay} events must start and end at midnight in the same time zone and last at least
 * 24 hours; the end must not be before the start; time zones are IANA names, {@code UTC} or a few Windows names;
 * unknown properties are refused — each a 400 in Graph's error envelope. The all-day wording and the
 * {@code ErrorInvalidRequest} code follow answers seen from Graph; the other codes and messages are this simulator's.</li>
 * </ul>
 * One mailbox, shared by every connection (as several connections of one user would share it).
 */
public final class GraphCalendarSim {

    static final Set<String> WRITABLE = Set.of("subject", "body", "start", "end", "isAllDay", "showAs", "categories",
            "transactionId", "singleValueExtendedProperties", "importance", "sensitivity", "location", "isReminderOn",
            "reminderMinutesBeforeStart");
    static final Set<String> READ_ONLY = Set.of("id", "createdDateTime", "lastModifiedDateTime", "changeKey", "iCalUId",
            "type", "webLink", "bodyPreview", "isOrganizer", "isCancelled");
    static final Set<String> SHOW_AS = Set.of("free", "tentative", "busy", "oof", "workingElsewhere", "unknown");
    private static final Map<String, String> WINDOWS_ZONES = Map.of(
            "Pacific Standard Time", "America/Los_Angeles", "Mountain Standard Time", "America/Denver",
            "Central Standard Time", "America/Chicago", "Eastern Standard Time", "America/New_York",
            "GMT Standard Time", "Europe/London", "W. Europe Standard Time", "Europe/Berlin",
            "AUS Eastern Standard Time", "Australia/Sydney", "New Zealand Standard Time", "Pacific/Auckland");
    private static final Pattern FILTER = Pattern.compile(
            "singleValueExtendedProperties/Any\\(ep: ep/id eq '([^']*)' and ep/value eq '([^']*)'\\)");
    private static final Pattern EXPAND = Pattern.compile("singleValueExtendedProperties\\(\\$filter=id eq '([^']*)'\\)");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'");
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final GraphSimulator sim;
    /** In creation order (the listing order); all state guarded by {@code this}. */
    private final Map<String, ObjectNode> events = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> extendedProperties = new HashMap<>();
    private final Map<String, String> transactions = new HashMap<>();

    GraphCalendarSim(GraphSimulator sim) {
        this.sim = sim;
        sim.on("POST", "/me/events", (r, m) -> create(r));
        sim.on("GET", "/me/events", (r, m) -> list(r));
        sim.on("GET", "/me/events/([^/]+)", (r, m) -> get(r, m.group(1)));
        sim.on("PATCH", "/me/events/([^/]+)", (r, m) -> update(r, m.group(1)));
        sim.on("DELETE", "/me/events/([^/]+)", (r, m) -> delete(m.group(1)));
    }

    private synchronized Reply create(Request r) throws IOException {
        JsonNode body = parse(r);
        if (body == null) {
            return unreadable();
        }
        String transactionId = body.path("transactionId").asText(null);
        if (transactionId != null && events.containsKey(transactions.get(transactionId))) {
            return Reply.json(201, view(events.get(transactions.get(transactionId)), null, null, true));
        }
        String id = GraphSimulator.newId();
        String now = now();
        ObjectNode event = sim.mapper().createObjectNode();
        event.put("id", id).put("createdDateTime", now).put("lastModifiedDateTime", now).put("changeKey", changeKey());
        event.putArray("categories");
        event.put("transactionId", (String) null);
        event.put("iCalUId", "040000008200E00074C5B7101A82E00800000000" + id.substring(2).toLowerCase(Locale.ROOT));
        event.put("subject", "");
        event.put("bodyPreview", "");
        event.put("importance", "normal").put("sensitivity", "normal").put("isAllDay", false).put("isCancelled", false)
                .put("isOrganizer", true).put("showAs", "busy").put("type", "singleInstance");
        event.put("webLink", "https://outlook.office365.com/owa/?itemid=" + id + "&exvsurl=1&path=/calendar/item");
        event.putObject("body").put("contentType", "text").put("content", "");
        Map<String, String> properties = new LinkedHashMap<>();
        Reply invalid = apply(event, body, properties, false);
        if (invalid == null && (!event.has("start") || !event.has("end"))) {
            invalid = Reply.error(400, "ErrorInvalidRequest", "Your request can't be completed. Start and end are required.");
        }
        if (invalid == null) {
            invalid = validate(event);
        }
        if (invalid != null) {
            return invalid;
        }
        if (event.path("transactionId").isNull()) {
            event.remove("transactionId");
        }
        events.put(id, event);
        extendedProperties.put(id, properties);
        if (transactionId != null) {
            transactions.put(transactionId, id);
        }
        return Reply.json(201, view(event, null, null, true));
    }

    private synchronized Reply get(Request r, String id) {
        ObjectNode event = events.get(id);
        return event == null ? notFound() : Reply.json(200, view(event, r.query("$select"), r.query("$expand"), true));
    }

    private synchronized Reply update(Request r, String id) throws IOException {
        ObjectNode stored = events.get(id);
        if (stored == null) {
            return notFound();
        }
        JsonNode body = parse(r);
        if (body == null) {
            return unreadable();
        }
        ObjectNode event = stored.deepCopy();
        Map<String, String> properties = new LinkedHashMap<>(extendedProperties.getOrDefault(id, Map.of()));
        Reply invalid = apply(event, body, properties, true);
        if (invalid == null) {
            invalid = validate(event);
        }
        if (invalid != null) {
            return invalid;
        }
        event.put("changeKey", changeKey()).put("lastModifiedDateTime", now());
        events.put(id, event);
        extendedProperties.put(id, properties);
        return Reply.json(200, view(event, null, null, true));
    }

    private synchronized Reply delete(String id) {
        if (events.remove(id) == null) {
            return notFound();
        }
        extendedProperties.remove(id);
        transactions.values().remove(id);
        return Reply.empty(204);
    }

    private synchronized Reply list(Request r) {
        String filter = r.query("$filter");
        List<ObjectNode> matching = new ArrayList<>();
        if (filter == null) {
            matching.addAll(events.values());
        } else {
            Matcher m = FILTER.matcher(filter.trim());
            if (!m.matches()) {
                return Reply.error(400, "BadRequest", "This simulator supports only $filter=singleValueExtendedProperties/Any"
                        + "(ep: ep/id eq '{id}' and ep/value eq '{value}').");
            }
            for (ObjectNode e : events.values()) {
                String value = extendedProperties.getOrDefault(e.path("id").asText(), Map.of()).get(m.group(1));
                if (value != null && value.equalsIgnoreCase(m.group(2))) {
                    matching.add(e);
                }
            }
        }
        int top;
        int skip;
        try {
            top = r.query("$top") == null ? 10 : Integer.parseInt(r.query("$top"));
            skip = r.query("$skip") == null ? 0 : Integer.parseInt(r.query("$skip"));
        } catch (NumberFormatException e) {
            return Reply.error(400, "BadRequest", "$top and $skip must be integers.");
        }
        if (top < 1 || top > 1000 || skip < 0) {
            return Reply.error(400, "BadRequest", "$top must be 1 to 1000 and $skip not negative.");
        }
        ObjectNode page = sim.mapper().createObjectNode();
        page.put("@odata.context", sim.baseUrl() + "/$metadata#users('sandbox%40contoso.example')/events");
        ArrayNode value = page.putArray("value");
        for (ObjectNode e : matching.subList(Math.min(skip, matching.size()), Math.min(skip + top, matching.size()))) {
            value.add(view(e, r.query("$select"), r.query("$expand"), false));
        }
        if (skip + top < matching.size()) {
            page.put("@odata.nextLink", sim.baseUrl() + "/me/events?" + withSkip(r.rawQuery(), skip + top));
        }
        return Reply.json(200, page);
    }

    /** Copies the request's properties onto the event; an error reply when one is unknown or malformed. */
    private Reply apply(ObjectNode event, JsonNode body, Map<String, String> properties, boolean update) {
        if (!body.isObject()) {
            return unreadable();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.startsWith("@odata.") || READ_ONLY.contains(name)) {
                continue;
            }
            if (!WRITABLE.contains(name)) {
                return Reply.error(400, "RequestBodyRead", "The property '" + name + "' does not exist on type "
                        + "'microsoft.graph.event'. Make sure to only use property names that are defined by the type.");
            }
            Reply problem = switch (name) {
                case "subject" -> value.isTextual() ? set(event, name, value) : unreadable();
                case "isAllDay" -> value.isBoolean() ? set(event, name, value) : unreadable();
                case "showAs" -> value.isTextual() && SHOW_AS.contains(value.asText()) ? set(event, name, value) : unreadable();
                case "categories" -> strings(value) ? set(event, name, value) : unreadable();
                case "body" -> body(event, value);
                case "start", "end" -> dateTimeTimeZone(event, name, value);
                case "transactionId" -> transaction(event, value, update);
                case "singleValueExtendedProperties" -> extended(value, properties);
                default -> set(event, name, value);
            };
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private Reply validate(ObjectNode event) {
        JsonNode start = event.get("start");
        JsonNode end = event.get("end");
        LocalDateTime from = LocalDateTime.parse(start.path("dateTime").asText());
        LocalDateTime to = LocalDateTime.parse(end.path("dateTime").asText());
        Instant fromInstant = from.atZone(zone(start.path("timeZone").asText())).toInstant();
        Instant toInstant = to.atZone(zone(end.path("timeZone").asText())).toInstant();
        if (event.path("isAllDay").asBoolean()) {
            if (!from.toLocalTime().equals(LocalTime.MIDNIGHT) || !to.toLocalTime().equals(LocalTime.MIDNIGHT)
                    || !start.path("timeZone").asText().equals(end.path("timeZone").asText())) {
                return Reply.error(400, "ErrorInvalidRequest", "Your request can't be completed. If the event is marked "
                        + "as All day, its start and end must be set to midnight and be in the same time zone.");
            }
            if (!to.toLocalDate().isAfter(from.toLocalDate())) {
                return Reply.error(400, "ErrorInvalidRequest",
                        "Your request can't be completed. The duration of an event marked as All day must be at least 24 hours.");
            }
        }
        if (toInstant.isBefore(fromInstant)) {
            return Reply.error(400, "ErrorInvalidRequest", "Your request can't be completed. The end of the event is "
                    + "before its start.");
        }
        return null;
    }

    private static Reply set(ObjectNode event, String name, JsonNode value) {
        event.set(name, value.deepCopy());
        return null;
    }

    private static Reply body(ObjectNode event, JsonNode value) {
        String type = value.path("contentType").asText("text").toLowerCase(Locale.ROOT);
        if (!value.isObject() || !Set.of("text", "html").contains(type) || !value.path("content").isTextual()) {
            return unreadable();
        }
        String content = value.path("content").asText();
        event.putObject("body").put("contentType", type).put("content", content);
        String preview = ("html".equals(type) ? content.replaceAll("<[^>]*>", " ") : content).replaceAll("\\s+", " ").trim();
        event.put("bodyPreview", preview.length() > 255 ? preview.substring(0, 255) : preview);
        return null;
    }

    private static Reply dateTimeTimeZone(ObjectNode event, String name, JsonNode value) {
        String zone = value.path("timeZone").asText(null);
        LocalDateTime local = localDateTime(value.path("dateTime").asText(null));
        if (!value.isObject() || local == null) {
            return unreadable();
        }
        if (zone == null || zone(zone) == null) {
            return Reply.error(400, "TimeZoneNotSupportedException", "A valid TimeZone value must be specified. "
                    + "The following TimeZone value is not supported: '" + (zone == null ? "" : zone) + "'.");
        }
        event.putObject(name).put("dateTime", LOCAL.format(local)).put("timeZone", zone);
        return null;
    }

    private static Reply transaction(ObjectNode event, JsonNode value, boolean update) {
        if (!value.isTextual()) {
            return unreadable();
        }
        if (update && !value.asText().equals(event.path("transactionId").asText(null))) {
            return Reply.error(400, "ErrorInvalidRequest", "Your request can't be completed. transactionId cannot be changed.");
        }
        event.put("transactionId", value.asText());
        return null;
    }

    private static Reply extended(JsonNode value, Map<String, String> properties) {
        if (!value.isArray()) {
            return unreadable();
        }
        for (JsonNode p : value) {
            if (!p.path("id").isTextual() || p.path("id").asText().isBlank() || !p.path("value").isTextual()) {
                return unreadable();
            }
            properties.put(p.get("id").asText(), p.get("value").asText());
        }
        return null;
    }

    /** The event as Graph answers it; extended properties only when expanded by id. */
    private ObjectNode view(ObjectNode event, String select, String expand, boolean single) {
        ObjectNode out = sim.mapper().createObjectNode();
        if (single) {
            out.put("@odata.context", sim.baseUrl() + "/$metadata#users('sandbox%40contoso.example')/events/$entity");
        }
        out.put("@odata.etag", "W/\"" + event.path("changeKey").asText() + "\"");
        if (select == null) {
            out.setAll(event.deepCopy());
        } else {
            out.put("id", event.path("id").asText());
            for (String field : select.split(",")) {
                if (event.has(field.trim())) {
                    out.set(field.trim(), event.get(field.trim()).deepCopy());
                }
            }
        }
        Matcher m = expand == null ? null : EXPAND.matcher(expand.trim());
        if (m != null && m.matches()) {
            ArrayNode props = out.putArray("singleValueExtendedProperties");
            String value = extendedProperties.getOrDefault(event.path("id").asText(), Map.of()).get(m.group(1));
            if (value != null) {
                props.addObject().put("id", m.group(1)).put("value", value);
            }
        }
        return out;
    }

    private JsonNode parse(Request r) throws IOException {
        try {
            return r.json(sim.mapper());
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static Reply unreadable() {
        return Reply.error(400, "UnableToDeserializePostBody", "were unable to deserialize ");
    }

    private static Reply notFound() {
        return Reply.error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
    }

    private static boolean strings(JsonNode value) {
        if (!value.isArray()) {
            return false;
        }
        for (JsonNode v : value) {
            if (!v.isTextual()) {
                return false;
            }
        }
        return true;
    }

    /** {@code 2026-03-10T09:00:00}, with up to seven fraction digits, or a date alone (midnight). */
    private static LocalDateTime localDateTime(String value) {
        if (value == null) {
            return null;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay() : LocalDateTime.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static ZoneId zone(String name) {
        try {
            ZoneId zone = ZoneId.of(WINDOWS_ZONES.getOrDefault(name, name));
            return zone instanceof ZoneOffset ? null : zone;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String withSkip(String rawQuery, int skip) {
        StringBuilder query = new StringBuilder();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                if (!pair.isEmpty() && !pair.startsWith("$skip=") && !pair.startsWith("%24skip=")) {
                    query.append(pair).append('&');
                }
            }
        }
        return query.append("$skip=").append(skip).toString();
    }

    private static String now() {
        return STAMP.format(LocalDateTime.now(ZoneOffset.UTC));
    }

    private static String changeKey() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    // --- for tests and the sandbox ---

    /** Copies of all events, in creation order. */
    public synchronized List<ObjectNode> events() {
        return events.values().stream().map(ObjectNode::deepCopy).toList();
    }

    /** A copy of one event, or null. */
    public synchronized ObjectNode event(String id) {
        ObjectNode event = events.get(id);
        return event == null ? null : event.deepCopy();
    }

    /** An extended property of an event, or null. */
    public synchronized String extendedProperty(String eventId, String propertyId) {
        return extendedProperties.getOrDefault(eventId, Map.of()).get(propertyId);
    }
}
