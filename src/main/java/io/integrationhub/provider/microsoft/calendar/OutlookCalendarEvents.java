package io.integrationhub.provider.microsoft.calendar;

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

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;

/**
 * The input check of the {@code upsert-event} action of {@code outlook-calendar}, a step of the action route
 * {@code outlook-calendar.action.upsert-event} (routes/microsoft/calendar.camel.yaml): the host application's event
 * checked and normalised (time zones, all-day boundaries, the connection's categories for the status) into the input
 * of the mapping file {@code routes/microsoft/mappings/calendar-event.jsonata}. The Graph calls (create with a fresh
 * {@code transactionId} and the marker {@value #MARKER}, update, delete, the listing of the events the hub created)
 * are steps of the family's routes.
 *
 * <p>Every event the hub creates carries the single-value extended property {@value #MARKER} with the connection id,
 * so a push run can find them with Graph's documented {@code singleValueExtendedProperties/Any(…)} filter (route
 * {@code outlook-calendar.action.upsert-event.pushed}) and remove those no {@code localRef} is linked to any more.
 */
@Component("outlookCalendarEvents")
public class OutlookCalendarEvents {

    /** Hub-owned named property (GUID of this project) marking events the hub created; the value is the connection id. */
    public static final String MARKER = "String {6f1d2a5c-93b4-4c1e-8a37-2b0c5e9d4f71} Name IntegrationHubConnection";
    public static final String MODEL = "calendar_event";

    static final Set<String> FIELDS = Set.of("localRef", "subject", "body", "start", "end", "allDay", "status",
            "category", "modifiedAt");
    private static final String KNOWN = String.join(", ", new TreeSet<>(FIELDS));
    private static final DateTimeFormatter GRAPH_DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private final OutlookCalendarConfig config;
    private final ObjectMapper mapper;

    public OutlookCalendarEvents(OutlookCalendarConfig config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
    }

    /** Route step: the action's {@code {data, link, config}} → the input of calendar-event.jsonata (400/422 problems). */
    public String check(String action) throws java.io.IOException {
        JsonNode in = mapper.readTree(action);
        return mappingInput(in.get("data"), config.settings(in.path("config"))).toString();
    }

    /**
     * The mapping input of an {@code upsert-event} body. Malformed or missing fields are 400, an impossible event (end
     * before start) 422 — each naming the field. Every field is always sent, so an upsert sets the whole event.
     */
    ObjectNode mappingInput(JsonNode data, OutlookCalendarConfig.Settings settings) {
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
        return in;
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
}
