package io.integrationhub.platform.sync;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.stereotype.Component;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.family.JsonataCache;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.ConnectionConfigCheck;

/**
 * Per-connection overrides of the family's mapping, kept in the connection's config, in the hub's one mapping
 * language, JSONata (the family mappings are JSONata files too):
 * <pre>
 * "mappings": {
 *   "invoice": "$merge([data, { \"reference\": raw.InvoiceNumber, \"amount\": $number(raw.Total) }])"
 * }
 * </pre>
 * The expression's input is {@code {"data": <the record's data as the family mapped it>, "raw": <the provider's
 * object>}}; its value, an object, <em>replaces</em> the record's data (so an override can add, change, drop or
 * restructure fields: start from {@code data} to keep the rest). Besides JSONata's own functions the hub offers
 * {@code $date(value, pattern?)} and {@code $datetime(value, pattern?)}: ISO date / instant of an ISO text, epoch
 * milliseconds, a Microsoft JSON date ({@code /Date(1552326816230+0000)/}) or a text in a
 * {@link DateTimeFormatter} pattern (times without a zone are UTC).
 *
 * <p>An expression is checked (parsed) when the config is stored: {@code 422} naming
 * {@code /config/mappings/<entity>} with JSONata's error. It is parsed once per text and thread
 * ({@link JsonataCache}), so a sync run evaluates the same compiled expression for each record. An evaluation that fails, runs longer than
 * {@value #TIMEOUT_MS} ms or gives no object makes that record an error of the run (dead-lettered). Configs stored in
 * the former rule language were rewritten by migration {@code V31} ({@link LegacyFieldMappings}).
 */
@Component
public class FieldMappings implements ConnectionConfigCheck {

    static final long TIMEOUT_MS = 1000;
    static final int MAX_DEPTH = 500;
    static final int MAX_LENGTH = 65_536;
    /** Parsed texts kept per thread (connection overrides: one per connection and entity that has one). */
    private static final int CACHED = 256;

    /** Input and output of the expressions go through JSON text, as they do for the jsonata: route steps. */
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parsed once per text and thread (jsonata-java keeps an evaluation's state on the parsed instance). */
    private final JsonataCache compiled = new JsonataCache(CACHED);

    /** The override of one connection and entity, ready to apply to each record. */
    public static final class Compiled {
        private static final Compiled NONE = new Compiled(null, null, null);

        private final String entity;
        private final String text;
        private final JsonataCache parsed;

        Compiled(String entity, String text, JsonataCache parsed) {
            this.entity = entity;
            this.text = text;
            this.parsed = parsed;
        }

        public ObjectNode apply(ObjectNode mapped, JsonNode raw) {
            if (text == null) {
                return mapped;
            }
            Object out;
            try {
                Map<String, Object> input = new LinkedHashMap<>();
                input.put("data", JSON.readValue(JSON.writeValueAsString(mapped), Object.class));
                input.put("raw", raw == null ? null : JSON.readValue(JSON.writeValueAsString(raw), Object.class));
                Jsonata expression = parsed.get(text); // this thread's parse (checked when the config was stored)
                Jsonata.Frame frame = expression.createFrame();
                bindFunctions(frame);
                frame.setRuntimeBounds(TIMEOUT_MS, MAX_DEPTH);
                out = expression.evaluate(input, frame);
            } catch (JException e) {
                throw new IllegalArgumentException("config.mappings." + entity + ": " + describe(e));
            } catch (IOException e) {
                throw new IllegalArgumentException("config.mappings." + entity + ": the record is not JSON", e);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("config.mappings." + entity + ": " + e.getMessage(), e);
            }
            if (!(out instanceof Map)) {
                throw new IllegalArgumentException("config.mappings." + entity + " gave " + (out == null ? "nothing"
                        : "no object") + "; its value replaces the record's data (start from `data` to keep it)");
            }
            return JSON.valueToTree(out);
        }
    }

    /** The override of {@code config.mappings.<entity>}; none when the config has none. */
    public Compiled compile(String provider, String entity, ObjectNode config) {
        JsonNode section = config == null ? null : config.path("mappings").get(entity);
        if (section == null || section.isNull()) {
            return Compiled.NONE;
        }
        if (!section.isTextual()) {
            throw new IllegalStateException("config.mappings." + entity + " is not a JSONata expression");
        }
        expression(section.asText());
        return new Compiled(entity, section.asText(), compiled);
    }

    /** This thread's parse of the text (parsed once per thread); JSONata's error when it does not parse. */
    Jsonata expression(String text) {
        return compiled.get(text);
    }

    @Override
    public List<FieldError> check(ProviderDefinition provider, JsonNode config) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode mappings = config.get("mappings");
        if (mappings == null || mappings.isNull()) {
            return errors;
        }
        if (!mappings.isObject()) {
            errors.add(new FieldError("/config/mappings", "must be an object of entity → JSONata expression"));
            return errors;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = mappings.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entity = it.next();
            String field = "/config/mappings/" + entity.getKey();
            JsonNode value = entity.getValue();
            if (!provider.entities().contains(entity.getKey())) {
                errors.add(new FieldError(field, "'" + provider.key() + "' has no entity '" + entity.getKey() + "'"));
            } else if (value.isNull()) {
                continue;
            } else if (LegacyFieldMappings.isLegacy(value)) {
                errors.add(new FieldError(field, "must be a JSONata expression (a string) over {data, raw} whose value "
                        + "replaces the record's data; the former rule objects are no longer read. These rules in "
                        + "JSONata: " + LegacyFieldMappings.toJsonata(value)));
            } else if (!value.isTextual() || value.asText().isBlank()) {
                errors.add(new FieldError(field, "must be a JSONata expression (a non-empty string)"));
            } else if (value.asText().length() > MAX_LENGTH) {
                errors.add(new FieldError(field, "at most " + MAX_LENGTH + " characters"));
            } else {
                try {
                    expression(value.asText());
                } catch (JException e) {
                    errors.add(new FieldError(field, "not a JSONata expression: " + describe(e)));
                } catch (RuntimeException e) {
                    errors.add(new FieldError(field, "not a JSONata expression: " + e.getMessage()));
                }
            }
        }
        return errors;
    }

