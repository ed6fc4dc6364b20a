package io.integrationhub.platform.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.KafkaProbe;

/**
 * End users and connect sessions as a host application uses them over HTTP: connections of end users, a session
 * token that reaches one end user's connections and nothing else, expiry and revocation, events carrying the end
 * user, and the embed origins that decide who may frame the session's dashboard. Shares the dashboard tests'
 * context (provider sandbox, Business Central on WireMock).
 */
class ConnectSessionsApiTest extends DashboardTestBase {

    @Autowired
    JdbcTemplate jdbc;
    @Value("${hub.kafka.bootstrap-servers}")
    String bootstrapServers;

    private JsonNode createConnection(String token, String body) {
        Response r = hub.post("/api/v1/connections", token, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private JsonNode session(String tenantKey, String body) {
        Response r = hub.post("/api/v1/connect-sessions", tenantKey, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private static List<String> ids(JsonNode connections) {
        return connections.findValuesAsText("id").stream().filter(id -> id.length() == 36).toList();
    }

    @Test
    void shouldLetASessionReachOnlyItsEndUsersConnections() {
        String key = newTenantKey();
        String a1 = createConnection(key, "{\"provider\":\"xero\",\"endUser\":{\"id\":\"user-a\",\"email\":\"a@example.com\","
                + "\"displayName\":\"Ann\"}}").path("id").asText();
        String a2 = createConnection(key, "{\"provider\":\"xero\",\"name\":\"Second books\",\"endUser\":{\"id\":\"user-a\"}}")
                .path("id").asText();
        String b = createConnection(key, "{\"provider\":\"xero\",\"endUser\":{\"id\":\"user-b\"}}").path("id").asText();
        String untagged = createConnection(key, "{\"provider\":\"square\"}").path("id").asText();

        // The tenant key sees everything, and filters by end user: one end user holds two Xero connections.
        assertThat(ids(hub.get("/api/v1/connections", key).json())).containsExactlyInAnyOrder(a1, a2, b, untagged);
        assertThat(ids(hub.get("/api/v1/connections?endUserId=user-a", key).json())).containsExactly(a1, a2);
        JsonNode ann = hub.get("/api/v1/connections/" + a1, key).json().path("endUser");
        assertThat(ann.path("id").asText()).isEqualTo("user-a");
        assertThat(ann.path("email").asText()).isEqualTo("a@example.com");
        assertThat(ann.path("displayName").asText()).isEqualTo("Ann");

        JsonNode created = session(key, "{\"endUser\":{\"id\":\"user-a\",\"displayName\":\"Ann\"},"
                + "\"providers\":[\"xero\",\"business-central\"]}");
        String token = created.path("token").asText();
        assertThat(token).startsWith("ihs_");
        assertThat(created.path("url").asText()).isEqualTo(HUB_URL + "/?session=" + token);
        assertThat(Instant.parse(created.path("expiresAt").asText())).isAfter(Instant.now().plusSeconds(25 * 60));

        // The catalog of the session, its end user's connections, and its own session.
        assertThat(hub.get("/api/v1/providers", token).json().findValuesAsText("key"))
                .containsExactlyInAnyOrder("xero", "business-central");
        assertThat(ids(hub.get("/api/v1/connections", token).json())).containsExactly(a1, a2);
        assertThat(ids(hub.get("/api/v1/connections?endUserId=user-b", token).json())).containsExactly(a1, a2);
        assertThat(hub.get("/api/v1/connections/" + a1, token).status()).isEqualTo(200);
        assertThat(hub.get("/api/v1/connect-sessions/current", token).json().path("endUser").path("id").asText())
                .isEqualTo("user-a");

        // New connections are the session's end user's, whatever the body says, and only of its providers.
        JsonNode mine = createConnection(token, "{\"provider\":\"xero\"}");
        assertThat(mine.path("endUser").path("id").asText()).isEqualTo("user-a");
        assertThat(hub.get("/api/v1/connections?endUserId=user-a", key).json()).hasSize(3);
        Response otherUser = hub.post("/api/v1/connections", token, "{\"provider\":\"xero\",\"endUser\":{\"id\":\"user-b\"}}");
        assertThat(otherUser.status()).isEqualTo(403);
        assertThat(otherUser.contentType()).startsWith("application/problem+json");
        assertThat(hub.post("/api/v1/connections", token, "{\"provider\":\"square\"}").status()).isEqualTo(403);

        // Another end user's connection looks exactly like a missing one.
        for (String path : List.of("/api/v1/connections/" + b, "/api/v1/connections/" + untagged,
                "/api/v1/connections/" + UUID.randomUUID())) {
            Response r = hub.get(path, token);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.json().path("detail").asText()).isEqualTo("The resource was not found");
            assertThat(r.body()).doesNotContain("user-b", "pending", "xero");
        }
        assertThat(hub.delete("/api/v1/connections/" + b, token).status()).isEqualTo(404);
        assertThat(hub.post("/api/v1/connections/" + b + "/check", token, "").status()).isEqualTo(404);
        assertThat(hub.post("/api/v1/connections/" + b + "/syncs", token, "{\"entity\":\"invoice\"}").status()).isEqualTo(404);
        assertThat(hub.patch("/api/v1/connections/" + b, token, "{\"name\":\"mine now\"}").status()).isEqualTo(404);
        assertThat(hub.get("/api/v1/connections/" + b, key).json().path("status").asText()).isEqualTo("pending");

        // Its own connection can be managed: renamed and disconnected (the danger zone).
        assertThat(hub.patch("/api/v1/connections/" + a2, token, "{\"name\":\"Books\"}").json().path("name").asText())
                .isEqualTo("Books");
        assertThat(hub.delete("/api/v1/connections/" + a2, token).json().path("status").asText()).isEqualTo("disconnected");
    }

    @Test
    void shouldKeepASessionAwayFromEverythingTheTenantKeyIsFor() {
        String key = newTenantKey();
        String token = session(key, "{\"endUser\":{\"id\":\"user-a\"}}").path("token").asText();
        String mine = createConnection(token, "{\"provider\":\"xero\"}").path("id").asText();

        for (String path : List.of("/api/v1/dead-letters", "/api/v1/webhook-events", "/api/v1/webhook-endpoints",
                "/api/v1/connections/" + mine + "/records/invoice", "/api/v1/openapi.yaml/../dead-letters")) {
            Response r = hub.get(path, token);
            assertThat(r.status()).as(path).isIn(403, 404);
            assertThat(r.contentType()).as(path).startsWith("application/problem+json");
        }
        assertThat(hub.get("/api/v1/dead-letters", token).status()).isEqualTo(403);
        assertThat(hub.post("/api/v1/connect-sessions", token, "{\"endUser\":{\"id\":\"user-b\"}}").status()).isEqualTo(403);
        assertThat(hub.post("/api/v1/connections/" + mine + "/actions/create-invoice", token, "{}").status()).isEqualTo(403);
        assertThat(hub.post("/api/v1/tenants", token, "{\"name\":\"mine\"}").status()).isEqualTo(401);
        assertThat(hub.get("/api/v1/connections?HubEndUserId=user-b", token).status()).isEqualTo(400);
        // The tenant key has no session of its own.
        assertThat(hub.get("/api/v1/connect-sessions/current", key).status()).isEqualTo(404);
    }

    @Test
    void shouldRefuseRevokedAndExpiredTokensWith401() {
        String key = newTenantKey();
        JsonNode revoked = session(key, "{\"endUser\":{\"id\":\"user-a\"}}");
        String token = revoked.path("token").asText();
        assertThat(hub.get("/api/v1/connections", token).status()).isEqualTo(200);

        assertThat(hub.delete("/api/v1/connect-sessions/" + revoked.path("id").asText(), newTenantKey()).status()).isEqualTo(404);
        assertThat(hub.delete("/api/v1/connect-sessions/" + revoked.path("id").asText(), key).status()).isEqualTo(204);
        Response afterRevoke = hub.get("/api/v1/connections", token);
        assertThat(afterRevoke.status()).isEqualTo(401);
        assertThat(afterRevoke.contentType()).startsWith("application/problem+json");
        assertThat(afterRevoke.json().path("detail").asText()).contains("expired or was revoked");
        assertThat(hub.get("/api/v1/connect-sessions/current", token).status()).isEqualTo(401);

        JsonNode expiring = session(key, "{\"endUser\":{\"id\":\"user-a\"}}");
        String second = expiring.path("token").asText();
        assertThat(hub.get("/api/v1/providers", second).status()).isEqualTo(200);
        // Time moves on past the session's end (30 minutes by default).
        jdbc.update("UPDATE connect_sessions SET expires_at = ? WHERE id = ?", Timestamp.from(Instant.now().minusSeconds(1)),
                UUID.fromString(expiring.path("id").asText()));
        assertThat(hub.get("/api/v1/providers", second).status()).isEqualTo(401);
        assertThat(hub.get("/api/v1/connections", "ihs_" + "x".repeat(43)).status()).isEqualTo(401);
        // Only the digest is stored.
        assertThat(jdbc.queryForObject("SELECT count(*) FROM connect_sessions WHERE token_hash = ?", Integer.class, second))
                .isZero();
    }

    @Test
    void shouldRefuseBadEndUsersAndSessionRequestsWithProblems() {
        String key = newTenantKey();
        Response noId = hub.post("/api/v1/connections", key, "{\"provider\":\"xero\",\"endUser\":{\"email\":\"a@example.com\"}}");
        assertThat(noId.status()).isEqualTo(400);
        assertThat(noId.body()).contains("endUser");
        Response badEmail = hub.post("/api/v1/connections", key, "{\"provider\":\"xero\",\"endUser\":{\"id\":\"u\",\"email\":\"nope\"}}");
        assertThat(badEmail.status()).isEqualTo(400);
        assertThat(badEmail.json().path("errors").toString()).contains("email");
        assertThat(hub.post("/api/v1/connections", key, "{\"provider\":\"xero\",\"endUser\":\"user-a\"}").status()).isEqualTo(400);
        assertThat(hub.post("/api/v1/connect-sessions", key, "{}").status()).isEqualTo(400);
        assertThat(hub.post("/api/v1/connect-sessions", key, "{\"endUser\":{\"id\":\"u\"},\"returnUrl\":\"https://evil.example/\"}")
                .json().path("errors").get(0).path("field").asText()).isEqualTo("/returnUrl");
        Response unknown = hub.post("/api/v1/connect-sessions", key, "{\"endUser\":{\"id\":\"u\"},\"providers\":[\"nope\"]}");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().path("errors").get(0).path("field").asText()).isEqualTo("/providers/0");
        assertThat(hub.get("/api/v1/connections", key).json()).isEmpty();
    }

    @Test
    void shouldCarryTheEndUserInTheEventsOfItsConnectionAndRecords() {
        String key = newTenantKey();
        String apiKey = "bc-key-" + UUID.randomUUID();
        businessCentralAccepts(apiKey);
        String token = session(key, "{\"endUser\":{\"id\":\"user-events\"}}").path("token").asText();
        String id = createConnection(token, "{\"provider\":\"business-central\",\"credentials\":{\"apiKey\":\"" + apiKey + "\"}}")
                .path("id").asText();
        odataPages("customers", 2, 2, 0, i -> customer(i, "Customer " + i));

        try (KafkaProbe records = new KafkaProbe(bootstrapServers, "hub.records.changes");
                KafkaProbe connections = new KafkaProbe(bootstrapServers, "hub.connections")) {
            Response sync = hub.post("/api/v1/connections/" + id + "/syncs", token, "{\"entity\":\"customer\"}");
            assertThat(sync.status()).as(sync.body()).isEqualTo(202);
            String run = sync.json().path("id").asText();
            // The run's progress is the end user's to watch; another end user's session does not find it.
            assertThat(hub.get("/api/v1/syncs/" + run, token).status()).isEqualTo(200);
            String stranger = session(key, "{\"endUser\":{\"id\":\"someone-else\"}}").path("token").asText();
            assertThat(hub.get("/api/v1/syncs/" + run, stranger).status()).isEqualTo(404);
            assertThat(hub.post("/api/v1/syncs/" + run + "/cancel", stranger, "").status()).isEqualTo(404);
            assertThat(hub.get("/api/v1/connections/" + id + "/syncs", stranger).status()).isEqualTo(404);
            JsonNode record = records.await(id, e -> e.path("type").asText().startsWith("io.integrationhub.record."));
            assertThat(record.path("enduserid").asText()).isEqualTo("user-events");
            assertThat(record.path("tenantid").asText()).isNotEmpty();

            assertThat(hub.delete("/api/v1/connections/" + id, token).status()).isEqualTo(200);
            JsonNode status = connections.await(id, e -> "disconnected".equals(e.path("data").path("status").asText()));
            assertThat(status.path("enduserid").asText()).isEqualTo("user-events");
        }
    }

    @Test
    void shouldAllowFramingOfTheSessionDashboardOnlyFromTheTenantsEmbedOrigins() {
        JsonNode tenant = newTenant();
        String key = tenant.path("apiKey").asText();
        String tenantPath = "/api/v1/tenants/" + tenant.path("id").asText();
        Response bad = hub.patch(tenantPath, adminToken, "{\"embedOrigins\":[\"https://app.example.com/path\",\"javascript:x\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("errors").findValuesAsText("field")).containsExactly("/embedOrigins/0", "/embedOrigins/1");
        assertThat(hub.patch(tenantPath, key, "{\"embedOrigins\":[]}").status()).isEqualTo(401);
        Response set = hub.patch(tenantPath, adminToken, "{\"embedOrigins\":[\"https://app.example.com\",\"http://localhost:3000\"]}");
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(hub.get(tenantPath, adminToken).json().path("embedOrigins").toString())
                .isEqualTo("[\"https://app.example.com\",\"http://localhost:3000\"]");

        String url = session(key, "{\"endUser\":{\"id\":\"u\"}}").path("url").asText().substring(HUB_URL.length());
        Response page = hub.get(url, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Security-Policy")).endsWith("frame-ancestors https://app.example.com http://localhost:3000");
        assertThat(page.header("X-Frame-Options")).isNull();

        // Without a session, or for a tenant without origins, the dashboard cannot be framed at all.
        assertThat(hub.get("/", null).header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(hub.get("/", null).header("Content-Security-Policy")).endsWith("frame-ancestors 'none'");
        String otherUrl = session(newTenantKey(), "{\"endUser\":{\"id\":\"u\"}}").path("url").asText().substring(HUB_URL.length());
        assertThat(hub.get(otherUrl, null).header("Content-Security-Policy")).endsWith("frame-ancestors 'none'");
        assertThat(hub.get(otherUrl, null).header("X-Frame-Options")).isEqualTo("DENY");
    }
}
