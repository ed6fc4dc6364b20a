package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Route;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapping edited while the hub runs applies to the next exchange, with the route left as it is: the family's
 * {@code jsonata:} steps read their file on every use ({@code contentCache=false}). Runs on a copy of
 * routes/notion ({@code hub.routes-dir} points at it), whose {@code page.jsonata} the test edits between two
 * sync pages.
 */
class NotionMappingHotEditTest extends FamilyRoutesTestSupport {

    @TempDir
    static Path routes;

    @BeforeAll
    static void copyNotionFamily() throws IOException {
        Path source = Path.of("routes", "notion").toAbsolutePath();
        try (Stream<Path> files = Files.walk(source)) {
            files.forEach(file -> {
                try {
                    Files.copy(file, routes.resolve("notion").resolve(source.relativize(file).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Override
    protected Path routesDir() {
        return routes;
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("notion/sync.camel.yaml");
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.providers.notion.api-url", NotionRoutesTest.API);
        properties.setProperty("hub.providers.notion.version", NotionRoutesTest.VERSION);
        return properties;
    }

    @Test
    void theNextExchangeUsesTheEditedPageMappingWithoutReloadingTheRoute() throws Exception {
        AdviceWith.adviceWith(context, "notion.page.page",
                route -> route.weaveById("notion.page.query").replace().to("mock:notion-api"));
        context.start();
        MockEndpoint notionApi = getMockEndpoint("mock:notion-api");
        notionApi.whenAnyExchangeReceived(e -> e.getMessage().setBody(NotionRoutesTest.QUERY_ANSWER));
        Route route = context.getRoute("notion.page.page");

        JsonNode before = json(syncPage());
        assertThat(before.path("items").get(0).path("data").path("title").asText()).isEqualTo("Tomato soup");
        assertThat(before.path("items").get(0).path("data").has("name")).isFalse();

        Path mapping = routes.resolve("notion/mappings/page.jsonata");
        String original = Files.readString(mapping, StandardCharsets.UTF_8);
        String edited = original.replace("\"title\": $join($page.properties", "\"name\": $join($page.properties");
        assertThat(edited).as("the edit applies to page.jsonata as it is in routes/notion").isNotEqualTo(original);
        Files.writeString(mapping, edited, StandardCharsets.UTF_8);

        JsonNode after = json(syncPage());
        assertThat(after.path("items").get(0).path("data").path("name").asText()).isEqualTo("Tomato soup");
        assertThat(after.path("items").get(0).path("data").has("title")).isFalse();
        assertThat(context.getRoute("notion.page.page")).as("same route, not reloaded").isSameAs(route);
        assertThat(notionApi.getReceivedCounter()).isEqualTo(2);
    }

    private String syncPage() {
        return template.request("direct:notion.page.page", e -> {
            e.setProperty("HubConfig", Map.of("databaseId", NotionRoutesTest.DATABASE));
            e.getMessage().setBody(NotionRoutesTest.pageRequest(null, null, "full"));
        }).getMessage().getBody(String.class);
    }
}
