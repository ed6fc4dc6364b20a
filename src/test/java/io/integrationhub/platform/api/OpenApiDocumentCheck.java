package io.integrationhub.platform.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Structural checks of the OpenAPI 3.0 document that need no Node.js (OpenApiLintTest runs the real linter): the
 * breakage an unquoted comma in a YAML flow mapping causes ({@code { description: a, b }} makes {@code b} a key with
 * no value), schema keywords that do not exist, {@code nullable} without {@code type}, property names that cannot be
 * names, and what every operation and tag must carry (operationId, summary, description, declared tags, a 4xx).
 */
final class OpenApiDocumentCheck {

    /** The fields of an OpenAPI 3.0 Schema Object. */
    private static final Set<String> SCHEMA_KEYWORDS = Set.of("$ref", "title", "multipleOf", "maximum",
            "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems",
            "minItems", "uniqueItems", "maxProperties", "minProperties", "required", "enum", "type", "allOf", "oneOf",
            "anyOf", "not", "items", "properties", "additionalProperties", "description", "format", "default",
            "nullable", "discriminator", "readOnly", "writeOnly", "xml", "externalDocs", "example", "deprecated");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    /** Free-form values (examples, defaults, enums), where a null is a legitimate value. */
    private static final Set<String> VALUES = Set.of("example", "examples", "default", "enum");
    private static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z_$@][A-Za-z0-9_$@.-]*");

    private final List<String> problems = new ArrayList<>();

    private OpenApiDocumentCheck() {
    }

    static List<String> problems(Map<String, Object> document) {
        OpenApiDocumentCheck check = new OpenApiDocumentCheck();
        Set<String> tags = check.tags(document.get("tags"));
        check.operations(document.get("paths"), tags);
        check.walk(document, "#");
        return check.problems;
    }

    private Set<String> tags(Object tags) {
        Set<String> names = new HashSet<>();
        if (!(tags instanceof List<?> list)) {
            problems.add("#/tags: the document declares no tags");
            return names;
        }
        for (int i = 0; i < list.size(); i++) {
            Map<?, ?> tag = list.get(i) instanceof Map<?, ?> m ? m : Map.of();
            names.add(String.valueOf(tag.get("name")));
            if (blank(tag.get("description"))) {
                problems.add("#/tags/" + i + " (" + tag.get("name") + "): no description");
            }
        }
        return names;
    }

    private void operations(Object paths, Set<String> declaredTags) {
        if (!(paths instanceof Map<?, ?> map)) {
            problems.add("#/paths: missing");
            return;
        }
        map.forEach((path, item) -> {
            if (!(item instanceof Map<?, ?> operations)) {
                return;
            }
            operations.forEach((method, op) -> {
                if (!METHODS.contains(String.valueOf(method)) || !(op instanceof Map<?, ?> operation)) {
                    return;
                }
                String where = "#/paths/" + escape(String.valueOf(path)) + "/" + method;
                for (String field : List.of("operationId", "summary", "description")) {
                    if (blank(operation.get(field))) {
                        problems.add(where + ": no " + field);
                    }
                }
                if (!(operation.get("tags") instanceof List<?> tags) || tags.isEmpty()) {
                    problems.add(where + ": no tags");
                } else {
                    tags.stream().map(String::valueOf).filter(t -> !declaredTags.contains(t))
                            .forEach(t -> problems.add(where + ": tag '" + t + "' is not declared in #/tags"));
                }
                if (!(operation.get("responses") instanceof Map<?, ?> responses)
                        || responses.keySet().stream().map(String::valueOf).noneMatch(s -> s.startsWith("4"))) {
                    problems.add(where + ": no 4xx response");
                }
            });
        });
    }

    /** Everything outside schemas: no key without a value; schemas where they are found. */
    private void walk(Object node, String pointer) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, value) -> {
                String key = String.valueOf(k);
                String at = pointer + "/" + escape(key);
                if (value == null && !VALUES.contains(key)) {
                    problems.add(at + ": a key without a value (text after an unquoted comma in a flow mapping?)");
                } else if (VALUES.contains(key) || key.startsWith("x-")) {
                    return;
                } else if ("schema".equals(key)) {
                    schema(value, at);
                } else if ("#/components/schemas".equals(pointer)) {
                    schema(value, at);
                } else {
                    walk(value, at);
                }
            });
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), pointer + "/" + i);
            }
        }
    }

    private void schema(Object node, String pointer) {
        if (!(node instanceof Map<?, ?> schema)) {
            problems.add(pointer + ": a schema must be an object, is " + node);
            return;
        }
        schema.forEach((k, value) -> {
            String key = String.valueOf(k);
            if (!SCHEMA_KEYWORDS.contains(key) && !key.startsWith("x-")) {
                problems.add(pointer + ": '" + key + "' is not a schema keyword"
                        + (value == null ? " (text after an unquoted comma in a flow mapping?)" : ""));
            } else if (value == null && !VALUES.contains(key)) {
                problems.add(pointer + "/" + escape(key) + ": no value");
            }
        });
        if (schema.containsKey("nullable") && !schema.containsKey("type")) {
            problems.add(pointer + ": nullable without type");
        }
        if (schema.get("properties") instanceof Map<?, ?> properties) {
            properties.forEach((name, property) -> {
                String at = pointer + "/properties/" + escape(String.valueOf(name));
                if (!PROPERTY_NAME.matcher(String.valueOf(name)).matches()) {
                    problems.add(at + ": not a property name");
                }
                schema(property, at);
            });
        } else if (schema.containsKey("properties")) {
            problems.add(pointer + "/properties: must be an object");
        }
        for (String single : List.of("items", "not")) {
            if (schema.containsKey(single)) {
                schema(schema.get(single), pointer + "/" + single);
            }
        }
        if (schema.get("additionalProperties") instanceof Map<?, ?> additional) {
            schema(additional, pointer + "/additionalProperties");
        }
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            if (schema.get(combinator) instanceof List<?> branches) {
                for (int i = 0; i < branches.size(); i++) {
                    schema(branches.get(i), pointer + "/" + combinator + "/" + i);
                }
            }
        }
    }

    private static boolean blank(Object value) {
        return value == null || String.valueOf(value).isBlank();
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
