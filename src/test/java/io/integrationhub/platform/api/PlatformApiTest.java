package io.integrationhub.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.HubIntegrationTest;

class PlatformApiTest extends HubIntegrationTest {

    @Test
    void shouldListTheCatalogProvidersWithTheirShape() {
        Response r = hub.get("/api/v1/providers", newTenantKey());

        assertThat(r.status()).isEqualTo(200);
        List<String> keys = new ArrayList<>();
        for (JsonNode p : r.json()) {
            keys.add(p.path("key").asText());
            assertThat(p.fieldNames()).toIterable().contains("key", "name", "category", "authType", "scopes",
                    "entities", "actions", "webhooks", "configured");
            assertThat(p.path("authType").asText()).isIn("oauth2", "api_key");
        }
        assertThat(keys).containsExactly("onedrive", "outlook", "outlook-calendar", "xero", "google-drive", "google-calendar", "square",
                "hubspot", "business-central", "slack", "notion", "simpro");
    }

    @Test
    void shouldSayPerEntityWhichRunsThisHubCanStart() {
        JsonNode providers = hub.get("/api/v1/providers", newTenantKey()).json();
        JsonNode calendar = null;
        JsonNode mail = null;
        for (JsonNode p : providers) {
            if (p.path("key").asText().equals("outlook-calendar")) {
                calendar = p.path("syncs").get(0);
            }
            if (p.path("key").asText().equals("outlook")) {
                mail = p.path("syncs").get(0);
            }
        }
        assertThat(calendar.path("entity").asText()).isEqualTo("calendar_event");
        assertThat(calendar.path("pull").asBoolean()).isFalse();
        assertThat(calendar.path("push").asBoolean()).isTrue();
        assertThat(mail.path("entity").asText()).isEqualTo("email");
        assertThat(mail.path("pull").asBoolean()).isTrue();
        assertThat(mail.path("push").asBoolean()).isFalse();
    }

    @Test
    void shouldTakeABodilessPostOfAnOperationWhoseBodyIsOptional() {
        Response r = hub.send(hub.request("/api/v1/connections/" + java.util.UUID.randomUUID() + "/check", newTenantKey())
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.status()).as(r.body()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @Test
    void shouldAskMicrosoftEntriesOnlyForTheirOwnScopes() {
        JsonNode providers = hub.get("/api/v1/providers", newTenantKey()).json();
        JsonNode calendar = find(providers, "outlook-calendar");
        assertThat(calendar.path("scopes").toString()).contains("Calendars.ReadWrite").doesNotContain("Mail.", "Files.");
        JsonNode onedrive = find(providers, "onedrive");
        assertThat(onedrive.path("scopes").toString()).contains("Files.ReadWrite.All").doesNotContain("Mail.", "Calendars.");
    }

    @Test
    void shouldReportUnconfiguredOauthProvidersWithTheMissingSetting() {
        JsonNode xero = find(hub.get("/api/v1/providers", newTenantKey()).json(), "xero");
        assertThat(xero.path("configured").asBoolean()).isFalse();
        assertThat(xero.path("missingSetting").asText()).isEqualTo("hub.providers.xero.client-id");
    }

    @Test
    void shouldListNoConnectionsForANewTenant() {
        Response r = hub.get("/api/v1/connections", newTenantKey());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("[]");
    }

    @Test
    void shouldRejectRequestsWithoutOrWithAWrongKey() {
        Response none = hub.get("/api/v1/connections", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");

        Response wrong = hub.get("/api/v1/providers", "ihk_not-a-real-key");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().path("status").asInt()).isEqualTo(401);
    }

    @Test
    void shouldNotAcceptATenantKeyForTenantCreation() {
        Response r = hub.post("/api/v1/tenants", newTenantKey(), "{\"name\":\"sneaky\"}");
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void shouldCreateATenantWhoseKeyWorksAndIsNotStoredInClear() {
        JsonNode tenant = newTenant();
        assertThat(tenant.path("apiKey").asText()).startsWith("ihk_").hasSizeGreaterThan(40);
        assertThat(hub.get("/api/v1/connections", tenant.path("apiKey").asText()).status()).isEqualTo(200);
    }

    @Test
    void shouldAnswerADuplicateTenantNameWithConflict() {
        String name = newTenant().path("name").asText();
        Response r = hub.post("/api/v1/tenants", adminToken, "{\"name\":\"" + name + "\"}");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/connections", "/api/v1/tenants"})
    void shouldAnswerMalformedJsonWithAProblem400(String path) {
        String token = path.endsWith("tenants") ? adminToken : newTenantKey();
        Response r = hub.post(path, token, "{\"name\": ");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("title").asText()).isNotBlank();
        assertThat(r.json().path("type").asText()).startsWith("https://");
    }

    @Test
    void shouldNameEachFieldAtFault() {
        Response r = hub.post("/api/v1/connections", newTenantKey(), "{\"name\": 5, \"surprise\": true}");
        assertThat(r.status()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        r.json().path("errors").forEach(e -> fields.add(e.path("field").asText()));
        assertThat(fields).contains("/provider", "/name", "/surprise");
    }

    @Test
    void shouldAnswerAnUnknownProviderWith422() {
        Response r = hub.post("/api/v1/connections", newTenantKey(), "{\"provider\":\"myspace\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().path("errors").get(0).path("field").asText()).isEqualTo("/provider");
    }

    @Test
    void shouldAnswerAnUnconfiguredProviderWith422NamingTheSetting() {
        Response r = hub.post("/api/v1/connections", newTenantKey(), "{\"provider\":\"xero\"}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().path("detail").asText()).contains("hub.providers.xero.client-id");
    }

    @Test
    void shouldAnswerAWrongContentTypeWith415() {
        Response r = hub.send(hub.request("/api/v1/connections", newTenantKey())
                .header("Content-Type", "text/plain")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("provider=xero")).build());
        assertThat(r.status()).isEqualTo(415);
    }

    @Test
    void shouldNeverEchoTheCallersAuthorizationHeader() {
        String key = newTenantKey();
        Response ok = hub.get("/api/v1/connections", key);
        Response bad = hub.post("/api/v1/connections", key, "{oops");
        for (Response r : List.of(ok, bad)) {
            assertThat(r.raw().headers().map().toString()).doesNotContain(key);
            assertThat(r.header("HubTenantId")).isNull();
        }
    }

    @Test
    void shouldAnswerUnknownPathsAndMethodsWithProblems() {
        String key = newTenantKey();
        Response unknown = hub.get("/api/v1/no-such-thing", key);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        Response wrongMethod = hub.send(hub.request("/api/v1/providers", key)
                .method("PUT", java.net.http.HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build());
        assertThat(wrongMethod.status()).isEqualTo(405);
    }

    @Test
    void shouldServeTheOpenApiDocumentWithoutAKey() {
        Response r = hub.get("/api/v1/openapi.yaml", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).startsWith("openapi: 3").contains("operationId: listConnections");
    }

    private static JsonNode find(JsonNode providers, String key) {
        for (JsonNode p : providers) {
            if (p.path("key").asText().equals(key)) {
                return p;
            }
        }
        throw new AssertionError("no provider " + key);
    }
}
