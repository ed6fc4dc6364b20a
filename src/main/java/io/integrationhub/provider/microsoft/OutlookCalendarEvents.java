package io.integrationhub.provider.microsoft;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.family.FamilyMappings;
import io.integrationhub.platform.sync.PushTarget;
import io.integrationhub.platform.sync.SyncContext;
import io.integrationhub.provider.microsoft.GraphClient.Reply;
import io.integrationhub.provider.microsoft.GraphClient.Request;
import io.integrationhub.provider.microsoft.GraphClient.Session;

/**
 * Outlook calendar events on Graph ({@code /me/events}) for the {@code upsert-event} and {@code delete-event}
 * actions and for push runs of {@code calendar_event}: the input checked and turned into a Graph event, create
 * ({@code POST}, 201), update ({@code PATCH}, 200; an event deleted in Outlook is created again), delete
 * ({@code DELETE}, 204; 404 counts as deleted) and the listing of the events the hub created.
 *
 * <p>Every event the hub creates carries the single-value extended property {@value #MARKER} with the connection id,
 * so a push run can find them with Graph's documented {@code singleValueExtendedProperties/Any(…)} filter and remove
 * those no {@code localRef} is linked to any more. A create also sends a fresh {@code transactionId}, so a POST the
 * resilience layer repeats after a 5xx or a timeout does not create the event twice.
 */
@Component
public class OutlookCalendarEvents {

    /** Hub-owned named property (GUID of this project) marking events the hub created; the value is the connection id. */
    public static final String MARKER = "String {6f1d2a5c-93b4-4c1e-8a37-2b0c5e9d4f71} Name IntegrationHubConnection";
    public static final String MODEL = "calendar_event";

    static final Set<String> FIELDS = Set.of("localRef", "subject", "body", "start", "end", "allDay", "status",
            "category", "modifiedAt");
    private static final String KNOWN = String.join(", ", new TreeSet<>(FIELDS));
    private static final DateTimeFormatter GRAPH_DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private final GraphClient graph;
    private final OutlookCalendarConfig config;
    private final OutlookCalendarProperties properties;
    private final ObjectMapper mapper;
    private final FamilyMappings mappings;

    /** The route applying routes/microsoft/mappings/calendar-event.jsonata (routes/microsoft/calendar.camel.yaml). */
    static final String EVENT_MAPPING = "direct:microsoft.calendar.event-to-graph";

    public OutlookCalendarEvents(GraphClient graph, OutlookCalendarConfig config, OutlookCalendarProperties properties,
            ObjectMapper mapper, FamilyMappings mappings) {
        this.mappings = mappings;
        this.graph = graph;
        this.config = config;
        this.properties = properties;
        this.mapper = mapper;
    }

    /** Creates the event, or updates the linked one (creating it again when it was deleted in Outlook). */
    public PushTarget.Result upsert(SyncContext context, JsonNode data, PushTarget.Link existing) {
        ObjectNode event = toGraph(data, config.settings(context.config()));
        Session session = graph.session(context.http());
        if (existing != null && existing.externalId() != null) {
            Reply updated = session.send(Request.of("PATCH", session.url(eventPath(existing.externalId()))).json(event),
                    status -> status == 404);
            if (updated.status() != 404) {
                return result(updated.json());
            }
        }
        ObjectNode create = event.deepCopy();
        create.put("transactionId", UUID.randomUUID().toString());
        create.putArray("singleValueExtendedProperties").addObject().put("id", MARKER)
                .put("value", context.connectionId().toString());
        return result(session.post("/me/events", create));
    }

    /** Deletes the event; one already deleted in Outlook (404) counts as deleted. */
    public void delete(SyncContext context, PushTarget.Link existing) {
        Session session = graph.session(context.http());
        session.send(Request.of("DELETE", session.url(eventPath(existing.externalId()))), status -> status == 404);
    }

    /** A page of the events this connection created (marked with {@value #MARKER}); the cursor is Graph's nextLink. */
    public PushTarget.PushedPage pushed(SyncContext context, String cursor) {
        Session session = graph.session(context.http());
        String url;
        if (cursor == null) {
            String filter = "singleValueExtendedProperties/Any(ep: ep/id eq '" + MARKER + "' and ep/value eq '"
                    + context.connectionId() + "')";
            url = session.url("/me/events") + "?$filter=" + encode(filter) + "&$select=id,createdDateTime&$top="
                    + properties.getPageSize();
        } else if (cursor.startsWith(graph.baseUrl() + "/")) {
            url = cursor;
        } else {
            throw new IllegalStateException("Graph's nextLink leaves the configured Graph API");
        }
        JsonNode page = session.get(url);
        List<PushTarget.Pushed> items = new ArrayList<>();
        for (JsonNode e : page.path("value")) {
            items.add(new PushTarget.Pushed(e.path("id").asText(), instant(e.path("createdDateTime").asText(null))));
        }
        return new PushTarget.PushedPage(items, page.path("@odata.nextLink").asText(null));
    }

