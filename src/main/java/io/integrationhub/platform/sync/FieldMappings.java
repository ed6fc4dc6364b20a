package io.integrationhub.platform.sync;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.api.Problem.FieldError;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.ConnectionConfigCheck;

/**
 * Per-connection overrides of the default mapping, kept in the connection's config:
 * <pre>
 * "mappings": { "contact": {
 *     "email":   "properties.email",                                  // field path in the provider object
 *     "source":  { "constant": "hubspot" },
 *     "born":    { "path": "properties.dob", "transform": "date", "pattern": "dd/MM/yyyy" },
 *     "amount":  { "path": "Total", "transform": "number" },
 *     "status":  { "path": "Status", "transform": "lookup", "lookup": { "AUTHORISED": "open" }, "default": "other" },
 *     "legacyField": null                                            // drop a field of the default mapping
 * } }
 * </pre>
 * A target is written into the unified record's data, replacing the default mapping's value.
 */
@Component
public class FieldMappings implements ConnectionConfigCheck {

    static final Set<String> KEYS = Set.of("path", "constant", "transform", "pattern", "lookup", "default");
    static final Set<String> TRANSFORMS = Set.of("date", "datetime", "number", "string", "lowercase", "uppercase", "lookup");

    /** The overrides of one connection and entity, ready to apply to each record. */
    public static final class Compiled {
        private final List<Map.Entry<String, JsonNode>> rules;

        Compiled(List<Map.Entry<String, JsonNode>> rules) {
            this.rules = rules;
        }

        public ObjectNode apply(ObjectNode mapped, JsonNode raw) {
            if (rules.isEmpty()) {
                return mapped;
            }
            ObjectNode out = mapped.deepCopy();
            for (Map.Entry<String, JsonNode> rule : rules) {
                JsonNode spec = rule.getValue();
                if (spec == null || spec.isNull()) {
                    out.remove(rule.getKey());
                } else if (spec.isTextual()) {
                    out.set(rule.getKey(), at(raw, spec.asText()));
                } else {
                    out.set(rule.getKey(), evaluate(spec, raw));
                }
            }
            return out;
        }
    }

    public Compiled compile(String provider, String entity, ObjectNode config) {
        JsonNode section = config == null ? null : config.path("mappings").get(entity);
        List<Map.Entry<String, JsonNode>> rules = new ArrayList<>();
        if (section != null && section.isObject()) {
            section.fields().forEachRemaining(rules::add);
        }
        return new Compiled(rules);
    }

    @Override
    public List<FieldError> check(ProviderDefinition provider, JsonNode config) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode mappings = config.get("mappings");
        if (mappings == null || mappings.isNull()) {
            return errors;
        }
        if (!mappings.isObject()) {
            errors.add(new FieldError("/config/mappings", "must be an object of entity → field mappings"));
            return errors;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = mappings.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entity = it.next();
            String base = "/config/mappings/" + entity.getKey();
            if (!provider.entities().contains(entity.getKey())) {
                errors.add(new FieldError(base, "'" + provider.key() + "' has no entity '" + entity.getKey() + "'"));
                continue;
            }
            if (entity.getValue().isNull()) {
                continue;
            }
            if (!entity.getValue().isObject()) {
                errors.add(new FieldError(base, "must be an object of target field → mapping"));
                continue;
            }
            entity.getValue().fields().forEachRemaining(f -> checkRule(base + "/" + f.getKey(), f.getValue(), errors));
        }
        return errors;
    }

    private static void checkRule(String field, JsonNode spec, List<FieldError> errors) {
        if (spec.isNull()) {
            return;
        }
        if (spec.isTextual()) {
            if (spec.asText().isBlank()) {
                errors.add(new FieldError(field, "a field path must not be empty"));
            }
            return;
        }
        if (!spec.isObject()) {
            errors.add(new FieldError(field, "must be a field path, null, or an object with path/constant/transform"));
            return;
        }
        spec.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                errors.add(new FieldError(field + "/" + k, "unknown mapping key '" + k + "'; known: " + String.join(", ",
                        KEYS.stream().sorted().toList())));
            }
        });
        boolean hasPath = spec.path("path").isTextual() && !spec.path("path").asText().isBlank();
        if (hasPath == spec.has("constant")) {
            errors.add(new FieldError(field, "needs exactly one of 'path' (a field path) or 'constant'"));
        }
        JsonNode transform = spec.get("transform");
        if (transform != null) {
            if (!transform.isTextual() || !TRANSFORMS.contains(transform.asText())) {
                errors.add(new FieldError(field + "/transform", "unknown transform '" + transform.asText() + "'; known: "
                        + String.join(", ", TRANSFORMS.stream().sorted().toList())));
            } else if ("lookup".equals(transform.asText()) && !spec.path("lookup").isObject()) {
                errors.add(new FieldError(field + "/lookup", "the lookup transform needs a 'lookup' object"));
            }
        }
        JsonNode pattern = spec.get("pattern");
        if (pattern != null) {
            try {
                DateTimeFormatter.ofPattern(pattern.asText(), Locale.ROOT);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(field + "/pattern", "not a date pattern: " + e.getMessage()));
            }
        }
    }

    static JsonNode evaluate(JsonNode spec, JsonNode raw) {
        JsonNode value = spec.has("constant") ? spec.get("constant") : at(raw, spec.path("path").asText());
        String transform = spec.path("transform").asText("");
        JsonNode fallback = spec.get("default");
        if (value.isNull() || value.isMissingNode()) {
            return fallback != null ? fallback : NullNode.getInstance();
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        String text = value.asText();
        switch (transform) {
            case "string" -> {
                return f.textNode(text);
            }
            case "lowercase" -> {
                return f.textNode(text.toLowerCase(Locale.ROOT));
            }
            case "uppercase" -> {
                return f.textNode(text.toUpperCase(Locale.ROOT));
            }
            case "number" -> {
                if (value.isNumber()) {
                    return value;
                }
                try {
                    return f.numberNode(new BigDecimal(text.trim().replace(",", "")));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("mapping: '" + text + "' is not a number");
                }
            }
            case "lookup" -> {
                JsonNode mapped = spec.path("lookup").get(text);
                return mapped != null ? mapped : fallback != null ? fallback : value;
            }
            case "date", "datetime" -> {
                return f.textNode(date(text, spec.path("pattern").asText(null), "date".equals(transform)));
            }
            default -> {
                return value;
            }
        }
    }

    private static String date(String text, String pattern, boolean dateOnly) {
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
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("mapping: '" + text + "' is not a date");
        }
    }

    /** Dot path with numeric segments for array items: {@code lines.0.amount}. */
    static JsonNode at(JsonNode raw, String path) {
        JsonNode node = raw;
        for (String segment : path.split("\\.")) {
            if (node == null) {
                break;
            }
            node = node.isArray() && segment.matches("\\d+") ? node.get(Integer.parseInt(segment)) : node.get(segment);
        }
        return node == null ? NullNode.getInstance() : node.deepCopy();
    }
}
