package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Notion family's routes (routes/notion: sync, actions, identity) with their real JSONata mappings, loaded
 * from the routes folder without Spring Boot, a database or Kafka. The platform provider endpoint
 * ({@code direct:notion.provider}) is woven out: its steps are replaced by {@code mock:notion-api}, which answers
 * with canned Notion JSON, so each test sees the request the family would send to Notion (method, URL, headers,
 * body) and what the family makes of Notion's answer.
 */
class NotionRoutesTest extends FamilyRoutesTestSupport {

    static final String API = "https://api.notion.test";
    static final String VERSION = "2022-06-28";
    static final String DATABASE = "0f3c9a1e-7b2d-4c55-9e8a-2b1d6f4a9c30";

    /** A page of POST /v1/databases/{id}/query: a live page, an archived one and one in the trash. */
    static final String QUERY_ANSWER = """
            {"object": "list", "has_more": true, "next_cursor": "cursor-after-3",
             "results": [
              {"object": "page", "id": "page-1", "created_time": "2026-11-01T08:00:00.000Z",
               "last_edited_time": "2026-11-30T09:15:00.000Z", "archived": false, "in_trash": false,
               "url": "https://www.notion.so/Tomato-soup-page1",
               "parent": {"type": "database_id", "database_id": "%1$s"},
               "properties": {
                 "Name": {"id": "title", "type": "title",
                          "title": [{"type": "text", "plain_text": "Tomato "}, {"type": "text", "plain_text": "soup"}]},
                 "Notes": {"type": "rich_text", "rich_text": [{"plain_text": "Serve "}, {"plain_text": "hot"}]},
                 "Minutes": {"type": "number", "number": 25},
                 "Course": {"type": "select", "select": {"name": "Starter"}},
                 "Tags": {"type": "multi_select", "multi_select": [{"name": "vegan"}, {"name": "quick"}]},
                 "Tested": {"type": "checkbox", "checkbox": true},
                 "Cooked": {"type": "date", "date": {"start": "2026-11-29", "end": null}}}},
              {"object": "page", "id": "page-2", "created_time": "2026-10-01T08:00:00.000Z",
               "last_edited_time": "2026-11-30T09:20:00.000Z", "archived": true, "in_trash": false,
               "url": "https://www.notion.so/Old-page2", "parent": {"type": "database_id", "database_id": "%1$s"},
               "properties": {"Name": {"type": "title", "title": [{"plain_text": "Old stew"}]}}},
              {"object": "page", "id": "page-3", "created_time": "2026-10-02T08:00:00.000Z",
               "last_edited_time": "2026-11-30T09:25:00.000Z", "archived": false, "in_trash": true,
               "url": "https://www.notion.so/Binned-page3", "parent": {"type": "database_id", "database_id": "%1$s"},
               "properties": {"Name": {"type": "title", "title": [{"plain_text": "Binned bread"}]}}}
             ]}
            """.formatted(DATABASE);

    /** Notion's answer to POST /v1/pages and PATCH /v1/pages/{id}. */
    static final String PAGE_ANSWER = """
            {"object": "page", "id": "page-9", "created_time": "2026-12-01T10:00:00.000Z",
             "last_edited_time": "2026-12-01T10:00:00.000Z", "url": "https://www.notion.so/Pea-soup-page9",
             "archived": false, "properties": {}}
            """;

    @Override
    protected List<String> routeFiles() {
        return List.of("notion/sync.camel.yaml", "notion/actions.camel.yaml", "notion/identity.camel.yaml");
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.providers.notion.api-url", API);
        properties.setProperty("hub.providers.notion.version", VERSION);
        return properties;
    }

    MockEndpoint notionApi;

    @BeforeEach
    void replaceProviderEndpoint() throws Exception {
        AdviceWith.adviceWith(context, "notion.page.page",
                route -> route.weaveById("notion.page.query").replace().to("mock:notion-api"));
        AdviceWith.adviceWith(context, "notion.action.create-page",
                route -> route.weaveById("notion.action.create-page.call").replace().to("mock:notion-api"));
        AdviceWith.adviceWith(context, "notion.identity",
                route -> route.weaveById("notion.identity.call").replace().to("mock:notion-api"));
        context.start();
        notionApi = getMockEndpoint("mock:notion-api");
    }

    // --- sync: direct:notion.page.page ------------------------------------------------------------------------