    private static String describe(JException e) {
        String code = e.getError();
        return e.getMessage() + (code == null ? "" : " (" + code + " at position " + e.getLocation() + ")");
    }

    /** The hub's functions for override expressions: {@code $date} and {@code $datetime}. */
    static void bindFunctions(Jsonata.Frame frame) {
        frame.bind("date", (Jsonata.Fn2<Object, Object, Object>) (value, pattern) -> date(value, pattern, true));
        frame.bind("datetime", (Jsonata.Fn2<Object, Object, Object>) (value, pattern) -> date(value, pattern, false));
    }

    private static String date(Object value, Object pattern, boolean dateOnly) {
        if (value == null || value == Jsonata.NULL_VALUE) {
            return null;
        }
        String text = value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                ? Long.toString(n.longValue()) : value.toString();
        return date(text, pattern == null || pattern == Jsonata.NULL_VALUE ? null : pattern.toString(), dateOnly);
    }

    static String date(String text, String pattern, boolean dateOnly) {
        try {
            if (pattern != null) {
                DateTimeFormatter fmt = DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
                if (dateOnly) {
                    return LocalDate.parse(text, fmt).toString();
                }
                return LocalDateTime.parse(text, fmt).toInstant(ZoneOffset.UTC).toString();
            }
            if (text.matches("\\d{10,}")) {
                Instant at = Instant.ofEpochMilli(Long.parseLong(text));
                return dateOnly ? at.atZone(ZoneOffset.UTC).toLocalDate().toString() : at.toString();
            }
            // Microsoft JSON dates as Xero sends them: /Date(1552326816230+0000)/
            if (text.startsWith("/Date(")) {
                String digits = text.substring(6).replaceAll("[^0-9].*$", "");
                Instant at = Instant.ofEpochMilli(Long.parseLong(digits));
                return dateOnly ? at.atZone(ZoneOffset.UTC).toLocalDate().toString() : at.toString();
            }
            if (text.length() == 10) {
                return LocalDate.parse(text).toString();
            }
            Instant at = java.time.OffsetDateTime.parse(text).toInstant();
            return dateOnly ? at.atZone(ZoneOffset.UTC).toLocalDate().toString() : at.toString();
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new IllegalArgumentException("mapping: '" + text + "' is not a date");
        }
    }
}
