package io.integrationhub.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.support.NodeTools;

/**
 * Host applications generate their clients from /api/v1/openapi.yaml. Redocly CLI with its recommended rules
 * (clients/typescript/redocly.yaml, version pinned there) finds no error and no warning in the document as it is in
 * the source tree now, and nothing is ignored.
 */
class OpenApiLintTest {

    @Test
    void shouldLintTheApiDocumentWithRedoclyRecommendedRulesWithoutAnyProblem() throws IOException {
        NodeTools.ready();

        NodeTools.Result lint = NodeTools.run(Map.of(), "npx", "--no-install", "redocly", "lint", "--format=json",
                NodeTools.apiDocumentArgument());

        JsonNode report;
        try {
            report = new ObjectMapper().readTree(lint.stdout());
        } catch (IOException e) {
            throw new AssertionError("Redocly gave no JSON report:\n" + lint.describe(), e);
        }
        List<String> problems = new ArrayList<>();
        report.path("problems").forEach(p -> problems.add(p.path("severity").asText() + " " + p.path("ruleId").asText()
                + " at " + p.path("location").path(0).path("pointer").asText() + ": " + p.path("message").asText()));
        JsonNode totals = report.path("totals");
        assertThat(totals.isObject()).as(lint.describe()).isTrue();
        assertThat(problems).as("Redocly lint problems").isEmpty();
        assertThat(totals.path("errors").asInt(-1)).isZero();
        assertThat(totals.path("warnings").asInt(-1)).isZero();
        assertThat(totals.path("ignored").asInt(-1)).as("problems hidden by an ignore file").isZero();
        assertThat(lint.exitCode()).as(lint.describe()).isZero();
    }
}
