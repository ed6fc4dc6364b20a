package io.integrationhub.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A hub with the provider sandbox on (the zero-setup experience: OAuth consent and provider APIs served by the hub
 * itself), listening on its public URL, because the sandbox is reached through it. Subclasses share one context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
public abstract class SandboxHubTest extends HubIntegrationTest {

    protected static final int PORT = freePort();
    /** 127.0.0.1, not localhost: the hub listens on IPv4 loopback only, and Node.js may resolve localhost to ::1. */
    protected static final String PUBLIC_URL = "http://127.0.0.1:" + PORT;

    @DynamicPropertySource
    static void sandbox(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("hub.public-url", () -> PUBLIC_URL);
        registry.add("hub.sandbox.enabled", () -> "true");
    }

    /**
     * Creates a connection ({@code body}: the POST body naming the provider) and goes through the sandbox's consent
     * page like a user pressing "Approve", then the redirect to the hub's callback; answers the connection's API path
     * once it is {@code active}.
     */
    protected String connectInSandbox(String key, String body) {
        HubClient.Response created = hub.post("/api/v1/connections", key, body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String provider = created.json().path("provider").asText();
        String authorize = created.json().path("authorizeUrl").asText();
        assertThat(authorize).startsWith(PUBLIC_URL + "/sandbox/" + provider + "/authorize?");
        HubClient.Response consent = hub.get(URI.create(authorize).getRawPath() + "?" + URI.create(authorize).getRawQuery(), null);
        assertThat(consent.status()).isEqualTo(200);
        Matcher approve = Pattern.compile("id=\"approve\" href=\"([^\"]+)\"").matcher(consent.body());
        assertThat(approve.find()).as(consent.body()).isTrue();
        String callback = hub.get(approve.group(1).replace("&amp;", "&"), null).header("Location");
        assertThat(callback).contains("/oauth/callback/" + provider + "?");
        HubClient.Response back = hub.get(URI.create(callback).getRawPath() + "?" + URI.create(callback).getRawQuery(), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        String path = "/api/v1/connections/" + created.json().path("id").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(hub.get(path, key).json().path("status").asText()));
        return path;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
