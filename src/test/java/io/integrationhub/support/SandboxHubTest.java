package io.integrationhub.support;

import java.io.IOException;
import java.net.ServerSocket;

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

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
