package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;

import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.component.google.drive.GoogleDriveComponent;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.provider.googledrive.GoogleDriveCalls;
import io.integrationhub.provider.googledrive.GoogleDriveClients;
import io.integrationhub.provider.googledrive.GoogleDriveTree;

/**
 * The Google Drive family's routes (routes/google-drive) without Spring Boot, with the real camel-google-drive
 * component configured as the hub does (GoogleDriveClients: its Drive client's transport is
 * {@code direct:google-drive.provider}, here a recording test route answering like Drive): the crawl of a watched
 * tree page by page, the changes page (moves in and out, trash, removal), Drive's rate-limit 403 backed off, the
 * folder picker's calls, the content URLs and the webhook router.
 */
class GoogleDriveRoutesTest extends FamilyRoutesTestSupport {

    static final String API = "https://drive.test";
    static final UUID TENANT = UUID.fromString("7d4f1f52-4f7e-4a43-9d36-0c1b7e1f0a01");
    static final UUID CONNECTION = UUID.fromString("c0ffee00-1111-4222-8333-944445555666");
    static final String FOLDER = GoogleDriveTree.FOLDER_MIME;

    /** Drive's answer to a request: method, path, query (decoded) → status and JSON. */
    Function<String[], Object[]> drive = r -> new Object[] {404, "{}"};
    final Deque<Object[]> faults = new ConcurrentLinkedDeque<>();
    final List<String> calls = new ArrayList<>();
    final List<Map<String, Object>> requests = new ArrayList<>();
    final Map<String, String> knownFolders = new HashMap<>();

    @Override
    protected List<String> routeFiles() {
        return List.of("google-drive/drive.camel.yaml", "google-drive/sync.camel.yaml", "google-drive/folders.camel.yaml",
                "google-drive/files.camel.yaml", "google-drive/webhooks.camel.yaml");
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        List<RoutesBuilder> builders = new ArrayList<>(List.of(super.createRouteBuilders()));
        builders.add(new RouteConfigurationBuilder() {
            @Override
            public void configuration() {
                routeConfiguration("platform-dead-letter").onException(Exception.class).handled(true).to("mock:dead-letter");
            }
        });
        return builders.toArray(RoutesBuilder[]::new);
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.providers.google-drive.api-url", API);
        properties.setProperty("hub.google-drive.page-size", "2");
        return properties;
    }

