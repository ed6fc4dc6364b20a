package io.integrationhub.provider.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The HubSpot drawer panel (static/dashboard/families/hubspot.js) run by Node with stand-ins for the dashboard kit
 * (src/test/resources/…/panel-check.mjs): per model the pull and push buttons, the conflict policy, the count of open
 * conflicts and each conflict's two versions side by side; pressing the buttons asks the hub for a push run, an
 * incremental pull, a policy change and a manual resolution. No Spring context; skipped where Node is missing
 * (outside CI).
 */
class HubSpotPanelTest {

    @Test
    void shouldShowOpenConflictsSideBySideAndAskTheHubForPushPullPolicyAndResolution() throws Exception {
        Path script = Path.of("src/test/resources/io/integrationhub/provider/hubspot/panel-check.mjs");
        Path module = Path.of("src/main/resources/static/dashboard/families/hubspot.js");
        Process node;
        try {
            node = new ProcessBuilder("node", script.toString(), module.toAbsolutePath().toString())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue("true".equals(System.getenv("CI")), "node is not installed: " + e.getMessage());
            throw e;
        }
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.exitValue()).as(out).isZero();
        JsonNode result = new ObjectMapper().readTree(out.lines().reduce((a, b) -> b).orElseThrow());
        String shown = result.path("shown").asText();
        assertThat(shown).contains("HubSpot two-way sync", "Contacts", "Companies", "Deals", "1 open conflict",
                "Ana (app)", "Ana (HubSpot)", "Keep mine", "Push →", "Pull changes ←");
        String calls = result.path("calls").toString();
        assertThat(calls).contains("[\"api\",\"/connections/c1/syncs\",{\"method\":\"POST\",\"body\":{\"entity\":\"contact\","
                + "\"direction\":\"push\",\"mode\":\"full\"}}]");
        assertThat(calls).contains("[\"follow\",\"run-1\"]");
        assertThat(calls).contains("[\"sync\",\"deal\",{\"mode\":\"incremental\"}]");
        assertThat(calls).contains("[\"patch\",{\"config\":{\"conflicts\":{\"company\":\"prefer-remote\"}}}]");
        assertThat(calls).contains("[\"api\",\"/connections/c1/conflicts/k1/resolve\",{\"method\":\"POST\",\"body\":{\"resolution\":\"local\"}}]");
        assertThat(calls).contains("[\"removed-row\"]");
        assertThat(Files.readString(module)).doesNotContain("import ");
    }
}
