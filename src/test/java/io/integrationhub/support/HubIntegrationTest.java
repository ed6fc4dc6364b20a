package io.integrationhub.support;

import java.util.UUID;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Base of the tests that drive a running hub over HTTP like a host application: the whole app on a
 * random port, PostgreSQL, embedded Kafka. Subclasses with the same configuration share one context.
 */
@CamelSpringBootTest
@AutoConfigureObservability
@DisableJmx(false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public abstract class HubIntegrationTest {

    @LocalServerPort
    protected int port;

    @Value("${hub.admin-token}")
    protected String adminToken;

    protected HubClient hub;

    @BeforeEach
    void client() {
        hub = new HubClient("http://localhost:" + port);
    }

    /** A new tenant; returns its API key (each test gets its own tenant, so tests never share data). */
    protected String newTenantKey() {
        return newTenant().path("apiKey").asText();
    }

    protected JsonNode newTenant() {
        HubClient.Response r = hub.post("/api/v1/tenants", adminToken,
                "{\"name\":\"tenant-" + UUID.randomUUID() + "\"}");
        if (r.status() != 201) {
            throw new AssertionError("tenant creation failed: " + r.status() + " " + r.body());
        }
        return r.json();
    }
}