    @BeforeEach
    void prepareRoutes() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        GoogleDriveClients.configure(context.getComponent("google-drive", GoogleDriveComponent.class),
                GoogleDriveClients.endpointClientFactory(context.createProducerTemplate(), mapper, API, 4,
                        Duration.ofMillis(1), Duration.ofMillis(5)));
        context.getRegistry().bind("googleDriveCalls", new GoogleDriveCalls());
        context.getRegistry().bind("googleDriveTree", new GoogleDriveTree(mapper, null) {
            @Override
            protected Map<String, String> knownFolders(UUID tenant, UUID connection) {
                return knownFolders;
            }
        });
        AdviceWith.adviceWith(context, "google-drive.webhook", route -> {
            route.weaveById("google-drive.webhook.sync").replace().to("mock:sync-request");
            route.weaveById("google-drive.webhook.ignored").after().to("mock:ignored");
        });
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:google-drive.provider").routeId("test.drive").process(this::answer);
            }

            private void answer(Exchange exchange) {
                var message = exchange.getMessage();
                String url = message.getHeader("ProviderUrl", String.class);
                calls.add(message.getHeader("ProviderMethod") + " " + url);
                Map<String, Object> request = new HashMap<>(message.getHeaders());
                request.put("body", message.getBody(String.class));
                request.put("tenant", exchange.getProperty("HubTenantId"));
                request.put("connection", exchange.getProperty("HubConnectionId"));
                requests.add(request);
                URI uri = URI.create(url);
                Object[] answer = faults.isEmpty() ? drive.apply(new String[] {message.getHeader("ProviderMethod", String.class),
                        uri.getRawPath(), uri.getRawQuery() == null ? "" : URLDecoder.decode(uri.getRawQuery(), StandardCharsets.UTF_8)})
                        : faults.poll();
                String pass = message.getHeader("ProviderPassThrough", String.class);
                int status = (Integer) answer[0];
                if (status >= 400 && (pass == null || !pass.contains(Integer.toString(status)))) {
                    throw new ProviderCallException(ProviderCallException.Kind.REJECTED, status, "rejected with " + status, null);
                }
                message.getHeaders().clear();
                message.setHeader("ProviderStatus", status);
                message.setHeader("Content-Type", "application/json; charset=UTF-8");
                message.setBody(((String) answer[1]).getBytes(StandardCharsets.UTF_8));
            }
        });
        context.start();
    }

    private Exchange send(String route, String body, Map<String, Object> properties) {
        return template.send(route, e -> {
            e.setProperty("HubTenantId", TENANT);
            e.setProperty("HubConnectionId", CONNECTION);
            properties.forEach(e::setProperty);
            e.getMessage().setBody(body);
        });
    }

    private static JsonNode out(Exchange exchange) {
        assertThat(exchange.getException()).isNull();
        return json(exchange.getMessage().getBody(String.class));
    }

    private static String file(String id, String name, String mime, String parent) {
        return "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"mimeType\":\"" + mime + "\",\"parents\":[\"" + parent
                + "\"],\"modifiedTime\":\"2026-03-01T10:00:00.000Z\"" + (mime.equals(FOLDER) ? "" : ",\"size\":\"12\"") + "}";
    }

    /** A three-level tree below R (recipes) and I (invoices); files.list answers two items a page. */
    private void tree() {
        Map<String, List<String>> children = Map.of(
                "R", List.of(file("f1", "Bread.txt", "text/plain", "R"), file("A", "Mains", FOLDER, "R"),
                        file("f2", "Soup.txt", "text/plain", "R")),
                "A", List.of(file("B", "Slow", FOLDER, "A"), file("f3", "Curry.txt", "text/plain", "A")),
                "B", List.of(file("f4", "Menu", "application/vnd.google-apps.document", "B")),
                "I", List.of(file("f5", "INV-1.pdf", "application/pdf", "I")));
        drive = r -> {
            if (r[1].equals("/drive/v3/changes/startPageToken")) {
                return new Object[] {200, "{\"kind\":\"drive#startPageToken\",\"startPageToken\":\"77\"}"};
            }
            if (r[1].equals("/drive/v3/files")) {
                String parent = r[2].replaceAll(".*q='([A-Za-z0-9]+)' in parents.*", "$1");
                List<String> all = children.getOrDefault(parent, List.of());
                int from = r[2].contains("pageToken=p2") ? 2 : 0;
                List<String> page = all.subList(from, Math.min(all.size(), from + 2));
                return new Object[] {200, "{\"files\":[" + String.join(",", page) + "]"
                        + (from + 2 < all.size() ? ",\"nextPageToken\":\"p2\"" : "") + "}"};
            }
            return new Object[] {404, "{}"};
        };
    }

    private List<JsonNode> crawl(String entity, List<String> deltaCursors) {
        List<JsonNode> records = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String body = "{\"cursor\":" + (cursor == null ? "null" : JSON.valueToTree(cursor).toString())
                    + ",\"since\":null,\"mode\":\"full\",\"config\":{\"recipesFolderId\":\"R\",\"invoicesFolderId\":\"I\"}}";
            JsonNode page = out(send("direct:google-drive." + entity + ".page", body, Map.of("HubConfig",
                    Map.of("recipesFolderId", "R", "invoicesFolderId", "I"))));
            page.path("items").forEach(records::add);
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText(null);
            deltaCursors.add(page.path("deltaCursor").asText(null));
            assertThat(++pages).isLessThan(20);
        } while (cursor != null);
        return records;
    }

    @Test
    void aCrawlWalksTheWatchedFoldersBreadthFirstThroughTheComponentAndEndsAtTheStartPageToken() {
        tree();
        List<String> deltas = new ArrayList<>();
        List<JsonNode> files = crawl("file", deltas);

        // Breadth first within each watched folder (the two roots may come in either order: they are config values)
        List<String> order = files.stream().map(r -> r.path("externalId").asText()).toList();
        assertThat(order).containsExactlyInAnyOrder("f1", "f2", "f5", "f3", "f4");
        assertThat(order.stream().filter(id -> !id.equals("f5")).toList()).containsExactly("f1", "f2", "f3", "f4");
        java.util.Map<String, JsonNode> byId = new java.util.HashMap<>();
        files.forEach(r -> byId.put(r.path("externalId").asText(), r));
        JsonNode menu = byId.get("f4").path("data");
        assertThat(menu.path("purpose").asText()).isEqualTo("recipes");
        assertThat(menu.path("parentId").asText()).isEqualTo("B");
        assertThat(menu.path("googleDoc").asBoolean()).isTrue();
        assertThat(byId.get("f5").path("data").path("purpose").asText()).isEqualTo("invoices");
        assertThat(byId.get("f1").path("data").path("size").asInt()).isEqualTo(12);
        assertThat(byId.get("f1").path("remoteUpdatedAt").asText()).isEqualTo("2026-03-01T10:00:00.000Z");
        assertThat(deltas.get(deltas.size() - 1)).isEqualTo("77");
        assertThat(deltas.subList(0, deltas.size() - 1)).containsOnlyNulls();

        // The component's requests, each through the provider endpoint for the run's connection, no token of its own.
        assertThat(calls.get(0)).isEqualTo("GET " + API + "/drive/v3/changes/startPageToken");
        assertThat(calls).filteredOn(c -> c.contains("/drive/v3/files?")).first().asString().contains("pageSize=2")
                .contains("fields=nextPageToken");
        assertThat(calls).anyMatch(c -> c.contains("q='R'%20in%20parents%20and%20trashed%20%3D%20false"))
                .anyMatch(c -> c.contains("q='I'%20in%20parents%20and%20trashed%20%3D%20false"));
        assertThat(requests).allSatisfy(r -> {
            assertThat(r).doesNotContainKey("Authorization");
            assertThat(r.get("tenant")).isEqualTo(TENANT);
            assertThat(r.get("connection")).isEqualTo(CONNECTION);
        });

        calls.clear();
        List<JsonNode> folders = crawl("folder", new ArrayList<>());
        assertThat(folders).extracting(r -> r.path("externalId").asText()).containsExactly("A", "B");
        assertThat(folders.get(0).path("data").has("size")).isFalse();
    }

    @Test
    void aChangesPageKeepsWhatLiesInTheWatchedTreeAndDeletesWhatLeftIt() {
        knownFolders.put("A", "recipes");
        drive = r -> {
            if (r[1].equals("/drive/v3/files")) {
                // The folder that came into the tree: its content is listed (Drive's change named only the folder).
                assertThat(r[2]).contains("q='C' in parents");
                return new Object[] {200, "{\"files\":[" + file("c1", "Cakes.txt", "text/plain", "C") + ","
                        + file("c2", "Tart.txt", "text/plain", "C") + "]}"};
            }
            assertThat(r[1]).isEqualTo("/drive/v3/changes");
            assertThat(r[2]).contains("pageToken=77").contains("pageSize=2");
            return new Object[] {200, "{\"newStartPageToken\":\"81\",\"changes\":["
                    + "{\"changeType\":\"file\",\"fileId\":\"n1\",\"removed\":false,\"file\":" + file("n1", "New.txt", "text/plain", "A") + "},"
                    + "{\"changeType\":\"file\",\"fileId\":\"m1\",\"removed\":false,\"file\":" + file("m1", "Moved.txt", "text/plain", "elsewhere") + "},"
                    + "{\"changeType\":\"file\",\"fileId\":\"t1\",\"removed\":false,\"file\":{\"id\":\"t1\",\"mimeType\":\"text/plain\",\"parents\":[\"A\"],\"trashed\":true}},"
                    + "{\"changeType\":\"file\",\"fileId\":\"gone\",\"removed\":true},"
                    + "{\"changeType\":\"file\",\"fileId\":\"c1\",\"removed\":false,\"file\":" + file("c1", "Cakes.txt", "text/plain", "C") + "},"
                    + "{\"changeType\":\"file\",\"fileId\":\"C\",\"removed\":false,\"file\":" + file("C", "Cakes", FOLDER, "A") + "},"
                    + "{\"changeType\":\"file\",\"fileId\":\"i1\",\"removed\":false,\"file\":" + file("i1", "INV-2.pdf", "application/pdf", "I") + "}"
                    + "]}"};
        };
        String body = "{\"cursor\":null,\"since\":\"77\",\"mode\":\"incremental\",\"config\":{\"recipesFolderId\":\"R\",\"invoicesFolderId\":\"I\"}}";
        JsonNode page = out(send("direct:google-drive.file.page", body, Map.of("HubConfig",
                Map.of("recipesFolderId", "R", "invoicesFolderId", "I"))));

        Map<String, JsonNode> items = new HashMap<>();
        page.path("items").forEach(i -> items.put(i.path("externalId").asText(), i));
        assertThat(items.keySet()).containsExactlyInAnyOrder("n1", "m1", "t1", "gone", "c1", "i1");
        assertThat(items.get("n1").path("deleted").asBoolean()).isFalse();
        assertThat(items.get("n1").path("data").path("purpose").asText()).isEqualTo("recipes");
        assertThat(items.get("c1").path("deleted").asBoolean()).as("in a folder that came into the tree in the same page").isFalse();
        assertThat(items.get("i1").path("data").path("purpose").asText()).isEqualTo("invoices");
        assertThat(items.get("m1").path("deleted").asBoolean()).isTrue();
        assertThat(items.get("t1").path("deleted").asBoolean()).isTrue();
        assertThat(items.get("gone").path("deleted").asBoolean()).isTrue();
        assertThat(page.path("deltaCursor").isNull()).as("the run goes on with folder C's content").isTrue();
        String cursor = page.path("nextCursor").asText();
        assertThat(json(cursor).path("queue").get(0).path("id").asText()).isEqualTo("C");

        JsonNode content = out(send("direct:google-drive.file.page", "{\"cursor\":" + JSON.valueToTree(cursor)
                + ",\"since\":\"77\",\"mode\":\"incremental\",\"config\":{\"recipesFolderId\":\"R\",\"invoicesFolderId\":\"I\"}}",
                Map.of("HubConfig", Map.of("recipesFolderId", "R", "invoicesFolderId", "I"))));
        List<String> listed = new ArrayList<>();
        content.path("items").forEach(i -> listed.add(i.path("externalId").asText()));
        assertThat(listed).containsExactly("c1", "c2");
        assertThat(content.path("items").get(1).path("data").path("purpose").asText()).isEqualTo("recipes");
        assertThat(content.path("deltaCursor").asText()).isEqualTo("81");
        assertThat(content.path("nextCursor").isNull()).isTrue();
    }

    @Test
    void drivesRateLimitIsBackedOffAndAnyOtherRefusalReachesThePlatformUnwrapped() {
        tree();
        String limited = "{\"error\":{\"code\":403,\"message\":\"User rate limit exceeded.\",\"errors\":[{\"domain\":\"usageLimits\","
                + "\"reason\":\"userRateLimitExceeded\",\"message\":\"User rate limit exceeded.\"}]}}";
        faults.add(new Object[] {403, limited});
        faults.add(new Object[] {429, "{\"error\":{\"code\":429,\"message\":\"Rate Limit Exceeded\"}}"});

        List<JsonNode> files = crawl("file", new ArrayList<>());
        assertThat(files).hasSize(5);
        assertThat(calls.subList(0, 3)).containsOnly("GET " + API + "/drive/v3/changes/startPageToken");
        assertThat(requests.get(0).get("ProviderPassThrough")).isEqualTo("403,429");

        faults.add(new Object[] {403, "{\"error\":{\"code\":403,\"errors\":[{\"reason\":\"insufficientFilePermissions\"}]}}"});
        Exchange refused = send("direct:google-drive.file.page", "{\"cursor\":null,\"mode\":\"full\",\"config\":{\"recipesFolderId\":\"R\"}}",
                Map.of("HubConfig", Map.of("recipesFolderId", "R")));
        assertThat(refused.getException()).isInstanceOf(ProviderCallException.class)
                .hasMessageContaining("insufficientFilePermissions");
    }

    @Test
    void aRunWithoutAWatchedFolderSaysWhatToSet() {
        Exchange failed = send("direct:google-drive.file.page", "{\"cursor\":null,\"mode\":\"full\",\"config\":{}}", Map.of());
        assertThat(failed.getException()).hasMessageContaining("config.recipesFolderId");
        assertThat(calls).isEmpty();
    }

    @Test
    void theFolderPickerAsksForAFolderAndAPageOfItsSubFolders() {
        drive = r -> r[1].equals("/drive/v3/files/R")
                ? new Object[] {200, file("R", "Recipes", FOLDER, "root")}
                : new Object[] {200, "{\"files\":[" + file("A", "Mains", FOLDER, "R") + "],\"nextPageToken\":\"p2\"}"};

        JsonNode out = out(send("direct:google-drive.folders.list", "", Map.of("DriveParentId", "R", "DrivePageToken", "p1")));

        assertThat(out.path("parent").path("name").asText()).isEqualTo("Recipes");
        assertThat(out.path("page").path("files").get(0).path("id").asText()).isEqualTo("A");
        assertThat(out.path("page").path("nextPageToken").asText()).isEqualTo("p2");
        assertThat(calls.get(0)).startsWith("GET " + API + "/drive/v3/files/R?fields=");
        String list = URLDecoder.decode(calls.get(1), StandardCharsets.UTF_8);
        assertThat(list).contains("q='R' in parents and mimeType = 'application/vnd.google-apps.folder' and trashed = false")
                .contains("orderBy=name").contains("pageToken=p1");
    }

    @Test
    void contentIsMediaOrAPdfExportStreamedByTheProviderEndpoint() {
        drive = r -> new Object[] {200, "{}"};
        send("direct:google-drive.file.content", "", Map.of("DriveFileId", "f1"));
        send("direct:google-drive.file.content", "", Map.of("DriveFileId", "f4", "DriveExport", "application/pdf"));

        assertThat(calls).containsExactly("GET " + API + "/drive/v3/files/f1?alt=media",
                "GET " + API + "/drive/v3/files/f4/export?mimeType=application%2Fpdf");
    }

    @Test
    void aChangeNotificationAsksForIncrementalRunsAndOtherStatesAreLogged() throws Exception {
        MockEndpoint sync = getMockEndpoint("mock:sync-request");
        MockEndpoint ignored = getMockEndpoint("mock:ignored");
        sync.expectedMessageCount(1);
        ignored.expectedMessageCount(1);

        template.sendBodyAndHeader("direct:webhook.google-drive", "", "HubEventType", "change");
        template.sendBodyAndHeader("direct:webhook.google-drive", "", "HubEventType", "exists");

        MockEndpoint.assertIsSatisfied(context);
    }
}