    @Test
    void firstPageOfAFullRunQueriesTheDatabaseAndMapsPagesToRecords() throws Exception {
        notionApi.expectedMessageCount(1);
        notionApi.whenAnyExchangeReceived(e -> e.getMessage().setBody(QUERY_ANSWER));

        JsonNode page = json(syncPage(pageRequest(null, null, "full"), config(DATABASE)));

        notionApi.assertIsSatisfied();
        Exchange call = notionApi.getReceivedExchanges().get(0);
        assertThat(call.getMessage().getHeader("ProviderMethod")).isEqualTo("POST");
        assertThat(call.getMessage().getHeader("ProviderUrl")).isEqualTo(API + "/v1/databases/" + DATABASE + "/query");
        assertThat(call.getMessage().getHeader("Notion-Version")).isEqualTo(VERSION);
        assertThat(call.getMessage().getHeader("Content-Type")).isEqualTo("application/json");

        JsonNode query = json(call.getMessage().getBody(String.class));
        assertThat(query.path("page_size").asInt()).isEqualTo(100);
        assertThat(query.path("sorts").get(0).path("timestamp").asText()).isEqualTo("last_edited_time");
        assertThat(query.path("sorts").get(0).path("direction").asText()).isEqualTo("ascending");
        assertThat(query.has("start_cursor")).as("a run's first page has no cursor").isFalse();
        assertThat(query.has("filter")).as("a full run reads every page").isFalse();

        JsonNode items = page.path("items");
        assertThat(items).hasSize(3);
        JsonNode soup = items.get(0);
        assertThat(soup.path("externalId").asText()).isEqualTo("page-1");
        assertThat(soup.path("remoteUpdatedAt").asText()).isEqualTo("2026-11-30T09:15:00.000Z");
        assertThat(soup.path("deleted").asBoolean()).isFalse();
        assertThat(soup.path("data").path("title").asText()).isEqualTo("Tomato soup");
        assertThat(soup.path("data").path("url").asText()).isEqualTo("https://www.notion.so/Tomato-soup-page1");
        assertThat(soup.path("data").path("databaseId").asText()).isEqualTo(DATABASE);
        JsonNode properties = soup.path("data").path("properties");
        assertThat(properties.path("Name").asText()).isEqualTo("Tomato soup");
        assertThat(properties.path("Notes").asText()).isEqualTo("Serve hot");
        assertThat(properties.path("Minutes").isNumber()).isTrue();
        assertThat(properties.path("Minutes").asInt()).isEqualTo(25);
        assertThat(properties.path("Course").asText()).isEqualTo("Starter");
        assertThat(properties.path("Tags")).extracting(JsonNode::asText).containsExactly("vegan", "quick");
        assertThat(properties.path("Tested").isBoolean()).isTrue();
        assertThat(properties.path("Tested").asBoolean()).isTrue();
        assertThat(properties.path("Cooked").asText()).isEqualTo("2026-11-29");

        assertThat(items.get(1).path("externalId").asText()).isEqualTo("page-2");
        assertThat(items.get(1).path("deleted").asBoolean()).as("archived page").isTrue();
        assertThat(items.get(2).path("externalId").asText()).isEqualTo("page-3");
        assertThat(items.get(2).path("deleted").asBoolean()).as("page in the trash").isTrue();
        assertThat(items.get(2).path("data").path("title").asText()).isEqualTo("Binned bread");

        assertThat(page.path("nextCursor").asText()).as("has_more → next_cursor").isEqualTo("cursor-after-3");
    }