    /**
     * The Graph event of an {@code upsert-event} body. Malformed or missing fields are 400, an impossible event (end
     * before start) 422 — each naming the field. Every field is always sent, so an upsert sets the whole event.
     */
    ObjectNode toGraph(JsonNode data, OutlookCalendarConfig.Settings settings) {
        if (data == null || !data.isObject()) {
            throw ProblemException.badRequest("The event must be a JSON object.", new FieldError("/", "must be an object"));
        }
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> it = data.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                errors.add(new FieldError("/" + field, "unknown field; known: " + KNOWN));
            }
        }
        text(data, "localRef", true, 512, errors);
        String subject = text(data, "subject", true, 255, errors);
        String status = text(data, "status", false, 64, errors);
        String category = text(data, "category", false, 255, errors);
        JsonNode allDayNode = data.get("allDay");
        if (allDayNode != null && !allDayNode.isNull() && !allDayNode.isBoolean()) {
            errors.add(new FieldError("/allDay", "must be true or false"));
        }
        boolean allDay = allDayNode != null && allDayNode.asBoolean(false);
        ObjectNode body = body(data.get("body"), errors);
        String start = text(data, "start", true, 64, errors);
        String end = text(data, "end", true, 64, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.badRequest("The event is not valid.", errors.toArray(FieldError[]::new));
        }

        ZoneId zone = settings.zone();
        // Java checks and normalises (time zones, all-day boundaries, the connection's categories); the Graph event
        // itself is shaped by the family's mapping file routes/microsoft/mappings/calendar-event.jsonata.
        ObjectNode in = mapper.createObjectNode();
        in.put("subject", subject);
        in.set("body", body);
        if (allDay) {
            // Graph: an all-day event starts and ends at midnight in one time zone; the end is the day after the last.
            LocalDate first = day(start, "start", errors);
            LocalDate last = day(end, "end", errors);
            if (!errors.isEmpty()) {
                throw ProblemException.badRequest("The event is not valid.", errors.toArray(FieldError[]::new));
            }
            if (last.isBefore(first)) {
                throw ProblemException.unprocessable("The event ends before it starts.",
                        new FieldError("/end", "the last day must not be before the first day"));
            }
            in.set("start", dateTimeTimeZone(first.atStartOfDay(), zone));
            in.set("end", dateTimeTimeZone(last.plusDays(1).atStartOfDay(), zone));
        } else {
            OffsetDateTime from = moment(start, "start", errors);
            OffsetDateTime to = moment(end, "end", errors);
            if (!errors.isEmpty()) {
                throw ProblemException.badRequest("The event is not valid.", errors.toArray(FieldError[]::new));
            }
            if (to.isBefore(from)) {
                throw ProblemException.unprocessable("The event ends before it starts.",
                        new FieldError("/end", "must not be before start"));
            }
            in.set("start", dateTimeTimeZone(from.atZoneSameInstant(zone).toLocalDateTime(), zone));
            in.set("end", dateTimeTimeZone(to.atZoneSameInstant(zone).toLocalDateTime(), zone));
        }
        in.put("allDay", allDay);
        in.put("status", status == null ? null : status.trim());
        in.put("category", category);
        ArrayNode statusCategories = in.putArray("statusCategories");
        settings.categories(status == null ? null : status.trim()).forEach(statusCategories::add);
        JsonNode event = mappings.apply(EVENT_MAPPING, in);
        if (!event.isObject()) {
            throw new IllegalStateException("the calendar event mapping gave no object");
        }
        return (ObjectNode) event;
    }

    private static String text(JsonNode data, String field, boolean required, int maxLength, List<FieldError> errors) {
        JsonNode value = data.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(new FieldError("/" + field, "required"));
            }
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            errors.add(new FieldError("/" + field, "must be a non-empty string"));
            return null;
        }
        if (value.asText().length() > maxLength) {
            errors.add(new FieldError("/" + field, "at most " + maxLength + " characters"));
            return null;
        }
        return value.asText();
    }

    /** {@code "text"} or {@code {"contentType": "text"|"html", "content": "…"}}; none is an empty text body. */
    private ObjectNode body(JsonNode value, List<FieldError> errors) {
        ObjectNode body = mapper.createObjectNode();
        if (value == null || value.isNull()) {
            return body.put("contentType", "text").put("content", "");
        }
        if (value.isTextual()) {
            return body.put("contentType", "text").put("content", value.asText());
        }
        JsonNode type = value.path("contentType");
        JsonNode content = value.path("content");
        boolean onlyKnownKeys = value.isObject() && value.size() == (type.isMissingNode() ? 1 : 2);
        if (!onlyKnownKeys || !content.isTextual() || !(type.isMissingNode()
                || type.isTextual() && Set.of("text", "html").contains(type.asText().toLowerCase(Locale.ROOT)))) {
            errors.add(new FieldError("/body", "must be a string or {contentType: text|html, content: string}"));
            return body;
        }
        return body.put("contentType", type.asText("text").toLowerCase(Locale.ROOT)).put("content", content.asText());
    }

    private static LocalDate day(String value, String field, List<FieldError> errors) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            errors.add(new FieldError("/" + field, "an all-day event takes a date (YYYY-MM-DD)"
                    + ("end".equals(field) ? ", its last day" : "")));
            return null;
        }
    }

    private static OffsetDateTime moment(String value, String field, List<FieldError> errors) {
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            String hint = isLocalDateTime(value) ? "needs an offset or Z, e.g. 2026-03-10T09:00:00+01:00"
                    : "must be an ISO-8601 date-time with offset, e.g. 2026-03-10T09:00:00+01:00";
            errors.add(new FieldError("/" + field, hint));
            return null;
        }
    }

    private static boolean isLocalDateTime(String value) {
        try {
            LocalDateTime.parse(value);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private ObjectNode dateTimeTimeZone(LocalDateTime local, ZoneId zone) {
        return mapper.createObjectNode().put("dateTime", GRAPH_DATE_TIME.format(local)).put("timeZone", zone.getId());
    }

    private static PushTarget.Result result(JsonNode event) {
        String id = event.path("id").asText(null);
        if (id == null) {
            throw new IllegalStateException("Graph answered an event without id");
        }
        return new PushTarget.Result(id, event.path("changeKey").asText(null), event);
    }

    private static String eventPath(String id) {
        return "/me/events/" + encode(id);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Instant instant(String value) {
        try {
            return value == null ? null : Instant.parse(value.endsWith("Z") ? value : value + "Z");
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
