package io.integrationhub.provider.microsoft;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.provider.microsoft.sandbox.GraphSubscriptionsSim;
import io.integrationhub.support.GraphFake;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubIntegrationTest;

/**
 * Microsoft family tests: the whole hub against {@link GraphFake} (identity platform token endpoint + Graph
 * simulator on its own port). Connections are made through the real connect flow, so tokens live in the vault
 * and refreshes go through the token manager. All Microsoft test classes share this one configuration (one
 * Spring context): add properties HERE rather than on a subclass.
 */
@TestPropertySource(properties = {
        "hub.providers.microsoft.client-id=test-microsoft-client",
        "hub.providers.microsoft.client-secret=test-microsoft-secret",
        "hub.resilience.initial-backoff=PT0.02S",
        "hub.resilience.max-backoff=PT0.1S",
        "hub.resilience.max-retry-after=PT5S",
        "hub.resilience.circuit-breaker.minimum-number-of-calls=50",
        "hub.resilience.budgets.onedrive=1000",
        "hub.resilience.budgets.outlook=1000",
        "hub.resilience.budgets.outlook-calendar=1000",
        // Calendar push runs: an orphan event created just before the run may be removed (no concurrent actions here).
        "hub.sync.push-orphan-min-age=PT0S",
        "hub.microsoft.mail.page-size=2",
        // OneDrive upload-file tests serve contentUrl bodies from a local test server.
        "hub.microsoft.onedrive.content-url-hosts=127.0.0.1",
        // Folder picker pages of two, so paging is exercised.
        "hub.microsoft.onedrive.folder-page-size=2" })
public abstract class MicrosoftTestBase extends HubIntegrationTest {

    protected static final GraphFake MICROSOFT = new GraphFake();
    /** A copy of routes/ that this context loads, so a test may edit a family file as an engineer would. */
    protected static final java.nio.file.Path ROUTES = copyOfRoutes();

    private static java.nio.file.Path copyOfRoutes() {
        try {
            java.nio.file.Path source = java.nio.file.Path.of("routes").toAbsolutePath();
            java.nio.file.Path target = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "routes-");
            try (var files = java.nio.file.Files.walk(source)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Path to = target.resolve(source.relativize(f).toString());
                    if (java.nio.file.Files.isDirectory(f)) {
                        java.nio.file.Files.createDirectories(to);
                    } else {
                        java.nio.file.Files.copy(f, to);
                    }
                }
            }
            return target.toAbsolutePath();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void microsoftUrls(DynamicPropertyRegistry registry) {
        registry.add("hub.routes-dir", ROUTES::toString);
        registry.add("hub.providers.microsoft.authorize-url", () -> MICROSOFT.root() + "/common/oauth2/v2.0/authorize");
        registry.add("hub.providers.microsoft.token-url", () -> MICROSOFT.root() + "/common/oauth2/v2.0/token");
        registry.add("hub.providers.microsoft.api-url", MICROSOFT::baseUrl);
    }

    /** A tenant with its API key and one active connection. */
    protected record Tenant(UUID id, String key, UUID connectionId) {
        public String connectionPath() {
            return "/api/v1/connections/" + connectionId;
        }
    }

    @BeforeEach
    void resetGraphFaults() {
        MICROSOFT.graph().clearFaults();
    }

    /** A new tenant connected to {@code provider} through consent → callback → code exchange at the fake. */
    protected Tenant connect(String provider) {
        return connect(provider, "{}");
    }

    protected Tenant connect(String provider, String configJson) {
        JsonNode tenant = newTenant();
        String key = tenant.path("apiKey").asText();
        HubClient.Response created = hub.post("/api/v1/connections", key,
                "{\"provider\":\"" + provider + "\",\"config\":" + configJson + "}");
        if (created.status() != 201) {
            throw new AssertionError("connection not created: " + created.status() + " " + created.body());
        }
        long driveSubscriptions = driveSubscriptions();
        String state = queryParam(created.json().path("authorizeUrl").asText(), "state");
        HubClient.Response back = hub.get("/oauth/callback/" + provider + "?code=code-" + UUID.randomUUID() + "&state="
                + URLEncoder.encode(state, StandardCharsets.UTF_8), null);
        if (back.status() >= 400) {
            throw new AssertionError("callback failed: " + back.status() + " " + back.body());
        }
        UUID connectionId = UUID.fromString(created.json().path("id").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(
                hub.get("/api/v1/connections/" + connectionId, key).json().path("status").asText()));
        if ("onedrive".equals(provider)) {
            // The hub subscribes to drive changes as the connection becomes active: let that call finish first,
            // so no test sees it among the calls of its own.
            await().atMost(Duration.ofSeconds(10)).until(() -> driveSubscriptions() > driveSubscriptions);
        }
        return new Tenant(UUID.fromString(tenant.path("id").asText()), key, connectionId);
    }

    private static long driveSubscriptions() {
        return MICROSOFT.graph().part(GraphSubscriptionsSim.class).subscriptions().values().stream()
                .filter(s -> s.path("resource").asText().equals("me/drive/root")).count();
    }

    protected HubClient.Response action(Tenant t, String action, String json) {
        return hub.post(t.connectionPath() + "/actions/" + action, t.key(), json);
    }

    private static String queryParam(String url, String name) {
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError(name + " missing in " + url);
    }
}
