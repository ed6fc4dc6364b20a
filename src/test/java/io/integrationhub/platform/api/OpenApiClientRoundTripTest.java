package io.integrationhub.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.support.NodeTools;
import io.integrationhub.support.SandboxHubTest;

/**
 * What a host developer does: generate a TypeScript client from the API document (openapi-typescript types, used
 * through openapi-fetch), compile it strictly, and run clients/typescript/src/roundtrip.ts against a running hub —
 * a connect session for an end user, the connection from the end user's browser with its token, provider consent,
 * sync and records with the tenant key. The client is
 * generated here from the document in the source tree, so a document that drifts from what the script uses breaks
 * the compile. Notion through the provider sandbox, as in NotionSandboxTest.
 */
class OpenApiClientRoundTripTest extends SandboxHubTest {

    @Test
    void shouldConnectSyncAndReadRecordsWithTheClientGeneratedFromTheDocument() throws IOException {
        NodeTools.ready();
        NodeTools.Result build = NodeTools.run(Map.of(), "npm", "run", "--silent", "build");
        assertThat(build.exitCode()).as("generate + tsc (strict):\n" + build.describe()).isZero();

        String key = newTenantKey();
        NodeTools.Result run = NodeTools.run(Map.of("HUB_URL", PUBLIC_URL, "HUB_API_KEY", key),
                "node", "build/roundtrip.js");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        String line = run.stdout().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line:\n" + run.describe()));
        JsonNode result = new ObjectMapper().readTree(line.substring("RESULT ".length()));
        assertThat(result.path("endUser").asText()).as("connected through the end user's connect session")
                .isEqualTo("roundtrip-end-user");
        assertThat(result.path("account").asText()).isEqualTo("Sandbox Kitchen");
        assertThat(result.path("created").asInt()).isEqualTo(7);
        assertThat(result.path("records")).hasSize(7);
        assertThat(result.path("records").findValuesAsText("title")).contains("Sourdough loaf", "Caesar salad");

        // The script's connection and records are the tenant's, as the hub tells the host directly.
        String connection = result.path("connectionId").asText();
        JsonNode stored = hub.get("/api/v1/connections/" + connection + "/records/page?limit=100", key).json();
        assertThat(stored.path("records").findValuesAsText("externalId"))
                .containsExactlyInAnyOrderElementsOf(result.path("records").findValuesAsText("externalId"));
        JsonNode mine = hub.get("/api/v1/connections?endUserId=roundtrip-end-user", key).json();
        assertThat(mine).extracting(c -> c.path("id").asText()).containsExactly(connection);
        assertThat(mine.path(0).path("status").asText()).isEqualTo("active");
    }
}
