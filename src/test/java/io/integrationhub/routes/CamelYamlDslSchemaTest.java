package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.github.fge.jsonschema.core.exceptions.ProcessingException;
import com.github.fge.jsonschema.core.report.ProcessingMessage;
import com.github.fge.jsonschema.core.report.ProcessingReport;
import com.github.fge.jsonschema.main.JsonSchema;
import com.github.fge.jsonschema.main.JsonSchemaFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every Camel YAML route file of the hub (routes/**&#47;*.yaml, the provider families, and
 * src/main/resources/camel/*.yaml, the platform) is valid against the Camel YAML DSL JSON schema that camel-yaml-dsl
 * ships ({@code schema/camelYamlDsl.json}, draft-04) — the schema the Kaoto visual editor and the IDE tooling
 * read. Each file is one test, named by its path; a failure lists each schema error with its place in the file.
 * Validator: com.github.java-json-tools json-schema-validator (already on the classpath through the OpenAPI
 * request validator); YAML parsed with Jackson YAML.
 */
class CamelYamlDslSchemaTest {

    static final String SCHEMA = "schema/camelYamlDsl.json";
    static final List<Path> ROUTE_FOLDERS = List.of(Path.of("routes"), Path.of("src/main/resources/camel"));

    static final ObjectMapper YAML = new YAMLMapper();
    static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws IOException, ProcessingException {
        URL url = Collections.list(CamelYamlDslSchemaTest.class.getClassLoader().getResources(SCHEMA)).stream()
                .filter(u -> u.toString().contains("camel-yaml-dsl"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(SCHEMA + " not found in the camel-yaml-dsl jar"));
        JsonNode node;
        try (InputStream in = url.openStream()) {
            node = new ObjectMapper().readTree(in);
        }
        schema = JsonSchemaFactory.byDefault().getJsonSchema(node);
    }

    @TestFactory
    Stream<DynamicTest> everyRouteFileMatchesTheCamelYamlDslSchema() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path folder : ROUTE_FOLDERS) {
            try (Stream<Path> walk = Files.walk(folder)) {
                walk.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().forEach(files::add);
            }
        }
        assertThat(files).as("the route files were found")
                .contains(Path.of("routes/notion/sync.camel.yaml"), Path.of("src/main/resources/camel/provider.camel.yaml"));
        return files.stream().map(file -> DynamicTest.dynamicTest(file.toString(), file.toUri(), () -> validate(file)));
    }

    /** The check itself: what it must reject, and that the placeholder excuse covers nothing else. */
    @Test
    void rejectsWhatCamelWouldNotLoadAndExcusesOnlyPlaceholdersInTypedOptions() throws Exception {
        assertThat(schemaErrors(YAML.readTree("""
                - route:
                    id: ok
                    autoStartup: "{{hub.sandbox.enabled:false}}"
                    from:
                      uri: direct:ok
                      steps:
                        - setHeader: { name: Status, constant: "200" }
                """))).isEmpty();
        assertThat(schemaErrors(YAML.readTree("""
                - route:
                    id: misspelt-step
                    from:
                      uri: direct:a
                      steps:
                        - setHeadr: { name: Status, constant: "200" }
                """))).anySatisfy(error -> assertThat(error).startsWith("/0/route/from/steps/0").contains("setHeadr"));
        assertThat(schemaErrors(YAML.readTree("""
                - route:
                    id: not-a-placeholder
                    autoStartup: "sometimes"
                    from:
                      uri: direct:b
                      steps:
                        - log: hello
                """))).anySatisfy(error -> assertThat(error).startsWith("/0/route/autoStartup"));
        assertThat(schemaErrors(YAML.readTree("""
                - route:
                    id: unknown-option
                    from:
                      uri: direct:c
                      steps:
                        - to: { uri: "direct:d", idd: typo }
                """))).anySatisfy(error -> assertThat(error).contains("idd"));
    }

    static void validate(Path file) throws IOException, ProcessingException {
        List<String> errors = schemaErrors(YAML.readTree(file.toFile()));
        if (!errors.isEmpty()) {
            fail(file + " does not match the Camel YAML DSL schema (" + errors.size() + " errors):\n  "
                    + String.join("\n  ", errors));
        }
    }

    /**
     * The schema errors of a YAML route file, each as "pointer: message [keyword at schema pointer]".
     *
     * <p>One construct is excused: a property placeholder ({@code "{{...}}"}) as the value of an option the
     * schema types as boolean or number ({@code autoStartup: "{{hub.sandbox.enabled:false}}"}, a route template's
     * {@code failureRateThreshold: "{{failureRateThreshold}}"}, {@code maximumRedeliveries: "{{hub.errors...}}"}).
     * Camel's model keeps these options as strings and resolves placeholders in every one of them, but the schema
     * (4.17) types some of them boolean/integer only and others string (redeliveryDelay is a string,
     * maximumRedeliveries a number): a known gap of the schema (apache/camel-karavan#511). Such a value is replaced
     * by a stand-in of the schema's type and the file validated again, so every other error still counts.
     */
    static List<String> schemaErrors(JsonNode routes) throws ProcessingException {
        JsonNode instance = routes.deepCopy();
        while (true) {
            ProcessingReport report = schema.validate(instance, true);
            if (report.isSuccess()) {
                return List.of();
            }
            List<JsonNode> leaves = new ArrayList<>();
            for (ProcessingMessage message : report) {
                leaves.addAll(deepestLeaves(message.asJson()));
            }
            boolean excused = false;
            for (JsonNode leaf : leaves) {
                excused |= standInForPlaceholder(instance, leaf);
            }
            if (!excused) {
                return leaves.stream().map(CamelYamlDslSchemaTest::describe).distinct().toList();
            }
        }
    }

    /** A placeholder in a boolean or number option becomes a value of that type; true when one was replaced. */
    static boolean standInForPlaceholder(JsonNode instance, JsonNode error) {
        if (!"type".equals(error.path("keyword").asText()) || !"string".equals(error.path("found").asText())) {
            return false;
        }
        JsonPointer pointer = JsonPointer.compile(error.path("instance").path("pointer").asText());
        JsonNode value = instance.at(pointer);
        if (!value.isTextual() || !value.asText().matches("\\{\\{[^{}]+}}")) {
            return false;
        }
        Set<String> expected = new LinkedHashSet<>();
        error.path("expected").forEach(type -> expected.add(type.asText()));
        JsonNode standIn = expected.contains("boolean") ? BooleanNode.FALSE
                : expected.contains("integer") || expected.contains("number") ? IntNode.valueOf(0) : null;
        JsonNode parent = instance.at(pointer.head());
        if (standIn == null || !(parent instanceof ObjectNode object)) {
            return false;
        }
        object.set(pointer.last().getMatchingProperty(), standIn);
        return true;
    }

    /**
     * The errors that say most: oneOf/anyOf nest one report per alternative under {@code reports}; of all the
     * leaf errors under one top-level error, those deepest in the file name the actual mistake (the alternative
     * that got furthest), not the alternatives that failed at their first property.
     */
    static List<JsonNode> deepestLeaves(JsonNode message) {
        List<JsonNode> leaves = new ArrayList<>();
        leaves(message, leaves);
        int deepest = leaves.stream().mapToInt(CamelYamlDslSchemaTest::depth).max().orElse(0);
        return leaves.stream().filter(leaf -> depth(leaf) == deepest).toList();
    }

    static void leaves(JsonNode message, List<JsonNode> leaves) {
        String level = message.path("level").asText();
        if (!"error".equals(level) && !"fatal".equals(level)) {
            return;
        }
        JsonNode reports = message.path("reports");
        if (reports.isObject() && reports.size() > 0) {
            reports.elements().forEachRemaining(alternative -> alternative.forEach(m -> leaves(m, leaves)));
        } else {
            leaves.add(message);
        }
    }

    static int depth(JsonNode message) {
        String pointer = message.path("instance").path("pointer").asText();
        return pointer.isEmpty() ? 0 : pointer.split("/", -1).length - 1;
    }

    static String describe(JsonNode message) {
        String pointer = message.path("instance").path("pointer").asText();
        return (pointer.isEmpty() ? "/" : pointer) + ": " + message.path("message").asText() + " ["
                + message.path("keyword").asText() + " at " + message.path("schema").path("pointer").asText() + "]";
    }
}
