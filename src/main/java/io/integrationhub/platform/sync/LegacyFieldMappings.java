package io.integrationhub.platform.sync;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The rule language {@code config.mappings.<entity>} had before it became JSONata, rewritten into the equivalent
 * JSONata expression: by migration {@code V31} for stored configs, and in the {@code 422} answer to a config that
 * still sends the old form. Frozen: it translates what the hub accepted before V31 and nothing else.
 *
 * <p>Old rules ({@code {"target": rule}}, each writing one field of the record's data): {@code "a.b.0.c"} (the value
 * at that path of the provider object, null when absent), {@code {"constant": v}}, {@code {"path" | "constant",
 * "transform": date|datetime|number|string|lowercase|uppercase|lookup, "pattern", "lookup", "default"}}, and
 * {@code null} (drop the field). The JSONata keeps the data and overrides (or drops) those fields:
 * <pre>
 * $merge([$sift(data, function($v, $k) { $not($k in ["dropped"]) }), { "target": …, … }])
 * </pre>
 * One difference, documented in docs/sync-engine.md: a path through an array without an index now gives the values of
 * every item (the old language gave null).
 */
public final class LegacyFieldMappings {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LegacyFieldMappings() {
    }

    /** Whether a {@code config.mappings.<entity>} value is in the old rule language (an object of rules). */
    public static boolean isLegacy(JsonNode section) {
        return section != null && section.isObject();
    }

    /** The JSONata expression doing what the old rules of one entity did. */
    public static String toJsonata(JsonNode rules) {
        List<String> dropped = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        boolean text = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = rules.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> rule = it.next();
            JsonNode spec = rule.getValue();
            if (spec == null || spec.isNull()) {
                dropped.add(literal(rule.getKey()));
                continue;
            }
            String value = value(spec);
            text |= value.contains("$text(");
            fields.add("      " + literal(rule.getKey()) + ": " + value);
        }
        if (dropped.isEmpty() && fields.isEmpty()) {
            return "data";
        }
        StringBuilder out = new StringBuilder("(\n  /* rewritten from the former rule language by migration V31 */\n");
        if (text) {
            out.append("  $text := function($x) { $type($x) = \"string\" ? $x : ($type($x) = \"object\" or $type($x) = "
                    + "\"array\") ? \"\" : $string($x) };\n");
        }
        out.append("  $merge([\n    ");
        out.append(dropped.isEmpty() ? "data" : "$sift(data, function($v, $k) { $not($k in [" + String.join(", ", dropped)
                + "]) })");
        out.append(",\n    {\n").append(String.join(",\n", fields)).append("\n    }\n  ])\n)");
        return out.toString();
    }

    private static String value(JsonNode spec) {
        if (spec.isTextual()) {
            return "($x := " + path(spec.asText()) + "; $exists($x) ? $x : null)";
        }
        String source = spec.has("constant") ? literal(spec.get("constant")) : path(spec.path("path").asText());
        String fallback = spec.has("default") ? literal(spec.get("default")) : "null";
        String transformed = switch (spec.path("transform").asText("")) {
            case "string" -> "$text($x)";
            case "lowercase" -> "$lowercase($text($x))";
            case "uppercase" -> "$uppercase($text($x))";
            case "number" -> "($type($x) = \"number\" ? $x : $number($replace($trim($text($x)), \",\", \"\")))";
            case "lookup" -> "($l := " + literal(spec.path("lookup")) + "; $exists($lookup($l, $text($x))) ? "
                    + "$lookup($l, $text($x)) : " + (spec.has("default") ? fallback : "$x") + ")";
            case "date", "datetime" -> "$" + spec.path("transform").asText() + "($text($x), "
                    + (spec.path("pattern").isValueNode() && !spec.path("pattern").isNull()
                            ? literal(spec.path("pattern").asText()) : "null") + ")";
            default -> "$x";
        };
        return "($x := " + source + "; ($exists($x) and $type($x) != \"null\") ? " + transformed + " : " + fallback + ")";
    }

    /** A dot path of the old language ({@code lines.0.amount}) as a JSONata path in {@code raw}. */
    static String path(String path) {
        String out = "raw";
        for (String segment : path.split("\\.")) {
            if (segment.matches("\\d+")) {
                out += "[" + segment + "]";
            } else if (segment.isEmpty() || segment.contains("`")) {
                out = "$lookup(" + out + ", " + literal(segment) + ")";
            } else {
                out += ".`" + segment + "`";
            }
        }
        return out;
    }

    private static String literal(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
