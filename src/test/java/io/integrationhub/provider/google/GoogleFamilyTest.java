package io.integrationhub.provider.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.provider.googledrive.sandbox.GoogleSimulator;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubIntegrationTest;

/**
 * The Google families — Google Drive through camel-google-drive, Google Calendar through the provider endpoint —
 * driven over HTTP like a host application against a wire-level Google ({@link GoogleFake}): consent and the token
 * exchange, the folder picker paging through Drive's folders, Scan now of a three-level watched tree, a change
 * notification bringing a new file's record, a file moved out of the watched folder deleted, Drive's
 * {@code 403 userRateLimitExceeded} backed off, a file's bytes and a Google Doc's PDF streamed, and a calendar
 * event's upsert, upsert, delete as one insert, one patch, one delete.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GoogleFamilyTest extends HubIntegrationTest {

    static final GoogleFake GOOGLE = new GoogleFake();
    static final ObjectMapper JSON = new ObjectMapper();

    /** Shared by the ordered Drive tests. */
    static Tenant drive;
    static Map<String, String> tree = new java.util.HashMap<>();

    @DynamicPropertySource
    static void googleUrls(DynamicPropertyRegistry registry) {
        for (String key : List.of("google-drive", "google-calendar")) {
            registry.add("hub.providers." + key + ".client-id", () -> GoogleFake.CLIENT_ID);
            registry.add("hub.providers." + key + ".client-secret", () -> GoogleFake.CLIENT_SECRET);
            registry.add("hub.providers." + key + ".authorize-url", () -> GOOGLE.root() + "/o/oauth2/v2/auth");
            registry.add("hub.providers." + key + ".token-url", () -> GOOGLE.root() + "/token");
            registry.add("hub.providers." + key + ".revoke-url", () -> GOOGLE.root() + "/revoke");
            registry.add("hub.providers." + key + ".api-url", GOOGLE::root);
        }
        registry.add("hub.google-drive.folder-page-size", () -> "50");
        registry.add("hub.google-drive.page-size", () -> "2");
        registry.add("hub.google-drive.rate-limit.initial-backoff", () -> "20ms");
        registry.add("hub.google-drive.rate-limit.max-backoff", () -> "200ms");
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
        GOOGLE.sim().clearFaults();
        GOOGLE.sim().notifyVia("http://localhost:" + port);
    }

    private Tenant connect(String provider, String config) {
        String key = newTenantKey();
        HubClient.Response created = hub.post("/api/v1/connections", key,
                "{\"provider\":\"" + provider + "\",\"config\":" + config + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String authorize = created.json().path("authorizeUrl").asText();
        assertThat(authorize).startsWith(GOOGLE.root() + "/o/oauth2/v2/auth?").contains("access_type=offline")
                .contains("prompt=consent").contains("code_challenge_method=S256");
        String state = param(authorize, "state");
        HubClient.Response back = hub.get("/oauth/callback/" + provider + "?code=code-" + UUID.randomUUID() + "&state="
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

    private JsonNode sync(Tenant t, String entity, String mode) {
        // A run a change notification started may still be going: the button answers 409 until it ends.
        HubClient.Response[] response = new HubClient.Response[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            response[0] = hub.post(t.path() + "/syncs", t.key(), "{\"entity\":\"" + entity + "\",\"mode\":\"" + mode + "\"}");
            return response[0].status() != 409;
        });
        HubClient.Response started = response[0];
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String run = started.json().path("id").asText();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            last[0] = hub.get("/api/v1/syncs/" + run, t.key()).json();
            return List.of("succeeded", "failed", "cancelled").contains(last[0].path("status").asText());
        });
        return last[0];
    }

    /** externalId → record. */
    private Map<String, JsonNode> records(Tenant t, String model) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            HubClient.Response r = hub.get(t.path() + "/records/" + model + "?limit=100" + (cursor == null ? ""
                    : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), t.key());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().path("records").forEach(all::add);
            cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText(null);
        } while (cursor != null);
        return all.stream().collect(Collectors.toMap(r -> r.path("externalId").asText(), r -> r, (a, b) -> b));
    }

    private static boolean live(Map<String, JsonNode> records, String id) {
        return records.containsKey(id) && !records.get(id).path("deleted").asBoolean();
    }

    @Test
    @Order(1)
    void shouldConnectDriveWithGoogleOAuthAndWatchItsChanges() {
        drive = connect("google-drive", "{}");
        Map<String, String> exchange = GOOGLE.tokenCalls().get(GOOGLE.tokenCalls().size() - 1);
        assertThat(exchange.get("grant_type")).isEqualTo("authorization_code");
        assertThat(exchange.get("code_verifier")).isNotBlank();
        JsonNode connection = hub.get(drive.path(), drive.key()).json();
        assertThat(connection.path("account").path("email").asText()).isEqualTo(GoogleFake.EMAIL);
        // A changes.watch channel for the connection, opened from changes.getStartPageToken's token.
        await().atMost(Duration.ofSeconds(10)).until(() -> GOOGLE.sim().liveChannels() >= 1);
        assertThat(GOOGLE.sim().calls()).anySatisfy(c -> {
            assertThat(c.method() + " " + c.path()).isEqualTo("POST /drive/v3/changes/watch");
            assertThat(c.rawQuery()).startsWith("pageToken=");
            assertThat(c.body()).contains("\"type\":\"web_hook\"").contains("/webhooks/google-drive");
        });
    }

    @Test
    @Order(2)
    void shouldPageThroughDriveFoldersForTheFolderPicker() {
        GoogleSimulator sim = GOOGLE.sim();
        var picker = sim.folder("Picker", null);
        for (int i = 0; i < 120; i++) {
            sim.folder(String.format("Folder %03d", i), picker.id());
        }
        sim.file("not a folder.txt", picker.id(), "text/plain", new byte[] {1});
        GOOGLE.sim().clearCalls();

        List<String> names = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            HubClient.Response r = hub.get(drive.path() + "/folders?parentId=" + picker.id()
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), drive.key());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().path("parent").path("name").asText()).isEqualTo("Picker");
            r.json().path("folders").forEach(f -> names.add(f.path("name").asText()));
            cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText(null);
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(names).hasSize(120).doesNotContain("not a folder.txt").isSorted();
        assertThat(GOOGLE.sim().calls()).filteredOn(c -> c.path().equals("/drive/v3/files")).allSatisfy(c -> {
            String q = java.net.URLDecoder.decode(c.rawQuery(), StandardCharsets.UTF_8);
            assertThat(q).contains("'" + picker.id() + "' in parents").contains("mimeType = 'application/vnd.google-apps.folder'")
                    .contains("pageSize=50");
        });

        HubClient.Response top = hub.get(drive.path() + "/folders", drive.key());
        assertThat(top.status()).as(top.body()).isEqualTo(200);
        assertThat(top.json().path("parent").path("name").asText()).isEqualTo("root");
        assertThat(top.json().path("folders").toString()).contains("Picker");

        assertThat(hub.get(drive.path() + "/folders?parentId=..%2Fabout", drive.key()).status()).isEqualTo(400);
        assertThat(hub.get(drive.path() + "/folders?parentId=nope123", drive.key()).status()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void shouldScanAThreeLevelWatchedTreeAsARun() {
        GoogleSimulator sim = GOOGLE.sim();
        var recipes = sim.folder("Recipes", null);
        var mains = sim.folder("Mains", recipes.id());
        var slow = sim.folder("Slow cooker", mains.id());
        var invoices = sim.folder("Invoices", null);
        tree.put("recipes", recipes.id());
        tree.put("mains", mains.id());
        tree.put("slow", slow.id());
        tree.put("bread", sim.file("Bread.txt", recipes.id(), "text/plain", "flour".getBytes()).id());
        tree.put("curry", sim.file("Curry.txt", mains.id(), "text/plain", "spice".getBytes()).id());
        tree.put("stew", sim.file("Stew.txt", slow.id(), "text/plain", "beef".getBytes()).id());
        tree.put("doc", sim.file("Menu", slow.id(), GoogleSimulator.DOC, "Monday soup".getBytes()).id());
        tree.put("invoice", sim.file("INV-7.pdf", invoices.id(), "application/pdf", "%PDF-1.4 INV-7".getBytes()).id());
        tree.put("outside", sim.file("Elsewhere.txt", null, "text/plain", "x".getBytes()).id());

        HubClient.Response bad = hub.patch(drive.path(), drive.key(), "{\"config\":{\"recipesFolderId\":\"'; drop\"}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("recipesFolderId");
        HubClient.Response patched = hub.patch(drive.path(), drive.key(), "{\"config\":{\"recipesFolderId\":\""
                + recipes.id() + "\",\"invoicesFolderId\":\"" + invoices.id() + "\"}}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);

        // Scan now = a full run of folders, then of files (the dashboard's button starts both).
        JsonNode folders = sync(drive, "folder", "full");
        assertThat(folders.path("status").asText()).as(folders.toString()).isEqualTo("succeeded");
        JsonNode files = sync(drive, "file", "full");
        assertThat(files.path("status").asText()).as(files.toString()).isEqualTo("succeeded");
        // Every watched file was read by the full run (a notification's run may have created some records first).
        assertThat(files.path("recordsProcessed").asInt()).isGreaterThanOrEqualTo(5);

        Map<String, JsonNode> fileRecords = records(drive, "file");
        assertThat(fileRecords.keySet()).containsExactlyInAnyOrder(tree.get("bread"), tree.get("curry"), tree.get("stew"),
                tree.get("doc"), tree.get("invoice"));
        JsonNode stew = fileRecords.get(tree.get("stew")).path("data");
        assertThat(stew.path("name").asText()).isEqualTo("Stew.txt");
        assertThat(stew.path("purpose").asText()).isEqualTo("recipes");
        assertThat(stew.path("parentId").asText()).isEqualTo(slow.id());
        assertThat(stew.path("size").asInt()).isEqualTo(4);
        assertThat(fileRecords.get(tree.get("invoice")).path("data").path("purpose").asText()).isEqualTo("invoices");
        assertThat(fileRecords.get(tree.get("doc")).path("data").path("googleDoc").asBoolean()).isTrue();
        assertThat(records(drive, "folder").keySet()).containsExactlyInAnyOrder(mains.id(), slow.id());
    }

    @Test
    @Order(4)
    void shouldRecordANewFileWhenDriveNotifiesAChangeEvenThroughRateLimits() {
        GoogleSimulator sim = GOOGLE.sim();
        // Drive's per-user limit: the first two changes.list answer 403 userRateLimitExceeded (no Retry-After).
        sim.failNext("GET", "/drive/v3/changes", 2, GoogleSimulator.Reply.userRateLimitExceeded());
        sim.clearCalls();
        var pie = sim.file("Pie.txt", tree.get("slow"), "text/plain", "apples".getBytes());
        // The simulator posts the channel's notification to /webhooks/google-drive; the hub reads changes.list.
        await().atMost(Duration.ofSeconds(30)).until(() -> live(records(drive, "file"), pie.id()));
        JsonNode data = records(drive, "file").get(pie.id()).path("data");
        assertThat(data.path("name").asText()).isEqualTo("Pie.txt");
        assertThat(data.path("purpose").asText()).isEqualTo("recipes");
        List<Integer> statuses = sim.calls().stream().filter(c -> c.path().equals("/drive/v3/changes"))
                .map(GoogleSimulator.Call::status).toList();
        assertThat(statuses).startsWith(403, 403).contains(200);
    }

    @Test
    @Order(5)
    void shouldDeleteTheRecordOfAFileMovedOutOfTheWatchedFolderAndOfATrashedOne() {
        GoogleSimulator sim = GOOGLE.sim();
        sim.move(tree.get("curry"), sim.rootId());
        await().atMost(Duration.ofSeconds(30)).until(() -> records(drive, "file").get(tree.get("curry"))
                .path("deleted").asBoolean());
        sim.trash(tree.get("bread"));
        await().atMost(Duration.ofSeconds(30)).until(() -> records(drive, "file").get(tree.get("bread"))
                .path("deleted").asBoolean());
        // Moved into the tree: a record again.
        sim.move(tree.get("outside"), tree.get("mains"));
        await().atMost(Duration.ofSeconds(30)).until(() -> live(records(drive, "file"), tree.get("outside")));
        assertThat(live(records(drive, "file"), tree.get("stew"))).isTrue();
    }

    @Test
    @Order(8)
    void shouldBringTheContentOfAFolderMovedIntoTheWatchedTreeWithoutAScan() {
        GoogleSimulator sim = GOOGLE.sim();
        var pastry = sim.folder("Pastry", null);
        var croissant = sim.file("Croissant.txt", pastry.id(), "text/plain", "butter".getBytes());
        var eclair = sim.file("Eclair.txt", pastry.id(), "text/plain", "choux".getBytes());
        var tarts = sim.folder("Tarts", pastry.id());
        var lemon = sim.file("Lemon tart.txt", tarts.id(), "text/plain", "lemon".getBytes());
        List<String> runsBefore = new ArrayList<>();
        hub.get(drive.path() + "/syncs?limit=200", drive.key()).json().forEach(r -> runsBefore.add(r.path("id").asText()));
        assertThat(live(records(drive, "file"), croissant.id())).as("outside the tree").isFalse();

        sim.move(pastry.id(), tree.get("recipes"));
        // Drive's change names only Pastry; the notification's runs list its sub-tree too.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Map<String, JsonNode> files = records(drive, "file");
            Map<String, JsonNode> folders = records(drive, "folder");
            return live(files, croissant.id()) && live(files, eclair.id()) && live(files, lemon.id())
                    && live(folders, tarts.id()) && live(folders, pastry.id());
        });
        Map<String, JsonNode> files = records(drive, "file");
        assertThat(files.get(lemon.id()).path("data").path("parentId").asText()).isEqualTo(tarts.id());
        assertThat(files.get(lemon.id()).path("data").path("purpose").asText()).isEqualTo("recipes");
        assertThat(records(drive, "folder").get(tarts.id()).path("data").path("parentId").asText()).isEqualTo(pastry.id());
        assertThat(sim.calls()).anySatisfy(c -> assertThat(c.path() + "?" + c.rawQuery()).startsWith("/drive/v3/files?")
                .contains(tarts.id()));
        List<JsonNode> newRuns = new ArrayList<>();
        hub.get(drive.path() + "/syncs?limit=200", drive.key()).json().forEach(r -> {
            if (!runsBefore.contains(r.path("id").asText())) {
                newRuns.add(r);
            }
        });
        assertThat(newRuns).as("no Scan now (full run)").isNotEmpty()
                .allSatisfy(r -> assertThat(r.path("mode").asText()).isEqualTo("incremental"));
    }

    @Test
    @Order(6)
    void shouldStreamAFilesBytesAndAGoogleDocAsPdf() throws Exception {
        HttpResponse<byte[]> stew = download(tree.get("stew"));
        assertThat(stew.statusCode()).isEqualTo(200);
        assertThat(new String(stew.body(), StandardCharsets.UTF_8)).isEqualTo("beef");
        assertThat(stew.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(stew.headers().firstValue("Content-Disposition").orElse("")).contains("Stew.txt");

        HttpResponse<byte[]> doc = download(tree.get("doc"));
        assertThat(doc.statusCode()).isEqualTo(200);
        assertThat(doc.headers().firstValue("Content-Type").orElse("")).startsWith("application/pdf");
        assertThat(new String(doc.body(), StandardCharsets.UTF_8)).startsWith("%PDF-").contains("Monday soup");
        assertThat(doc.headers().firstValue("Content-Disposition").orElse("")).contains("Menu.pdf");
        assertThat(GOOGLE.sim().calls()).anySatisfy(c -> assertThat(c.path()).isEqualTo("/drive/v3/files/" + tree.get("doc") + "/export"));

        assertThat(download("missing42").statusCode()).isEqualTo(404);
        assertThat(download(tree.get("mains")).statusCode()).isEqualTo(422);
        assertThat(hub.get(drive.path() + "/files/" + tree.get("stew") + "/content", newTenantKey()).status()).isEqualTo(404);
    }

    private HttpResponse<byte[]> download(String itemId) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(hub.request(drive.path() + "/files/" + itemId + "/content",
                drive.key()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HubClient.Response action(Tenant t, String name, String body) {
        return hub.send(hub.request(t.path() + "/actions/" + name, t.key()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    @Order(7)
    void shouldInsertOncePatchOnceAndDeleteOnceAGoogleCalendarEvent() throws Exception {
        Tenant cal = connect("google-calendar", "{\"calendar\":{\"timeZone\":\"Europe/London\"}}");
        assertThat(hub.get(cal.path(), cal.key()).json().path("account").path("email").asText()).isEqualTo(GoogleFake.EMAIL);
        GOOGLE.sim().clearCalls();

        HubClient.Response first = action(cal, "upsert-event", "{\"localRef\":\"job-9\",\"subject\":\"Tasting\","
                + "\"start\":\"2026-07-10T09:00:00+02:00\",\"end\":\"2026-07-10T10:00:00+02:00\",\"status\":\"tentative\"}");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String id = first.json().path("externalId").asText();
        HubClient.Response second = action(cal, "upsert-event", "{\"localRef\":\"job-9\",\"subject\":\"Tasting day\","
                + "\"start\":\"2026-07-10\",\"end\":\"2026-07-11\",\"allDay\":true,\"status\":\"confirmed\"}");
        assertThat(second.status()).as(second.body()).isEqualTo(200);
        assertThat(second.json().path("externalId").asText()).isEqualTo(id);
        JsonNode event = GOOGLE.sim().events().get(id);
        assertThat(event.path("summary").asText()).isEqualTo("Tasting day");
        assertThat(event.path("start").path("date").asText()).isEqualTo("2026-07-10");
        assertThat(event.path("end").path("date").asText()).isEqualTo("2026-07-12");
        assertThat(event.path("transparency").asText()).isEqualTo("opaque");
        assertThat(event.path("colorId").asText()).isEqualTo("10");
        assertThat(event.path("extendedProperties").path("private").path("integrationHubConnection").asText())
                .isEqualTo(cal.connectionId().toString());

        HubClient.Response removed = action(cal, "delete-event", "{\"localRef\":\"job-9\"}");
        assertThat(removed.status()).as(removed.body()).isEqualTo(200);

        List<String> calls = GOOGLE.sim().calls().stream().filter(c -> c.path().startsWith("/calendar/v3/calendars/primary/events"))
                .map(c -> c.method() + " " + c.status()).toList();
        assertThat(calls).containsExactly("POST 200", "PATCH 200", "DELETE 204");
        JsonNode inserted = JSON.readTree(GOOGLE.sim().calls().stream().filter(c -> c.method().equals("POST")
                && c.path().endsWith("/events")).findFirst().orElseThrow().body());
        assertThat(inserted.path("start").path("dateTime").asText()).isEqualTo("2026-07-10T08:00:00");
        assertThat(inserted.path("start").path("timeZone").asText()).isEqualTo("Europe/London");
        assertThat(inserted.path("transparency").asText()).isEqualTo("transparent");
        assertThat(inserted.path("id").asText()).isEqualTo(id).matches("[a-v0-9]{32}");
        assertThat(GOOGLE.sim().events()).doesNotContainKey(id);
    }
}
