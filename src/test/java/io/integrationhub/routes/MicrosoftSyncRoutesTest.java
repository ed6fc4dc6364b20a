package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.provider.microsoft.graph.GraphClient;
import io.integrationhub.provider.microsoft.onedrive.OneDriveDeltaSource;

/**
 * The OneDrive delta page routes (routes/microsoft/sync.camel.yaml: onedrive.file.page, onedrive.folder.page →
 * microsoft.onedrive.delta-page) without Spring Boot: the Graph delta request a page sends through the provider
 * endpoint (a recording test route answering like Graph), the restart after 410 Gone, and the page the sync engine
 * gets back. The Java steps are the real bean (pages that carry a cursor need no database or root lookup).
 */
class MicrosoftSyncRoutesTest extends FamilyRoutesTestSupport {

    static final String GRAPH = "https://graph.test/v1.0";
    static final String DELTA = GRAPH + "/me/drive/items/ROOT/delta";

    final Deque<Object[]> answers = new ArrayDeque<>();
    final List<String> calls = new ArrayList<>();

    @Override
    protected List<String> routeFiles() {
        return List.of("microsoft/sync.camel.yaml");
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        configuration.withRouteFilterExcludePattern("outlook.email.page");
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.providers.microsoft.api-url", GRAPH);
        return properties;
    }

    @BeforeEach
    void prepareRoutes() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        GraphClient graph = new GraphClient(null, null, mapper,
                new MockEnvironment().withProperty("hub.providers.microsoft.api-url", GRAPH));
        context.getRegistry().bind("oneDriveDeltaPages", new OneDriveDeltaSource.Pages(graph, null, null, mapper, null));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:microsoft.provider").routeId("test.graph").process(exchange -> {
                    var message = exchange.getMessage();
                    calls.add(message.getHeader("ProviderMethod") + " " + message.getHeader("ProviderUrl") + " pass="
                            + message.getHeader("ProviderPassThrough"));
                    Object[] answer = answers.poll();
                    message.getHeaders().clear();
                    message.setHeader("ProviderStatus", answer[0]);
                    if (answer.length > 2) {
                        message.setHeader("Location", answer[2]);
                    }
                    message.setBody(answer[1]);
                });
            }
        });
        context.start();
    }

    private JsonNode page(String entity, String cursor) {
        Exchange done = template.send("direct:onedrive." + entity + ".page", e -> {
            e.setProperty("HubTenantId", java.util.UUID.randomUUID());
            e.setProperty("HubConnectionId", java.util.UUID.randomUUID());
            e.getMessage().setBody(json(Map.of("cursor", cursor, "mode", "full", "config", Map.of())));
        });
        assertThat(done.getException()).isNull();
        return json(done.getMessage().getBody(String.class));
    }

    private static String cursor(String url) {
        return json(Map.of("url", url, "rootId", "ROOT"));
    }

    static final String ITEMS = "[{\"id\": \"ROOT\", \"folder\": {}}, {\"id\": \"f1\", \"file\": {}},"
            + " {\"id\": \"d1\", \"folder\": {}}, {\"id\": \"x1\", \"deleted\": {}}]";

    @Test
    void aPageListsTheEntitysItemsAndDeletionsButNotTheRootAndPointsToTheNextPage() {
        answers.add(new Object[] {200, "{\"value\": " + ITEMS + ", \"@odata.nextLink\": \"" + DELTA + "?token=2\"}"});
        answers.add(new Object[] {200, "{\"value\": " + ITEMS + ", \"@odata.nextLink\": \"" + DELTA + "?token=2\"}"});

        JsonNode files = page("file", cursor(DELTA));
        JsonNode folders = page("folder", cursor(DELTA));

        assertThat(calls).containsExactly("GET " + DELTA + " pass=410", "GET " + DELTA + " pass=410");
        assertThat(files.path("items").findValuesAsText("id")).containsExactly("f1", "x1");
        assertThat(folders.path("items").findValuesAsText("id")).containsExactly("d1", "x1");
        assertThat(json(files.path("nextCursor").asText()).path("url").asText()).isEqualTo(DELTA + "?token=2");
        assertThat(files.has("deltaCursor")).isFalse();
    }

    @Test
    void theLastPageGivesTheNextRunsDeltaLink() {
        answers.add(new Object[] {200, "{\"value\": [], \"@odata.deltaLink\": \"" + DELTA + "?token=9\"}"});

        JsonNode last = page("file", cursor(DELTA + "?token=2"));

        assertThat(last.path("nextCursor").isMissingNode() || last.path("nextCursor").isNull()).isTrue();
        JsonNode delta = json(last.path("deltaCursor").asText());
        assertThat(delta.path("url").asText()).isEqualTo(DELTA + "?token=9");
        assertThat(delta.path("rootId").asText()).isEqualTo("ROOT");
    }

    @Test
    void aStaleTokenRestartsFromGraphsLocationAndMarksTheResync() {
        answers.add(new Object[] {410, "{\"error\": {\"code\": \"resyncRequired\"}}", DELTA + "?token=fresh"});
        answers.add(new Object[] {200, "{\"value\": " + ITEMS + ", \"@odata.nextLink\": \"" + DELTA + "?token=3\"}"});

        JsonNode page = page("file", cursor(DELTA + "?token=old"));

        assertThat(calls).containsExactly("GET " + DELTA + "?token=old pass=410", "GET " + DELTA + "?token=fresh pass=null");
        assertThat(page.path("items").findValuesAsText("id")).containsExactly("f1", "x1");
        assertThat(json(page.path("nextCursor").asText()).path("resyncSince").asText()).isNotBlank();
    }

    @Test
    void aCursorOffTheGraphApiIsRefusedWithoutACall() {
        Exchange refused = template.send("direct:onedrive.file.page", e -> e.getMessage().setBody(
                json(Map.of("cursor", cursor("https://elsewhere.test/delta"), "mode", "full", "config", Map.of()))));

        assertThat(refused.getException()).isInstanceOf(IllegalStateException.class);
        assertThat(calls).isEmpty();
    }
}