    @Test
    void nextPageOfAnIncrementalRunSendsTheCursorAndOnlyAsksForPagesEditedSinceTwoMinutesBefore() throws Exception {
        notionApi.whenAnyExchangeReceived(e -> e.getMessage().setBody("""
                {"object": "list", "has_more": false, "next_cursor": null, "results": []}
                """));

        JsonNode page = json(syncPage(pageRequest("cursor-after-3", "2026-11-30T10:00:00.000Z", "incremental"),
                config(DATABASE)));

        JsonNode query = json(notionApi.getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(query.path("start_cursor").asText()).isEqualTo("cursor-after-3");
        assertThat(query.path("page_size").asInt()).isEqualTo(100);
        JsonNode filter = query.path("filter");
        assertThat(filter.path("timestamp").asText()).isEqualTo("last_edited_time");
        assertThat(filter.path("last_edited_time").path("on_or_after").asText())
                .as("Notion rounds last_edited_time to the minute: the filter starts two minutes early")
                .isEqualTo("2026-11-30T09:58:00.000Z");

        assertThat(page.path("items")).isEmpty();
        assertThat(page.path("nextCursor").isNull()).as("the last page (has_more false) has no next cursor").isTrue();
    }

    @ParameterizedTest(name = "mode={0}, since={1}: no last_edited_time filter")
    @CsvSource(value = {"incremental,", "full,2026-11-30T10:00:00.000Z"})
    void onlyAnIncrementalRunWithASinceFilters(String mode, String since) throws Exception {
        notionApi.whenAnyExchangeReceived(e -> e.getMessage().setBody(QUERY_ANSWER));

        syncPage(pageRequest(null, since, mode), config(DATABASE));

        JsonNode query = json(notionApi.getReceivedExchanges().get(0).getMessage().getBody(String.class));
        assertThat(query.has("filter")).isFalse();
        assertThat(query.has("start_cursor")).isFalse();
    }

    @Test
    void syncWithoutADatabaseFailsBeforeCallingNotion() throws Exception {
        notionApi.expectedMessageCount(0);

        Exchange result = template.send("direct:notion.page.page", e -> {
            e.setProperty("HubConfig", Map.of());
            e.getMessage().setBody(pageRequest(null, null, "full"));
        });

        assertThat(result.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config.databaseId");
        notionApi.assertIsSatisfied();
    }

    // --- action: direct:notion.action.create-page ---------------------------------------------------------------

    @Test
    void createPagePostsANewPageIntoTheConfiguredDatabase() throws Exception {
        notionApi.expectedMessageCount(1);
        notionApi.whenAnyExchangeReceived(e -> e.getMessage().setBody(PAGE_ANSWER));

        JsonNode result = json(action(actionRequest("Pea soup", null, config(DATABASE)), config(DATABASE), null));

        notionApi.assertIsSatisfied();
        Exchange call = notionApi.getReceivedExchanges().get(0);
        assertThat(call.getMessage().getHeader("ProviderMethod")).isEqualTo("POST");
        assertThat(call.getMessage().getHeader("ProviderUrl")).isEqualTo(API + "/v1/pages");
        assertThat(call.getMessage().getHeader("Notion-Version")).isEqualTo(VERSION);
        assertThat(call.getMessage().getHeader("Content-Type")).isEqualTo("application/json");

        JsonNode body = json(call.getMessage().getBody(String.class));
        assertThat(body.path("parent").path("database_id").asText()).isEqualTo(DATABASE);
        assertThat(body.path("properties").path("Name").path("title").get(0).path("text").path("content").asText())
                .isEqualTo("Pea soup");
        assertThat(body.path("properties").path("Minutes").path("number").asInt())
                .as("data.properties pass through as Notion property values").isEqualTo(12);
        assertThat(body.path("children")).hasSize(2);
        assertThat(body.path("children").get(1).path("paragraph").path("rich_text").get(0).path("text")
                .path("content").asText()).isEqualTo("Simmer");

        assertThat(result.path("externalId").asText()).isEqualTo("page-9");
        assertThat(result.path("version").asText()).isEqualTo("2026-12-01T10:00:00.000Z");
        assertThat(result.path("response").path("url").asText()).isEqualTo("https://www.notion.so/Pea-soup-page9");
    }

    @Test
    void createPageWritesTheTitleToTheConfiguredTitleProperty() throws Exception {
        notionApi.whenAnyExchangeReceived(e -> e.getMessage().setBody(PAGE_ANSWER));
        Map<String, Object> config = config(DATABASE);
        config.put("titleProperty", "Recipe");

        action(actionRequest("Pea soup", null, config), config, null);

        JsonNode properties = json(notionApi.getReceivedExchanges().get(0).getMessage().getBody(String.class))
                .path("properties");
        assertThat(properties.path("Recipe").path("title").get(0).path("text").path("content").asText())
                .isEqualTo("Pea soup");
        assertThat(properties.has("Name")).isFalse();
    }

    @Test
    void createPageForALinkedLocalRefPatchesThatPageWithoutAParent() throws Exception {
        notionApi.expectedMessageCount(1);
        notionApi.whenAnyExchangeReceived(e -> e.getMessage().setBody(PAGE_ANSWER));

        JsonNode result = json(action(actionRequest("Pea soup, thicker", "page-9", config(DATABASE)),
                config(DATABASE), "page-9"));

        notionApi.assertIsSatisfied();
        Exchange call = notionApi.getReceivedExchanges().get(0);
        assertThat(call.getMessage().getHeader("ProviderMethod")).isEqualTo("PATCH");
        assertThat(call.getMessage().getHeader("ProviderUrl")).isEqualTo(API + "/v1/pages/page-9");
        assertThat(call.getMessage().getHeader("Notion-Version")).isEqualTo(VERSION);
        JsonNode body = json(call.getMessage().getBody(String.class));
        assertThat(body.has("parent")).as("a page cannot move databases").isFalse();
        assertThat(body.has("children")).as("PATCH /v1/pages does not take blocks").isFalse();
        assertThat(body.path("properties").path("Name").path("title").get(0).path("text").path("content").asText())
                .isEqualTo("Pea soup, thicker");
        assertThat(result.path("externalId").asText()).isEqualTo("page-9");
    }

    @Test
    void createPageWithoutADatabaseFailsBeforeCallingNotion() throws Exception {
        notionApi.expectedMessageCount(0);

        Exchange result = template.send("direct:notion.action.create-page", e -> {
            e.setProperty("HubConfig", Map.of("titleProperty", "Name"));
            e.getMessage().setBody(actionRequest("Pea soup", null, Map.of()));
        });

        assertThat(result.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("config.databaseId");
        notionApi.assertIsSatisfied();
    }

    // --- identity: direct:notion.identity -----------------------------------------------------------------------

    @Test
    void identityAsksForTheBotUserAndNamesTheConnectionAfterTheWorkspace() throws Exception {
        notionApi.expectedMessageCount(1);
        notionApi.whenAnyExchangeReceived(e -> e.getMessage().setBody("""
                {"object": "user", "id": "bot-1", "type": "bot", "name": "Integration Hub",
                 "bot": {"owner": {"type": "user", "user": {"object": "user", "id": "u-1", "type": "person",
                                                              "person": {"email": "cook@example.org"}}},
                         "workspace_name": "Kitchen", "workspace_id": "ws-1"}}
                """));

        JsonNode identity = json(template.requestBody("direct:notion.identity", "{\"caller\":\"body\"}", String.class));

        notionApi.assertIsSatisfied();
        Exchange call = notionApi.getReceivedExchanges().get(0);
        assertThat(call.getMessage().getHeader("ProviderMethod")).isEqualTo("GET");
        assertThat(call.getMessage().getHeader("ProviderUrl")).isEqualTo(API + "/v1/users/me");
        assertThat(call.getMessage().getHeader("Notion-Version")).isEqualTo(VERSION);
        assertThat(call.getMessage().getBody(String.class)).as("a GET sends no body").isEmpty();

        assertThat(identity.path("id").asText()).isEqualTo("ws-1");
        assertThat(identity.path("name").asText()).isEqualTo("Kitchen");
        assertThat(identity.path("email").asText()).isEqualTo("cook@example.org");
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    static Map<String, Object> config(String databaseId) {
        Map<String, Object> config = new HashMap<>();
        config.put("databaseId", databaseId);
        return config;
    }

    static String pageRequest(String cursor, String since, String mode) {
        Map<String, Object> request = new HashMap<>();
        request.put("cursor", cursor);
        request.put("since", since);
        request.put("mode", mode);
        request.put("from", null);
        request.put("to", null);
        request.put("config", config(DATABASE));
        return json(request);
    }

    static String actionRequest(String title, String linkedPage, Map<String, Object> config) {
        Map<String, Object> request = new HashMap<>();
        request.put("data", Map.of("title", title, "properties", Map.of("Minutes", Map.of("number", 12)),
                "content", List.of("Soak the peas", "Simmer")));
        request.put("link", linkedPage == null ? null : Map.of("externalId", linkedPage,
                "version", "2026-12-01T10:00:00.000Z"));
        request.put("config", config);
        return json(request);
    }

    String syncPage(String request, Map<String, Object> config) {
        return template.request("direct:notion.page.page", e -> {
            e.setProperty("HubConfig", config);
            e.getMessage().setBody(request);
        }).getMessage().getBody(String.class);
    }

    String action(String request, Map<String, Object> config, String linkId) {
        Exchange result = template.request("direct:notion.action.create-page", e -> {
            e.setProperty("HubConfig", config);
            if (linkId != null) {
                e.setProperty("HubLinkId", linkId);
            }
            e.getMessage().setBody(request);
        });
        assertThat(result.getException()).isNull();
        return result.getMessage().getBody(String.class);
    }
}
