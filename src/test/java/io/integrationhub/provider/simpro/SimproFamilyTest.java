package io.integrationhub.provider.simpro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubIntegrationTest;

/**
 * The Simpro import — only files under {@code routes/simpro/} plus the platform's per-connection base URL and record
 * references — driven over HTTP like a host application against a wire-level Simpro build ({@link SimproFake}):
 * the build URL checked (400 outside *.simprosuite.com and the operator's allowed hosts), consent and token exchange
 * at the connection's own build, 2,500 jobs imported over Simpro's page/pageSize paging with progress from
 * Result-Total, job → customer/site as hub record ids, a run that fails hard mid-import followed by one that adds
 * only what is missing, a run paused by 429 that resumes at its checkpoint, and an incremental re-import of only
 * what changed (DateModified filter).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SimproFamilyTest extends HubIntegrationTest {

    static final SimproFake SIMPRO = new SimproFake();

    @DynamicPropertySource
    static void simpro(DynamicPropertyRegistry registry) {
        registry.add("hub.providers.simpro.client-id", () -> SimproFake.CLIENT_ID);
        registry.add("hub.providers.simpro.client-secret", () -> SimproFake.CLIENT_SECRET);
        // The fake build is plain http on 127.0.0.1: an origin the operator allows.
        registry.add("hub.providers.simpro.allowed-hosts", SIMPRO::root);
        registry.add("hub.resilience.max-attempts", () -> "3");
        registry.add("hub.resilience.initial-backoff", () -> "20ms");
        registry.add("hub.resilience.max-backoff", () -> "100ms");
        registry.add("hub.resilience.max-retry-after", () -> "PT1S");
        registry.add("hub.resilience.circuit-breaker.minimum-number-of-calls", () -> "50");
        registry.add("hub.sync.sweep-period-ms", () -> "500");
        registry.add("hub.sync.queued-grace", () -> "PT3S");
    }

    record Tenant(String key, UUID connectionId) {
        String path() {
            return "/api/v1/connections/" + connectionId;
        }
    }

    @BeforeEach
    void reset() {
        SIMPRO.clearFaults();
        SIMPRO.clearCalls();
    }

    private Tenant connect() {
        String key = newTenantKey();
        HubClient.Response created = hub.post("/api/v1/connections", key,
                "{\"provider\":\"simpro\",\"config\":{\"buildUrl\":\"" + SIMPRO.root() + "/\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String authorize = created.json().path("authorizeUrl").asText();
        assertThat(authorize).startsWith(SIMPRO.root() + "/oauth2/authorize?").contains("response_type=code")
                .contains("client_id=" + SimproFake.CLIENT_ID);
        String state = param(authorize, "state");
        HubClient.Response back = hub.get("/oauth/callback/simpro?code=code-" + UUID.randomUUID() + "&state="
                + URLEncoder.encode(state, StandardCharsets.UTF_8), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        UUID id = UUID.fromString(created.json().path("id").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(
                hub.get("/api/v1/connections/" + id, key).json().path("status").asText()));
        return new Tenant(key, id);
    }

    private static String param(String url, String name) {
        for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError(name + " not in " + url);
    }

    private String start(Tenant t, String entity, String mode) {
        HubClient.Response started = hub.post(t.path() + "/syncs", t.key(),
                "{\"entity\":\"" + entity + "\",\"mode\":\"" + mode + "\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        return started.json().path("id").asText();
    }

    private JsonNode finished(Tenant t, String run) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            last[0] = hub.get("/api/v1/syncs/" + run, t.key()).json();
            return List.of("succeeded", "failed", "cancelled").contains(last[0].path("status").asText());
        });
        return last[0];
    }

    private JsonNode sync(Tenant t, String entity, String mode) {
        return finished(t, start(t, entity, mode));
    }

    private List<JsonNode> records(Tenant t, String model) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            HubClient.Response r = hub.get(t.path() + "/records/" + model + "?limit=500" + (cursor == null ? ""
                    : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), t.key());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().path("records").forEach(all::add);
            cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText(null);
        } while (cursor != null);
        return all;
    }

    private static Map<String, JsonNode> byExternalId(List<JsonNode> records) {
        return records.stream().collect(Collectors.toMap(r -> r.path("externalId").asText(), Function.identity()));
    }

    @Test
    @Order(1)
    void shouldListSimproWithItsImportEntities() {
        JsonNode simpro = null;
        for (JsonNode p : hub.get("/api/v1/providers", newTenantKey()).json()) {
            if (p.path("key").asText().equals("simpro")) {
                simpro = p;
            }
        }
        assertThat(simpro).as("simpro in the catalog").isNotNull();
        assertThat(simpro.path("name").asText()).isEqualTo("Simpro");
        assertThat(simpro.path("category").asText()).isEqualTo("field-service");
        assertThat(simpro.path("authType").asText()).isEqualTo("oauth2");
        assertThat(simpro.path("configured").asBoolean()).isTrue();
        assertThat(simpro.path("entities").toString()).isEqualTo("[\"customer\",\"site\",\"job\",\"quote\"]");
    }

    @Test
    @Order(2)
    void shouldRefuseABuildUrlOutsideSimproAndTheAllowedHostsWithA400Problem() {
        String key = newTenantKey();
        for (String url : List.of("https://evil.example.com", "http://acme.simprosuite.com",
                "https://acme.simprosuite.com.evil.io", "https://user@acme.simprosuite.com", "https://acme.simprosuite.com/x",
                "http://127.0.0.1:1")) {
            HubClient.Response r = hub.post("/api/v1/connections", key,
                    "{\"provider\":\"simpro\",\"config\":{\"buildUrl\":\"" + url + "\"}}");
            assertThat(r.status()).as(url + ": " + r.body()).isEqualTo(400);
            assertThat(r.header("Content-Type")).contains("application/problem+json");
            assertThat(r.body()).contains("/config/buildUrl");
        }
        HubClient.Response missing = hub.post("/api/v1/connections", key, "{\"provider\":\"simpro\",\"config\":{}}");
        assertThat(missing.status()).as(missing.body()).isEqualTo(422);
        assertThat(missing.body()).contains("/config/buildUrl");
        HubClient.Response simproHost = hub.post("/api/v1/connections", key,
                "{\"provider\":\"simpro\",\"config\":{\"buildUrl\":\"https://acme.simprosuite.com\"}}");
        assertThat(simproHost.status()).as(simproHost.body()).isEqualTo(201);
        assertThat(simproHost.json().path("authorizeUrl").asText()).startsWith("https://acme.simprosuite.com/oauth2/authorize?");
        assertThat(hub.get("/api/v1/connections", key).body()).doesNotContain("evil");
    }

    @Test
    @Order(3)
    void shouldConnectAtTheBuildItselfAndTakeTheCompanyAsAccount() {
        Tenant t = connect();
        assertThat(SIMPRO.tokenCalls()).hasSize(1);
        assertThat(SIMPRO.tokenCalls().get(0)).containsEntry("grant_type", "authorization_code")
                .containsEntry("client_id", SimproFake.CLIENT_ID);
        JsonNode connection = hub.get(t.path(), t.key()).json();
        assertThat(connection.path("account").path("name").asText()).isEqualTo(SimproFake.COMPANY);
        assertThat(connection.path("config").path("buildUrl").asText()).startsWith(SIMPRO.root());
        assertThat(connection.toString()).doesNotContain("at-").doesNotContain("rt-").doesNotContain(SimproFake.CLIENT_SECRET);
        HubClient.Response check = hub.post(t.path() + "/check", t.key(), "");
        assertThat(check.json().path("healthy").asBoolean()).as(check.body()).isTrue();
        HubClient.Response moved = hub.patch(t.path(), t.key(), "{\"config\":{\"buildUrl\":\"https://evil.example.com\"}}");
        assertThat(moved.status()).as(moved.body()).isEqualTo(400);
    }

    @Test
    @Order(4)
    void shouldImport2500JobsPageByPageWithRisingProgressAndReferencesAsHubRecordIds() throws Exception {
        SIMPRO.seed(40, 12, 2500, 30);
        Tenant t = connect();
        assertThat(sync(t, "customer", "incremental").path("created").asLong()).isEqualTo(40);
        assertThat(sync(t, "site", "incremental").path("created").asLong()).isEqualTo(12);
        SIMPRO.clearCalls();

        SIMPRO.holdAt("jobs", 4);
        String run = start(t, "job", "incremental");
        assertThat(SIMPRO.awaitHeld(30)).as("the run reached page 4").isTrue();
        JsonNode midway = hub.get("/api/v1/syncs/" + run, t.key()).json();
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.get("/api/v1/syncs/" + run, t.key()).json()
                .path("recordsProcessed").asLong() == 750);
        midway = hub.get("/api/v1/syncs/" + run, t.key()).json();
        assertThat(midway.path("status").asText()).isEqualTo("running");
        assertThat(midway.path("recordsTotal").asLong()).as("Result-Total").isEqualTo(2500);
        SIMPRO.release();
        JsonNode done = finished(t, run);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.path("recordsProcessed").asLong()).isEqualTo(2500);
        assertThat(done.path("recordsTotal").asLong()).isEqualTo(2500);
        assertThat(done.path("created").asLong()).isEqualTo(2500);

        List<SimproFake.Call> pages = SIMPRO.calls("jobs");
        assertThat(pages).extracting(SimproFake.Call::page).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(pages).allSatisfy(c -> {
            assertThat(c.path()).isEqualTo("/api/v1.0/companies/0/jobs/");
            assertThat(c.query()).containsEntry("pageSize", "250").containsEntry("orderby", "ID")
                    .doesNotContainKey("DateModified");
            assertThat(c.query().get("columns")).contains("Customer").contains("Site").contains("DateModified");
            assertThat(c.authorization()).startsWith("Bearer at-");
        });

        Map<String, JsonNode> customers = byExternalId(records(t, "customer"));
        Map<String, JsonNode> sites = byExternalId(records(t, "site"));
        List<JsonNode> jobs = records(t, "job");
        assertThat(jobs).hasSize(2500);
        JsonNode job = byExternalId(jobs).get("1042");
        assertThat(job.path("data").path("name").asText()).isEqualTo("Job 42");
        assertThat(job.path("data").path("total").path("incTax").asDouble()).isEqualTo(152.0);
        assertThat(job.path("data").path("customer").path("externalId").asText()).isEqualTo("2");
        assertThat(job.path("data").path("customer").path("id").asText()).isEqualTo(customers.get("2").path("id").asText());
        assertThat(job.path("data").path("site").path("id").asText()).isEqualTo(sites.get("106").path("id").asText());
        assertThat(customers.get("3").path("data").path("kind").asText()).isEqualTo("individual");
        assertThat(customers.get("3").path("data").path("name").asText()).isEqualTo("Given3 Family3");
        assertThat(customers.get("2").path("data").path("name").asText()).isEqualTo("Customer Co 2");
        assertThat(sites.get("101").path("data").path("customers").get(0).path("id").asText())
                .isEqualTo(customers.get("1").path("id").asText());

        JsonNode quotes = sync(t, "quote", "incremental");
        assertThat(quotes.path("created").asLong()).isEqualTo(30);
        JsonNode quote = byExternalId(records(t, "quote")).get("50001");
        assertThat(quote.path("data").path("customer").path("id").asText()).isEqualTo(customers.get("1").path("id").asText());

        // Incremental: only what changed since the last run is asked for and written.
        SIMPRO.modify("jobs", 1007, "Job 7, rescheduled");
        SIMPRO.modify("jobs", 2400, "Job 1400, rescheduled");
        SIMPRO.clearCalls();
        JsonNode again = sync(t, "job", "incremental");
        assertThat(again.path("status").asText()).as(again.toString()).isEqualTo("succeeded");
        assertThat(again.path("recordsProcessed").asLong()).isEqualTo(2);
        assertThat(again.path("updated").asLong()).isEqualTo(2);
        assertThat(again.path("created").asLong()).isZero();
        assertThat(SIMPRO.calls("jobs")).hasSize(1);
        assertThat(SIMPRO.calls("jobs").get(0).query().get("DateModified")).startsWith("ge(");
        JsonNode renamed = byExternalId(records(t, "job")).get("1007");
        assertThat(renamed.path("data").path("name").asText()).isEqualTo("Job 7, rescheduled");
        assertThat(renamed.path("data").path("customer").path("id").asText()).isEqualTo(customers.get("7").path("id").asText());
        assertThat(records(t, "job")).hasSize(2500);
    }

    @Test
    @Order(5)
    void shouldResumeAfterAHardFailureMidImportWithoutDuplicates() {
        SIMPRO.seed(5, 0, 1200, 0);
        Tenant t = connect();
        SIMPRO.fail("jobs", 3, 500, null, 10);
        JsonNode failed = sync(t, "job", "incremental");
        assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.path("recordsProcessed").asLong()).as("two pages committed").isEqualTo(500);
        assertThat(records(t, "job")).hasSize(500);

        SIMPRO.clearFaults();
        JsonNode resumed = sync(t, "job", "incremental");
        assertThat(resumed.path("status").asText()).as(resumed.toString()).isEqualTo("succeeded");
        assertThat(resumed.path("created").asLong()).isEqualTo(700);
        assertThat(resumed.path("updated").asLong()).isZero();
        List<JsonNode> jobs = records(t, "job");
        assertThat(jobs).hasSize(1200);
        assertThat(new HashSet<>(jobs.stream().map(j -> j.path("externalId").asText()).toList())).hasSize(1200);
    }

    @Test
    @Order(6)
    void shouldPauseOnRateLimitAndResumeTheSameRunAtItsCheckpoint() {
        SIMPRO.seed(5, 0, 1000, 0);
        Tenant t = connect();
        SIMPRO.fail("jobs", 3, 429, "2", 1);
        String run = start(t, "job", "full");
        JsonNode done = finished(t, run);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.path("created").asLong()).isEqualTo(1000);
        assertThat(SIMPRO.calls("jobs")).extracting(SimproFake.Call::page).containsExactly(1, 2, 3, 3, 4);
        assertThat(records(t, "job")).hasSize(1000);
    }

    @Test
    @Order(7)
    void shouldConnectWithTheTenantsOwnKeyPairAndGrantAgainWhenTheBuildRefusesTheToken() {
        SIMPRO.seed(3, 0, 10, 0);
        String key = newTenantKey();
        String build = "{\"provider\":\"simpro\",\"config\":{\"buildUrl\":\"" + SIMPRO.root() + "\"},";
        HubClient.Response refused = hub.post("/api/v1/connections", key, build
                + "\"credentials\":{\"clientId\":\"" + SimproFake.KEY_ID + "\",\"clientSecret\":\"wrong\"}}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.body()).contains("/credentials");

        HubClient.Response created = hub.post("/api/v1/connections", key, build + "\"credentials\":{\"clientId\":\""
                + SimproFake.KEY_ID + "\",\"clientSecret\":\"" + SimproFake.KEY_SECRET + "\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("status").asText()).isEqualTo("active");
        Tenant t = new Tenant(key, UUID.fromString(created.json().path("id").asText()));
        JsonNode connection = hub.get(t.path(), key).json();
        assertThat(connection.path("account").path("name").asText()).isEqualTo(SimproFake.COMPANY);
        assertThat(connection.toString()).doesNotContain(SimproFake.KEY_SECRET).doesNotContain(SimproFake.KEY_ID);
        assertThat(SIMPRO.tokenCalls()).last().satisfies(c -> assertThat(c)
                .containsEntry("grant_type", "client_credentials").containsEntry("client_id", SimproFake.KEY_ID));

        SIMPRO.expireAccessTokens();
        SIMPRO.clearCalls();
        JsonNode run = sync(t, "customer", "full");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.path("created").asLong()).isEqualTo(3);
        assertThat(SIMPRO.tokenCalls()).hasSize(1);
        assertThat(SIMPRO.tokenCalls().get(0)).containsEntry("grant_type", "client_credentials")
                .containsEntry("client_secret", SimproFake.KEY_SECRET);
    }
}
