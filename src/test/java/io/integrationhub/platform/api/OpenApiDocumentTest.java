package io.integrationhub.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The API document the hub serves (api/openapi.yaml) is sound for client generators, checked in Java so it runs
 * everywhere, with or without Node.js (OpenApiLintTest runs Redocly CLI on top).
 */
class OpenApiDocumentTest {

    @Test
    void shouldServeADocumentWithoutStructuralProblems() throws IOException {
        try (InputStream in = new ClassPathResource("api/openapi.yaml").getInputStream()) {
            assertThat(OpenApiDocumentCheck.problems(load(in))).isEmpty();
        }
    }

    @Test
    void shouldFindTheBreakageUnquotedCommasAndUntypedNullablesCaused() {
        // The two schemas as they were before the fix, in an otherwise complete document.
        Map<String, Object> broken = load("""
                openapi: 3.0.3
                info: { title: t, version: "1" }
                tags:
                  - name: webhooks
                    description: Events
                paths:
                  /webhook-events:
                    get:
                      operationId: listWebhookEvents
                      tags: [webhooks, records]
                      summary: Events
                      responses:
                        "200":
                          description: Events
                          content:
                            application/json:
                              schema: { $ref: "#/components/schemas/WebhookEvent" }
                components:
                  schemas:
                    Problem:
                      type: object
                      properties:
                        errors:
                          type: array
                          items:
                            type: object
                            properties:
                              field: { type: string, description: JSON pointer into the body, or a parameter name }
                    WebhookEvent:
                      type: object
                      properties:
                        externalEventId: { type: string, description: The provider's event id, or a stable hash }
                        payload: { description: The provider's event as delivered, nullable: true }
                        "event type": { type: string }
                """);

        List<String> problems = OpenApiDocumentCheck.problems(broken);

        assertThat(problems).containsExactlyInAnyOrder(
                "#/paths/~1webhook-events/get: no description",
                "#/paths/~1webhook-events/get: tag 'records' is not declared in #/tags",
                "#/paths/~1webhook-events/get: no 4xx response",
                "#/components/schemas/Problem/properties/errors/items/properties/field: 'or a parameter name' is not a"
                        + " schema keyword (text after an unquoted comma in a flow mapping?)",
                "#/components/schemas/WebhookEvent/properties/externalEventId: 'or a stable hash' is not a schema"
                        + " keyword (text after an unquoted comma in a flow mapping?)",
                "#/components/schemas/WebhookEvent/properties/payload: nullable without type",
                "#/components/schemas/WebhookEvent/properties/event type: not a property name");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldListEveryCatalogKeyInTheProviderSchema() throws IOException {
        // A client generated from the document must accept every provider GET /providers returns: the families'
        // catalog files (routes/<family>/catalog.json) are the catalog.
        List<String> documented;
        try (InputStream in = new ClassPathResource("api/openapi.yaml").getInputStream()) {
            Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) load(in).get("components")).get("schemas");
            Map<String, Object> key = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) schemas.get("Provider"))
                    .get("properties")).get("key");
            documented = (List<String>) key.get("enum");
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> catalog = new java.util.ArrayList<>();
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("routes"))) {
            for (java.nio.file.Path family : files.toList()) {
                java.nio.file.Path file = family.resolve("catalog.json");
                if (java.nio.file.Files.isRegularFile(file)) {
                    com.fasterxml.jackson.databind.JsonNode root = json.readTree(file.toFile());
                    if (root.has("providers")) {
                        root.path("providers").forEach(p -> catalog.add(p.path("key").asText()));
                    } else {
                        catalog.add(root.path("key").asText());
                    }
                }
            }
        }
        assertThat(catalog).isNotEmpty();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(catalog);
    }

    private static Map<String, Object> load(Object source) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        return source instanceof InputStream in ? yaml.load(in) : yaml.load((String) source);
    }
}
