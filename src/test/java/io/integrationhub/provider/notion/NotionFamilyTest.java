package io.integrationhub.provider.notion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
 * The Notion family — only files under {@code routes/notion/} (catalog data, routes, JSONata mappings), no Java —
 * driven over HTTP like a host application, against a wire-level Notion ({@link NotionFake}): consent → callback →
 * token exchange with HTTP Basic and a JSON body, the workspace as the account, pull of a database's pages
 * through start_cursor/has_more paging with the pinned Notion-Version, incremental pulls with the
 * last_edited_time filter, archived pages deleted, 429/529 waited out, create-page and its update, and the
 * camel-resilience4j circuit breaker of the platform provider endpoint opening.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotionFamilyTest extends HubIntegrationTest {

    static final NotionFake NOTION = new NotionFake();

    @DynamicPropertySource
    static void notionUrls(DynamicPropertyRegistry registry) {
        registry.add("hub.providers.notion.client-id", () -> NotionFake.CLIENT_ID);
        registry.add("hub.providers.notion.client-secret", () -> NotionFake.CLIENT_SECRET);
        registry.add("hub.providers.notion.authorize-url", () -> NOTION.root() + "/v1/oauth/authorize");
        registry.add("hub.providers.notion.token-url", () -> NOTION.root() + "/v1/oauth/token");
        registry.add("hub.providers.notion.api-url", NOTION::root);
        registry.add("hub.resilience.max-attempts", () -> "3");
        registry.add("hub.resilience.initial-backoff", () -> "20ms");
        registry.add("hub.resilience.max-backoff", () -> "100ms");
    }

    record Tenant(String key, UUID connectionId) {
        String path() {
            return "/api/v1/connections/" + connectionId;
        }
    }

    @BeforeEach
    void reset() {
        NOTION.clearFaults();
        NOTION.clearCalls();
    }

    private Tenant connect(String config) {
        String key = newTenantKey();
        HubClient.Response created = hub.post("/api/v1/connections", key,
                "{\"provider\":\"notion\",\"config\":" + config + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String authorize = created.json().path("authorizeUrl").asText();
        assertThat(authorize).startsWith(NOTION.root() + "/v1/oauth/authorize?").contains("owner=user")
                .contains("response_type=code").contains("client_id=" + NotionFake.CLIENT_ID);
        String state = param(authorize, "state");
        HubClient.Response back = hub.get("/oauth/callback/notion?code=code-" + UUID.randomUUID() + "&state="
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
                return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError(name + " not in " + url);
    }

    private JsonNode sync(Tenant t, String mode) {
        HubClient.Response started = hub.post(t.path() + "/syncs", t.key(), "{\"entity\":\"page\",\"mode\":\"" + mode + "\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String run = started.json().path("id").asText();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            last[0] = hub.get("/api/v1/syncs/" + run, t.key()).json();
            return List.of("succeeded", "failed", "cancelled").contains(last[0].path("status").asText());
        });
        return last[0];
    }

    private List<JsonNode> records(Tenant t) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            HubClient.Response r = hub.get(t.path() + "/records/page?limit=100" + (cursor == null ? "" : "&cursor="
                    + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), t.key());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().path("records").forEach(all::add);
            cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText(null);
        } while (cursor != null);
        return all;
    }

    @Test
    @Order(1)
    void shouldListNotionFromItsFamilyFolderWithWhatItImplements() {
        JsonNode providers = hub.get("/api/v1/providers", newTenantKey()).json();
        JsonNode notion = null;
        for (JsonNode p : providers) {
            if (p.path("key").asText().equals("notion")) {
                notion = p;
            }
        }
        assertThat(notion).as("notion in the catalog").isNotNull();
        assertThat(notion.path("name").asText()).isEqualTo("Notion");
        assertThat(notion.path("authType").asText()).isEqualTo("oauth2");
        assertThat(notion.path("configured").asBoolean()).isTrue();
        assertThat(notion.path("entities").toString()).isEqualTo("[\"page\"]");
        assertThat(notion.path("actions").toString()).isEqualTo("[\"create-page\"]");
        assertThat(notion.path("syncs").get(0).path("pull").asBoolean()).isTrue();
    }

    @Test
    @Order(2)
    void shouldConnectWithBasicClientAuthAndAJsonBodyAndTakeTheWorkspaceAsAccount() {
        Tenant t = connect("{}");
        NotionFake.Call exchange = NOTION.tokenCalls().get(0);
        assertThat(exchange.authorization()).startsWith("Basic ");
        assertThat(exchange.json().path("grant_type").asText()).isEqualTo("authorization_code");
        assertThat(exchange.json().path("redirect_uri").asText()).endsWith("/oauth/callback/notion");
        assertThat(exchange.json().has("client_secret")).as("the secret travels only in the Basic header").isFalse();
        JsonNode connection = hub.get(t.path(), t.key()).json();
        assertThat(connection.path("account").path("name").asText()).isEqualTo(NotionFake.WORKSPACE);
        assertThat(connection.toString()).doesNotContain("secret_").doesNotContain("nrt_");
        assertThat(NOTION.calls()).anySatisfy(c -> {
            assertThat(c.path()).isEqualTo("/v1/users/me");
            assertThat(c.version()).isEqualTo("2022-06-28");
        });
        HubClient.Response check = hub.post(t.path() + "/check", t.key(), "");
        assertThat(check.json().path("healthy").asBoolean()).as(check.body()).isTrue();
    }

    @Test
    @Order(3)
    void shouldRefuseADatabaseIdThatIsNotANotionId() {
        Tenant t = connect("{}");
        HubClient.Response r = hub.patch(t.path(), t.key(), "{\"config\":{\"databaseId\":\"../users/me\"}}");
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.body()).contains("/config/databaseId");
    }

    @Test
    @Order(4)
    void shouldPullEveryPageOfADatabaseAcrossNotionPagesThenOnlyWhatChanged() {
        String db = NOTION.database(230);
        Tenant t = connect("{\"databaseId\":\"" + db + "\"}");
        NOTION.clearCalls();
        // The first incremental run of a connection reads everything and keeps where the next one starts.
        JsonNode run = sync(t, "incremental");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.path("created").asLong()).isEqualTo(230);

        List<NotionFake.Call> queries = NOTION.calls().stream().filter(c -> c.path().endsWith("/query")).toList();
        assertThat(queries).hasSize(3);
        assertThat(queries).allSatisfy(c -> {
            assertThat(c.version()).isEqualTo("2022-06-28");
            assertThat(c.json().path("page_size").asInt()).isEqualTo(100);
        });
        assertThat(queries.get(0).json().has("start_cursor")).isFalse();
        assertThat(queries.get(1).json().path("start_cursor").asText())
                .isEqualTo(NOTION.pages(db).get(100).path("id").asText());

        List<JsonNode> records = records(t);
        assertThat(records).hasSize(230);
        JsonNode first = records.stream().filter(r -> r.path("externalId").asText()
                .equals(NOTION.pages(db).get(2).path("id").asText())).findFirst().orElseThrow();
        assertThat(first.path("data").path("title").asText()).isEqualTo("Recipe 3");
        assertThat(first.path("data").path("properties").path("Status").asText()).isEqualTo("Draft");
        assertThat(first.path("data").path("properties").path("Serves").asInt()).isEqualTo(4);
        assertThat(first.path("data").path("databaseId").asText()).isEqualTo(db);

        NOTION.rename(db, 5, "Recipe six, improved");
        NOTION.archive(db, 7);
        NOTION.clearCalls();
        JsonNode incremental = sync(t, "incremental");
        assertThat(incremental.path("status").asText()).as(incremental.toString()).isEqualTo("succeeded");
        assertThat(incremental.path("updated").asLong()).isEqualTo(1);
        assertThat(incremental.path("deleted").asLong()).isEqualTo(1);
        NotionFake.Call query = NOTION.calls().stream().filter(c -> c.path().endsWith("/query")).findFirst().orElseThrow();
        assertThat(query.json().path("filter").path("timestamp").asText()).isEqualTo("last_edited_time");
        assertThat(query.json().path("filter").path("last_edited_time").has("on_or_after")).isTrue();
        JsonNode renamed = records(t).stream().filter(r -> r.path("externalId").asText()
                .equals(NOTION.pages(db).get(5).path("id").asText())).findFirst().orElseThrow();
        assertThat(renamed.path("data").path("title").asText()).isEqualTo("Recipe six, improved");
    }

    @Test
    @Order(5)
    void shouldWaitOutRateLimitsAndOverloadWithRetryAfter() {
        String db = NOTION.database(20);
        Tenant t = connect("{\"databaseId\":\"" + db + "\"}");
        NOTION.clearCalls();
        NOTION.fail(new NotionFake.Fault(429, "rate_limited", "1"), new NotionFake.Fault(529, "service_overload", "1"));
        long start = System.nanoTime();
        JsonNode run = sync(t, "full");
        long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.path("created").asLong()).isEqualTo(20);
        assertThat(NOTION.calls().stream().filter(c -> c.path().endsWith("/query")).count()).isEqualTo(3);
        assertThat(took).as("two Retry-After: 1 waits").isGreaterThanOrEqualTo(2000);
    }

    @Test
    @Order(6)
    void shouldRefreshOnceWhenNotionRejectsTheToken() {
        String db = NOTION.database(3);
        Tenant t = connect("{\"databaseId\":\"" + db + "\"}");
        NOTION.expireAccessTokens();
        NOTION.clearCalls();
        JsonNode run = sync(t, "full");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(NOTION.tokenCalls()).hasSize(1);
        assertThat(NOTION.tokenCalls().get(0).json().path("grant_type").asText()).isEqualTo("refresh_token");
    }

    @Test
    @Order(7)
    void shouldCreateAPageThenUpdateTheSameOneForTheSameLocalRef() {
        String db = NOTION.database(0);
        Tenant t = connect("{\"databaseId\":\"" + db + "\"}");
        NOTION.clearCalls();
        HubClient.Response created = hub.post(t.path() + "/actions/create-page", t.key(),
                "{\"localRef\":\"job-42\",\"data\":{\"title\":\"Pasta night\",\"content\":[\"Boil water\",\"Add pasta\"],"
                        + "\"properties\":{\"Serves\":{\"number\":6}}}}");
        assertThat(created.status()).as(created.body()).isIn(200, 201);
        String pageId = created.json().path("externalId").asText();
        assertThat(NOTION.pages(db)).hasSize(1);
        assertThat(pageId).isEqualTo(NOTION.pages(db).get(0).path("id").asText());
        NotionFake.Call post = NOTION.calls().get(0);
        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.path()).isEqualTo("/v1/pages");
        assertThat(post.json().path("parent").path("database_id").asText()).isEqualTo(db);
        assertThat(post.json().path("properties").path("Name").path("title").get(0).path("text").path("content").asText())
                .isEqualTo("Pasta night");
        assertThat(post.json().path("children")).hasSize(2);

        HubClient.Response updated = hub.post(t.path() + "/actions/create-page", t.key(),
                "{\"localRef\":\"job-42\",\"data\":{\"title\":\"Pasta night (vegan)\"}}");
        assertThat(updated.status()).as(updated.body()).isIn(200, 201);
        assertThat(updated.json().path("externalId").asText()).isEqualTo(pageId);
        NotionFake.Call patch = NOTION.calls().get(1);
        assertThat(patch.method()).isEqualTo("PATCH");
        assertThat(patch.path()).isEqualTo("/v1/pages/" + pageId);
        assertThat(patch.json().has("parent")).isFalse();
        assertThat(NOTION.pages(db)).hasSize(1);
    }

    @Test
    @Order(8)
    void shouldAnswerNotionsRefusalAsAProblemNamingItsCode() {
        Tenant t = connect("{\"databaseId\":\"" + UUID.randomUUID() + "\"}");
        HubClient.Response r = hub.post(t.path() + "/actions/create-page", t.key(), "{\"data\":{\"title\":\"x\"}}");
        assertThat(r.status()).as(r.body()).isBetween(400, 599).isNotEqualTo(500);
        assertThat(r.body()).contains("object_not_found");
    }

    /** Last: it opens the family's breaker, which stays open for its wait. */
    @Test
    @Order(100)
    void shouldOpenTheCircuitBreakerAfterRepeatedServerErrorsAndThenRefuseWithoutCallingNotion() {
        String db = NOTION.database(1);
        Tenant t = connect("{\"databaseId\":\"" + db + "\"}");
        for (int i = 0; i < 30; i++) {
            NOTION.fail(new NotionFake.Fault(500, "internal_server_error", null));
        }
        NOTION.clearCalls();
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 10 && answers.stream().noneMatch(a -> a.contains("circuit breaker is open")); i++) {
            HubClient.Response r = hub.post(t.path() + "/actions/create-page", t.key(), "{\"data\":{\"title\":\"x\"}}");
            assertThat(r.status()).as(r.body()).isEqualTo(502);
            answers.add(r.json().path("detail").asText());
        }
        assertThat(answers).as("retried 5xx until the breaker opened").contains("notion answered 500 after 3 attempts");
        assertThat(answers.get(answers.size() - 1)).contains("circuit breaker is open");
        int reached = NOTION.calls().size();
        HubClient.Response refused = hub.post(t.path() + "/actions/create-page", t.key(), "{\"data\":{\"title\":\"x\"}}");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.body()).contains("circuit breaker is open");
        assertThat(NOTION.calls()).as("an open breaker does not call Notion").hasSize(reached);
    }
}
