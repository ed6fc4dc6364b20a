package io.integrationhub.platform.connections;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.tenancy.TenantService;
import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.HubIntegrationTest;
import io.integrationhub.support.KafkaProbe;

class ConnectionsApiTest extends HubIntegrationTest {

    @Autowired
    ConnectionRepository repository;
    @Autowired
    TenantService tenants;
    @Autowired
    ObjectMapper mapper;
    @Value("${hub.kafka.bootstrap-servers}")
    String bootstrapServers;

    /** Until connect flows exist for a provider, a connection is put in place the way they will store one. */
    private UUID connectionFor(String apiKey, String provider) {
        UUID tenant = tenants.tenantForKey(apiKey).orElseThrow();
        return repository.insert(tenant, provider, provider + " account", ConnectionStatus.ACTIVE, List.of("a"),
                mapper.createObjectNode()).id();
    }

    @Test
    void shouldShowAConnectionWithTheContractFieldsAndNoSecrets() {
        String key = newTenantKey();
        UUID id = connectionFor(key, "xero");

        Response r = hub.get("/api/v1/connections/" + id, key);

        assertThat(r.status()).isEqualTo(200);
        JsonNode c = r.json();
        assertThat(c.path("id").asText()).isEqualTo(id.toString());
        assertThat(c.path("status").asText()).isEqualTo("active");
        assertThat(c.fieldNames()).toIterable().contains("id", "provider", "name", "status", "account", "scopes",
                "lastSyncAt", "lastError", "errorCount", "createdAt", "updatedAt", "config");
        assertThat(r.body().toLowerCase()).doesNotContain("token", "secret");
        assertThat(hub.get("/api/v1/connections", key).json()).hasSize(1);
    }

    @Test
    void shouldHideAnotherTenantsConnectionBehind404() {
        String owner = newTenantKey();
        String other = newTenantKey();
        UUID id = connectionFor(owner, "hubspot");

        assertThat(hub.get("/api/v1/connections/" + id, other).status()).isEqualTo(404);
        assertThat(hub.patch("/api/v1/connections/" + id, other, "{\"name\":\"mine now\"}").status()).isEqualTo(404);
        assertThat(hub.delete("/api/v1/connections/" + id, other).status()).isEqualTo(404);
        assertThat(hub.get("/api/v1/connections", other).body()).isEqualTo("[]");
        // and nothing changed for the owner
        JsonNode c = hub.get("/api/v1/connections/" + id, owner).json();
        assertThat(c.path("name").asText()).isEqualTo("hubspot account");
        assertThat(c.path("status").asText()).isEqualTo("active");
    }

    @Test
    void shouldAnswerAMissingConnectionAndAnInvalidIdClearly() {
        String key = newTenantKey();
        assertThat(hub.get("/api/v1/connections/" + UUID.randomUUID(), key).status()).isEqualTo(404);
        Response bad = hub.get("/api/v1/connections/not-a-uuid", key);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("errors").get(0).path("field").asText()).isEqualTo("id");
    }

    @Test
    void shouldRenameAndMergeConfigWithSchedules() {
        String key = newTenantKey();
        UUID id = connectionFor(key, "xero");

        Response first = hub.patch("/api/v1/connections/" + id, key,
                "{\"name\":\"Books\",\"config\":{\"schedules\":{\"invoice\":\"PT15M\"},\"tenantHint\":\"nz\"}}");
        assertThat(first.status()).isEqualTo(200);
        Response second = hub.patch("/api/v1/connections/" + id, key,
                "{\"config\":{\"schedules\":{\"contact\":\"0 0/30 * * * ?\"},\"tenantHint\":null}}");

        JsonNode config = second.json().path("config");
        assertThat(second.json().path("name").asText()).isEqualTo("Books");
        assertThat(config.path("schedules").path("invoice").asText()).isEqualTo("PT15M");
        assertThat(config.path("schedules").path("contact").asText()).isEqualTo("0 0/30 * * * ?");
        assertThat(config.has("tenantHint")).isFalse();
    }

    @Test
    void shouldRejectImpossibleSchedulesWith422NamingTheField() {
        String key = newTenantKey();
        UUID id = connectionFor(key, "xero");

        Response unknownEntity = hub.patch("/api/v1/connections/" + id, key, "{\"config\":{\"schedules\":{\"email\":\"PT5M\"}}}");
        Response badCron = hub.patch("/api/v1/connections/" + id, key, "{\"config\":{\"schedules\":{\"invoice\":\"every tuesday\"}}}");
        Response tooOften = hub.patch("/api/v1/connections/" + id, key, "{\"config\":{\"schedules\":{\"invoice\":\"PT5S\"}}}");

        for (Response r : List.of(unknownEntity, badCron, tooOften)) {
            assertThat(r.status()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        assertThat(unknownEntity.json().path("errors").get(0).path("field").asText()).isEqualTo("/config/schedules/email");
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("config").path("schedules").isMissingNode()).isTrue();
    }

    @Test
    void shouldHoldCronSchedulesToTheSameOneMinuteMinimumAsIntervals() {
        String key = newTenantKey();
        UUID id = connectionFor(key, "xero");
        // Every second; every 30 s; twice within one minute of a single day: each fires more than once a minute.
        for (String cron : List.of("* * * * * ?", "0/30 * * * * ?", "0,1 0 0 1 1 ?", "0-5 * * * * ?")) {
            Response r = hub.patch("/api/v1/connections/" + id, key,
                    "{\"config\":{\"schedules\":{\"invoice\":\"" + cron + "\"}}}");
            assertThat(r.status()).as(cron).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("/config/schedules/invoice");
            assertThat(r.json().path("errors").get(0).path("message").asText()).contains("once a minute");
        }
        assertThat(hub.get("/api/v1/connections/" + id, key).json().path("config").path("schedules").isMissingNode()).isTrue();

        for (String cron : List.of("0 * * * * ?", "30 0/5 8-17 ? * MON-FRI", "0 0 3 * * ?")) {
            Response r = hub.patch("/api/v1/connections/" + id, key,
                    "{\"config\":{\"schedules\":{\"invoice\":\"" + cron + "\"}}}");
            assertThat(r.status()).as(cron + ": " + r.body()).isEqualTo(200);
        }
    }

    @Test
    void shouldRejectUnknownPatchFieldsWith400() {
        String key = newTenantKey();
        UUID id = connectionFor(key, "xero");
        Response r = hub.patch("/api/v1/connections/" + id, key, "{\"status\":\"active\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("/status");
    }

    @Test
    void shouldDisconnectKeepTheRowAndAnnounceItOnKafka() {
        String key = newTenantKey();
        UUID id = connectionFor(key, "square");

        try (KafkaProbe events = new KafkaProbe(bootstrapServers, "hub.connections")) {
            Response r = hub.delete("/api/v1/connections/" + id, key);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("status").asText()).isEqualTo("disconnected");
            assertThat(hub.get("/api/v1/connections/" + id, key).json().path("status").asText()).isEqualTo("disconnected");
            assertThat(hub.delete("/api/v1/connections/" + id, key).status()).isEqualTo(200);

            JsonNode event = events.await(id.toString(), e -> true);
            assertThat(event.path("specversion").asText()).isEqualTo("1.0");
            assertThat(event.path("type").asText()).isEqualTo("io.integrationhub.connection.status_changed");
            assertThat(event.path("data").path("status").asText()).isEqualTo("disconnected");
            assertThat(event.path("data").path("previousStatus").asText()).isEqualTo("active");
        }
    }
}
