package io.integrationhub.provider.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
 * The HubSpot family (routes/hubspot: catalog, page routes, batch push, webhooks, JSONata mappings) driven over HTTP
 * like a host application against a wire-level HubSpot ({@link HubSpotFake}): OAuth v3 token endpoint, pulls of
 * contacts with their companies, pushes through batch upsert with a 207, two-way conflicts under each policy, a
 * signed webhook batch of 100 events, and an incremental pull past the search API's result window; deals and contacts
 * pushed with references to companies and contacts become HubSpot associations.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HubSpotFamilyTest extends HubIntegrationTest {

    /**
     * HubSpot's search API pages through at most 10,000 results of one query. Crossing that window takes 10,000+
     * objects (about a minute of this class), so here the simulator's window and the hub's setting
     * hub.providers.hubspot.search-window are both 1,000: the hub's logic (move the lower bound before `after` passes
     * the window) is the same, HubSpotRoutesTest checks it at the default of 10,000.
     */
    static final int SEARCH_WINDOW = 1_000;
    static final HubSpotFake HUBSPOT = new HubSpotFake().searchWindow(SEARCH_WINDOW);
    static final String PUBLIC_URL = "http://localhost:8080";

    @DynamicPropertySource
    static void hubspotUrls(DynamicPropertyRegistry registry) {
        registry.add("hub.public-url", () -> PUBLIC_URL);
        registry.add("hub.providers.hubspot.client-id", () -> HubSpotFake.CLIENT_ID);
        registry.add("hub.providers.hubspot.client-secret", () -> HubSpotFake.CLIENT_SECRET);
        registry.add("hub.providers.hubspot.authorize-url", () -> HUBSPOT.root() + "/oauth/authorize");
        registry.add("hub.providers.hubspot.token-url", () -> HUBSPOT.root() + "/oauth/v3/token");
        registry.add("hub.providers.hubspot.api-url", HUBSPOT::root);
        registry.add("hub.providers.hubspot.search-window", () -> String.valueOf(SEARCH_WINDOW));
        registry.add("hub.resilience.budgets.hubspot", () -> "2000");
        registry.add("hub.resilience.budgets.hubspot-search", () -> "2000");
        registry.add("hub.resilience.connection-budgets.hubspot.limit", () -> "100000");
        registry.add("hub.resilience.connection-budgets.hubspot-search.limit", () -> "100000");
        registry.add("hub.resilience.max-attempts", () -> "3");
        registry.add("hub.resilience.initial-backoff", () -> "20ms");
        registry.add("hub.resilience.max-backoff", () -> "100ms");
    }

    record Tenant(String key, UUID connectionId) {
        String path() {
            return "/api/v1/connections/" + connectionId;
        }
    }

    static Tenant shared;

    private Tenant connect() {
        String key = newTenantKey();
        HubClient.Response created = hub.post("/api/v1/connections", key, "{\"provider\":\"hubspot\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String authorize = created.json().path("authorizeUrl").asText();
        assertThat(authorize).startsWith(HUBSPOT.root() + "/oauth/authorize?").contains("client_id=" + HubSpotFake.CLIENT_ID);
        String state = param(authorize, "state");
        HubClient.Response back = hub.get("/oauth/callback/hubspot?code=code-" + UUID.randomUUID() + "&state="
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

    private JsonNode sync(Tenant t, String entity, String body) {
        HubClient.Response started = hub.post(t.path() + "/syncs", t.key(), "{\"entity\":\"" + entity + "\"," + body + "}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String run = started.json().path("id").asText();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(400)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = hub.get("/api/v1/syncs/" + run, t.key()).json();
            return List.of("succeeded", "failed", "cancelled").contains(last[0].path("status").asText());
        });
        return last[0];
    }

    private JsonNode record(Tenant t, String model, String externalId) {
        for (JsonNode r : records(t, model)) {
            if (r.path("externalId").asText().equals(externalId)) {
                return r;
            }
        }
        return null;
    }

    private List<JsonNode> records(Tenant t, String model) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            HubClient.Response r = hub.get(t.path() + "/records/" + model + "?limit=1000" + (cursor == null ? ""
                    : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), t.key());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().path("records").forEach(all::add);
            cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText(null);
        } while (cursor != null);
        return all;
    }

    private HubClient.Response action(Tenant t, String action, String body) {
        return hub.post(t.path() + "/actions/" + action, t.key(), body);
    }

    private List<HubSpotFake.Call> calls(String method, String pathPart) {
        return HUBSPOT.calls().stream().filter(c -> c.method().equals(method) && c.path().contains(pathPart)).toList();
    }

    @Test
    @Order(1)
    void shouldConnectThroughTheV3TokenEndpointAndTakeThePortalAsAccount() {
        shared = connect();
        Map<String, String> exchange = HUBSPOT.tokenCalls().get(0);
        assertThat(exchange.get("grant_type")).isEqualTo("authorization_code");
        assertThat(exchange.get("client_secret")).isEqualTo(HubSpotFake.CLIENT_SECRET);
        JsonNode connection = hub.get(shared.path(), shared.key()).json();
        assertThat(connection.path("account").path("id").asText()).isEqualTo(String.valueOf(HubSpotFake.PORTAL));
        assertThat(connection.toString()).doesNotContain("hs-at-").doesNotContain("hs-rt-");

        JsonNode providers = hub.get("/api/v1/providers", shared.key()).json();
        JsonNode hubspot = null;
        for (JsonNode p : providers) {
            if (p.path("key").asText().equals("hubspot")) {
                hubspot = p;
            }
        }
        assertThat(hubspot).isNotNull();
        assertThat(hubspot.path("entities").toString()).isEqualTo("[\"contact\",\"company\",\"deal\"]");
        assertThat(hubspot.path("actions").toString()).contains("upsert-contact", "upsert-company", "upsert-deal");
    }

    @Test
    @Order(2)
    void shouldPullContactsCompaniesAndDealsWithTheirAssociationsAndMarkArchivedOnesDeleted() {
        Tenant t = shared;
        String acme = HUBSPOT.create("companies", Map.of("name", "Acme", "domain", "acme.example"));
        String ada = HUBSPOT.create("contacts", Map.of("email", "ada@acme.example", "firstname", "Ada", "lastname", "L"));
        String deal = HUBSPOT.create("deals", Map.of("dealname", "Big one", "amount", "1200.50", "dealstage", "qualifiedtobuy"));
        String gone = HUBSPOT.create("contacts", Map.of("email", "gone@acme.example"));
        HUBSPOT.associate("contacts", ada, "companies", acme);
        HUBSPOT.associate("deals", deal, "companies", acme);
        HUBSPOT.associate("deals", deal, "contacts", ada);

        HUBSPOT.throttle(1);
        JsonNode contacts = sync(t, "contact", "\"mode\":\"full\"");
        assertThat(contacts.path("status").asText()).as(contacts.toString()).isEqualTo("succeeded");
        JsonNode adaRecord = record(t, "contact", ada);
        assertThat(adaRecord.path("data").path("email").asText()).isEqualTo("ada@acme.example");
        assertThat(adaRecord.path("data").path("companyIds").toString()).isEqualTo("[\"" + acme + "\"]");
        assertThat(calls("GET", "/crm/v3/objects/contacts")).allSatisfy(c ->
                assertThat(c.query()).contains("limit=100").contains("properties="));

        // HubSpot says the burst window is used up: the hub waits for the next one instead of running into 429s.
        HUBSPOT.spendBurstWindow(500);
        JsonNode deals = sync(t, "deal", "\"mode\":\"full\"");
        assertThat(HUBSPOT.burstViolations()).isZero();
        assertThat(deals.path("status").asText()).as(deals.toString()).isEqualTo("succeeded");
        JsonNode dealRecord = record(t, "deal", deal);
        assertThat(dealRecord.path("data").path("amount").asDouble()).isEqualTo(1200.5);
        assertThat(dealRecord.path("data").path("companyIds").toString()).isEqualTo("[\"" + acme + "\"]");
        assertThat(dealRecord.path("data").path("contactIds").toString()).isEqualTo("[\"" + ada + "\"]");
        assertThat(sync(t, "company", "\"mode\":\"full\"").path("status").asText()).isEqualTo("succeeded");
        assertThat(record(t, "company", acme).path("data").path("dealIds").toString()).isEqualTo("[\"" + deal + "\"]");

        // Incremental: the search API on lastmodifieddate, oldest first; the associations come from v4 batch reads.
        // (The first incremental run of a connection reads everything and keeps where the next one starts.)
        assertThat(sync(t, "contact", "\"mode\":\"incremental\"").path("status").asText()).isEqualTo("succeeded");
        HUBSPOT.update("contacts", ada, "firstname", "Augusta Ada");
        HUBSPOT.archive("contacts", gone);
        HUBSPOT.clearCalls();
        JsonNode incremental = sync(t, "contact", "\"mode\":\"incremental\"");
        assertThat(incremental.path("status").asText()).as(incremental.toString()).isEqualTo("succeeded");
        JsonNode search = calls("POST", "/crm/v3/objects/contacts/search").get(0).json();
        assertThat(search.path("sorts").get(0).path("propertyName").asText()).isEqualTo("lastmodifieddate");
        assertThat(search.path("sorts").get(0).path("direction").asText()).isEqualTo("ASCENDING");
        assertThat(search.path("filterGroups").get(0).path("filters").get(0).path("operator").asText()).isEqualTo("GTE");
        assertThat(calls("POST", "/crm/v4/associations/contacts/companies/batch/read")).isNotEmpty();
        assertThat(record(t, "contact", ada).path("data").path("firstName").asText()).isEqualTo("Augusta Ada");
        assertThat(record(t, "contact", ada).path("data").path("companyIds").toString()).isEqualTo("[\"" + acme + "\"]");

        JsonNode full = sync(t, "contact", "\"mode\":\"full\"");
        assertThat(full.path("deleted").asLong()).as(full.toString()).isEqualTo(1);
        assertThat(calls("GET", "/crm/v3/objects/contacts")).anySatisfy(c -> assertThat(c.query()).contains("archived=true"));
    }

    @Test
    @Order(3)
    void shouldPushABatchWhereHubSpotRefusesOneItemAndFailOnlyThatRecord() {
        Tenant t = shared;
        for (int i = 1; i <= 3; i++) {
            HubClient.Response r = action(t, "upsert-contact", "{\"localRef\":\"crm-" + i + "\",\"data\":{\"email\":\"p" + i
                    + "@push.example\",\"firstName\":\"P" + i + "\"}}");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().path("outcome").asText()).isEqualTo("created");
            assertThat(r.json().path("externalId").asText()).isEqualTo(HUBSPOT.idByEmail("p" + i + "@push.example"));
        }
        HubSpotFake.Call upsert = calls("POST", "/crm/v3/objects/contacts/batch/upsert").get(0);
        assertThat(upsert.json().path("inputs").get(0).path("idProperty").asText()).isEqualTo("email");

        HUBSPOT.refuse("p2@push.example");
        HUBSPOT.clearCalls();
        JsonNode run = sync(t, "contact", "\"direction\":\"push\",\"mode\":\"full\"");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        List<HubSpotFake.Call> batches = calls("POST", "/crm/v3/objects/contacts/batch/upsert");
        assertThat(batches).hasSize(1);
        assertThat(batches.get(0).json().path("inputs").size()).isGreaterThanOrEqualTo(3);
        assertThat(run.path("errors")).hasSize(1);
        assertThat(run.path("errors").get(0).toString()).contains("crm-2");
        assertThat(run.path("updated").asLong()).isEqualTo(batches.get(0).json().path("inputs").size() - 1);

        // One object refused through the actions API: a 502 naming HubSpot's reason.
        HubClient.Response refused = action(t, "upsert-contact", "{\"localRef\":\"crm-x\",\"data\":{\"email\":\"p2@push.example\"}}");
        assertThat(refused.status()).as(refused.body()).isEqualTo(502);
        assertThat(refused.body()).contains("not valid");
    }

    @Test
    @Order(4)
    void shouldAssociateAPushedDealWithTheCompaniesAndContactsItRefersToOnce() {
        Tenant t = shared;
        // Records pulled in shouldPull… (hub record ids) and a company pushed by the host (its localRef).
        JsonNode acme = records(t, "company").stream().filter(r -> r.path("data").path("domain").asText().equals("acme.example"))
                .findFirst().orElseThrow();
        JsonNode ada = records(t, "contact").stream().filter(r -> r.path("data").path("email").asText().equals("ada@acme.example"))
                .findFirst().orElseThrow();
        HubClient.Response company = action(t, "upsert-company", "{\"localRef\":\"co-assoc\",\"data\":{\"domain\":"
                + "\"assoc.example\",\"name\":\"Assoc Ltd\"}}");
        assertThat(company.status()).as(company.body()).isEqualTo(200);
        String assocCo = company.json().path("externalId").asText();

        // A reference to a company the hub has not pushed: 422 naming it, nothing sent to HubSpot.
        HUBSPOT.clearCalls();
        HubClient.Response early = action(t, "upsert-deal", "{\"localRef\":\"deal-early\",\"data\":{\"name\":\"Early\","
                + "\"companies\":[{\"localRef\":\"co-not-yet\"}]}}");
        assertThat(early.status()).as(early.body()).isEqualTo(422);
        assertThat(early.body()).contains("data.companies[0]").contains("co-not-yet");
        assertThat(HUBSPOT.calls()).isEmpty();

        HubClient.Response deal = action(t, "upsert-deal", "{\"localRef\":\"deal-assoc\",\"data\":{\"name\":\"Assoc deal\","
                + "\"amount\":500,\"companies\":[{\"localRef\":\"co-assoc\"},{\"id\":\"" + acme.path("id").asText() + "\"}],"
                + "\"contacts\":[{\"id\":\"" + ada.path("id").asText() + "\"}]}}");
        assertThat(deal.status()).as(deal.body()).isEqualTo(200);
        assertThat(deal.json().path("outcome").asText()).isEqualTo("created");
        String dealId = deal.json().path("externalId").asText();
        assertThat(HUBSPOT.associated("deals", dealId, "companies"))
                .containsExactlyInAnyOrder(assocCo, acme.path("externalId").asText());
        assertThat(HUBSPOT.associated("deals", dealId, "contacts")).containsExactly(ada.path("externalId").asText());
        assertThat(HUBSPOT.associated("companies", assocCo, "deals")).containsExactly(dealId);
        assertThat(calls("POST", "/crm/v4/associations/deals/companies/batch/associate/default")).hasSize(1);

        HubClient.Response contact = action(t, "upsert-contact", "{\"localRef\":\"ct-assoc\",\"data\":{\"email\":"
                + "\"lin@assoc.example\",\"companies\":[{\"localRef\":\"co-assoc\"}]}}");
        assertThat(contact.status()).as(contact.body()).isEqualTo(200);
        assertThat(HUBSPOT.associated("contacts", contact.json().path("externalId").asText(), "companies")).containsExactly(assocCo);

        // A push run sends the deal and its associations again: HubSpot keeps one default association per pair.
        HUBSPOT.clearCalls();
        JsonNode run = sync(t, "deal", "\"direction\":\"push\",\"mode\":\"full\"");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.path("errors")).as(run.toString()).isEmpty();
        assertThat(calls("POST", "/crm/v3/objects/deals/batch/update")).hasSize(1);
        assertThat(calls("POST", "/crm/v4/associations/deals/companies/batch/associate/default")).hasSize(1);
        assertThat(HUBSPOT.associated("deals", dealId, "companies")).hasSize(2);
        assertThat(HUBSPOT.associated("deals", dealId, "contacts")).hasSize(1);

        // A pull shows them as the deal's record references.
        assertThat(sync(t, "deal", "\"mode\":\"full\"").path("status").asText()).isEqualTo("succeeded");
        JsonNode pulled = record(t, "deal", dealId).path("data");
        assertThat(pulled.path("companyIds").toString()).contains("\"" + assocCo + "\"", "\"" + acme.path("externalId").asText() + "\"");
        assertThat(pulled.path("contactIds").toString()).isEqualTo("[\"" + ada.path("externalId").asText() + "\"]");
    }

    @Test
    @Order(5)
    void shouldResolveAContactChangedOnBothSidesUnderEachConflictPolicy() {
        Tenant t = shared;
        String[] policies = {"last-write-wins", "prefer-local", "prefer-remote", "manual"};
        for (String policy : policies) {
            assertThat(hub.patch(t.path(), t.key(), "{\"config\":{\"conflicts\":{\"contact\":\"" + policy + "\"}}}").status())
                    .isEqualTo(200);
            String email = policy + "@two-way.example";
            HubClient.Response pushed = action(t, "upsert-contact", "{\"localRef\":\"tw-" + policy + "\",\"data\":{\"email\":\""
                    + email + "\",\"firstName\":\"Local 1\"}}");
            assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
            String id = pushed.json().path("externalId").asText();
            // Changed in HubSpot, pulled into the hub …
            HUBSPOT.update("contacts", id, "firstname", "Remote 2");
            assertThat(sync(t, "contact", "\"mode\":\"incremental\"").path("status").asText()).isEqualTo("succeeded");
            assertThat(record(t, "contact", id).path("data").path("firstName").asText()).isEqualTo("Remote 2");
            // … and changed locally too (an hour before the remote change: last-write-wins keeps the remote).
            int upsertsBefore = calls("POST", "/batch/upsert").size();
            HubClient.Response local = action(t, "upsert-contact", "{\"localRef\":\"tw-" + policy + "\",\"modifiedAt\":\"2026-01-01T00:00:00Z\","
                    + "\"data\":{\"email\":\"" + email + "\",\"firstName\":\"Local 2\"}}");
            JsonNode conflict = null;
            for (JsonNode c : hub.get(t.path() + "/conflicts", t.key()).json()) {
                if (c.path("localRef").asText().equals("tw-" + policy)) {
                    conflict = c;
                }
            }
            assertThat(conflict).as(policy + " leaves a conflict row").isNotNull();
            assertThat(conflict.path("local").path("firstName").asText()).isEqualTo("Local 2");
            assertThat(conflict.path("remote").path("firstName").asText()).isEqualTo("Remote 2");
            assertThat(conflict.path("policy").asText()).isEqualTo(policy);
            switch (policy) {
                case "prefer-local" -> {
                    assertThat(local.json().path("outcome").asText()).isEqualTo("updated");
                    assertThat(HUBSPOT.property("contacts", id, "firstname")).isEqualTo("Local 2");
                }
                case "last-write-wins", "prefer-remote" -> {
                    assertThat(local.json().path("outcome").asText()).as(local.body()).isEqualTo("remote-kept");
                    assertThat(HUBSPOT.property("contacts", id, "firstname")).isEqualTo("Remote 2");
                    assertThat(calls("POST", "/batch/upsert")).hasSize(upsertsBefore);
                }
                default -> {
                    assertThat(local.status()).as(local.body()).isEqualTo(409);
                    assertThat(conflict.path("status").asText()).isEqualTo("open");
                    assertThat(HUBSPOT.property("contacts", id, "firstname")).isEqualTo("Remote 2");
                    String resolve = t.path() + "/conflicts/" + conflict.path("id").asText() + "/resolve";
                    HubClient.Response resolved = hub.post(resolve, t.key(), "{\"resolution\":\"local\"}");
                    assertThat(resolved.status()).as(resolved.body()).isEqualTo(200);
                    assertThat(HUBSPOT.property("contacts", id, "firstname")).isEqualTo("Local 2");
                    assertThat(calls("POST", "/batch/upsert")).hasSize(upsertsBefore + 1);
                    assertThat(hub.post(resolve, t.key(), "{\"resolution\":\"local\"}").status()).isEqualTo(409);
                    assertThat(calls("POST", "/batch/upsert")).as("pushed once").hasSize(upsertsBefore + 1);
                }
            }
        }
    }

    @Test
    @Order(6)
    void shouldUpsertEachContactOfAWebhookBatchOnceAndIgnoreItsRedelivery() {
        Tenant t = shared;
        List<String> ids = new ArrayList<>();
        StringBuilder body = new StringBuilder("[");
        long now = System.currentTimeMillis();
        for (int i = 0; i < 100; i++) {
            String id = HUBSPOT.create("contacts", Map.of("email", "hook" + i + "@events.example", "firstname", "Hook " + i));
            ids.add(id);
            body.append(i == 0 ? "" : ",").append("{\"eventId\":").append(9000 + i).append(",\"subscriptionId\":77,\"portalId\":")
                    .append(HubSpotFake.PORTAL).append(",\"appId\":5,\"occurredAt\":").append(now)
                    .append(",\"subscriptionType\":\"contact.").append(i % 2 == 0 ? "creation" : "propertyChange")
                    .append("\",\"attemptNumber\":0,\"objectId\":").append(id)
                    .append(",\"propertyName\":\"firstname\",\"propertyValue\":\"Hook ").append(i).append("\",\"changeSource\":\"CRM\"}");
        }
        body.append("]");
        HUBSPOT.clearCalls();
        assertThat(webhook(body.toString()).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> records(t, "contact").stream()
                .map(r -> r.path("externalId").asText()).toList().containsAll(ids));
        assertThat(record(t, "contact", ids.get(42)).path("data").path("firstName").asText()).isEqualTo("Hook 42");
        assertThat(HUBSPOT.calls().stream().filter(c -> c.method().equals("GET") && ids.stream()
                .anyMatch(id -> c.path().endsWith("/contacts/" + id))).count()).isEqualTo(100);

        // HubSpot's retry of the same batch (next attemptNumber): stored once, nothing fetched again.
        assertThat(webhook(body.toString().replace("\"attemptNumber\":0", "\"attemptNumber\":1")).status()).isEqualTo(200);
        JsonNode events = hub.get("/api/v1/webhook-events?provider=hubspot&limit=200", t.key()).json().path("events");
        assertThat(events).hasSize(100);

        // A deletion event marks the record deleted.
        String deletion = "[{\"eventId\":9500,\"subscriptionId\":78,\"portalId\":" + HubSpotFake.PORTAL + ",\"appId\":5,\"occurredAt\":"
                + now + ",\"subscriptionType\":\"contact.deletion\",\"attemptNumber\":0,\"objectId\":" + ids.get(0) + "}]";
        assertThat(webhook(deletion).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> record(t, "contact", ids.get(0)) == null
                || record(t, "contact", ids.get(0)).path("deleted").asBoolean());
    }

    private HubClient.Response webhook(String body) {
        String ts = String.valueOf(System.currentTimeMillis());
        HttpRequest request = HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/webhooks/hubspot"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("X-HubSpot-Request-Timestamp", ts).header("X-HubSpot-Signature-Version", "v3")
                .header("X-HubSpot-Signature-v3", HubSpotWebhookVerifier.signatureV3("test-hubspot-app-secret", "POST",
                        PUBLIC_URL + "/webhooks/hubspot", body.getBytes(StandardCharsets.UTF_8), ts))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return hub.send(request);
    }

    @Test
    @Order(7)
    void shouldPullPastTheSearchWindowByMovingItsLowerBound() {
        Tenant t = connect();
        assertThat(sync(t, "contact", "\"mode\":\"incremental\"").path("status").asText()).isEqualTo("succeeded");
        int before = records(t, "contact").size();
        HUBSPOT.bulkContacts(SEARCH_WINDOW + 50);
        HUBSPOT.clearCalls();
        JsonNode run = sync(t, "contact", "\"mode\":\"incremental\"");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        List<HubSpotFake.Call> searches = calls("POST", "/crm/v3/objects/contacts/search");
        assertThat(searches).allSatisfy(c -> assertThat(c.json().path("after").asInt(0) + 100).isLessThanOrEqualTo(SEARCH_WINDOW));
        assertThat(searches.stream().mapToInt(c -> c.json().path("after").asInt(0)).max().orElse(0))
                .as("paged up to the window").isEqualTo(SEARCH_WINDOW - 100);
        assertThat(searches.stream().map(c -> c.json().path("filterGroups").get(0).path("filters").get(0).path("value").asText())
                .distinct().count()).as("the lower bound moved").isGreaterThan(1);
        assertThat(records(t, "contact").size()).isEqualTo(before + SEARCH_WINDOW + 50);
    }

    @Test
    @Order(8)
    void shouldAskForReauthorizationWhenHubSpotCallsTheRefreshTokenInvalid() {
        Tenant t = connect();
        HUBSPOT.expireTokens(true);
        HUBSPOT.clearCalls();
        JsonNode run = sync(t, "company", "\"mode\":\"incremental\"");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("failed");
        Map<String, String> refresh = HUBSPOT.tokenCalls().get(0);
        assertThat(refresh.get("grant_type")).isEqualTo("refresh_token");
        await().atMost(Duration.ofSeconds(10)).until(() -> "reauth_required".equals(
                hub.get(t.path(), t.key()).json().path("status").asText()));
    }

    @Test
    @Order(9)
    void shouldKeepADealWhoseAssociationsFailedAndFinishItWhenTheSameRequestIsSentAgain() {
        Tenant t = connect();
        String co = HUBSPOT.create("companies", Map.of("domain", "retry.example", "name", "Retry Co"));
        String body = "{\"localRef\":\"deal-retry\",\"data\":{\"name\":\"Retry deal\",\"amount\":700,"
                + "\"companies\":[{\"externalId\":\"" + co + "\"}]}}";

        // HubSpot creates the deal, then answers 503 to every attempt at its association (hub.resilience.max-attempts 3).
        HUBSPOT.failAssociations(3, 503);
        HUBSPOT.clearCalls();
        HubClient.Response first = action(t, "upsert-deal", body);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().path("outcome").asText()).isEqualTo("created");
        String dealId = first.json().path("externalId").asText();
        assertThat(HUBSPOT.idsWhere("deals", "dealname", "Retry deal")).containsExactly(dealId);
        JsonNode failed = first.json().path("response");
        assertThat(failed.path("retryable").asBoolean()).as(first.body()).isTrue();
        assertThat(failed.path("associationErrors")).hasSize(1);
        assertThat(failed.path("associationErrors").get(0).path("field").asText()).isEqualTo("data.companies[0]");
        assertThat(failed.path("associationErrors").get(0).path("transient").asBoolean()).isTrue();
        assertThat(failed.path("associationErrors").get(0).path("message").asText()).contains("503");
        assertThat(calls("POST", "/batch/associate/default")).hasSize(3);
        assertThat(HUBSPOT.associated("deals", dealId, "companies")).isEmpty();

        // The same request again: the same deal is updated (its link was kept) and its association written.
        HUBSPOT.clearCalls();
        HubClient.Response again = action(t, "upsert-deal", body);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().path("outcome").asText()).isEqualTo("updated");
        assertThat(again.json().path("externalId").asText()).isEqualTo(dealId);
        assertThat(again.json().path("response").path("associationErrors").isMissingNode()).as(again.body()).isTrue();
        assertThat(calls("POST", "/crm/v3/objects/deals/batch/update")).hasSize(1);
        assertThat(calls("POST", "/crm/v3/objects/deals/batch/create")).isEmpty();
        assertThat(HUBSPOT.idsWhere("deals", "dealname", "Retry deal")).containsExactly(dealId);
        assertThat(HUBSPOT.associated("deals", dealId, "companies")).containsExactly(co);
        // Complete now: the same request once more leaves HubSpot alone.
        assertThat(action(t, "upsert-deal", body).json().path("outcome").asText()).isEqualTo("unchanged");

        // A push run whose association call fails: an entry of errors[], the deal stays linked (updated, not created).
        HUBSPOT.failAssociations(3, 500);
        HUBSPOT.clearCalls();
        JsonNode run = sync(t, "deal", "\"direction\":\"push\",\"mode\":\"full\"");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.path("errors")).as(run.toString()).hasSize(1);
        assertThat(run.path("errors").get(0).toString()).contains("deal-retry").contains("data.companies[0]").contains("500");
        assertThat(calls("POST", "/crm/v3/objects/deals/batch/create")).isEmpty();
        HUBSPOT.clearCalls();
        JsonNode next = sync(t, "deal", "\"direction\":\"push\",\"mode\":\"full\"");
        assertThat(next.path("errors")).as(next.toString()).isEmpty();
        assertThat(calls("POST", "/crm/v3/objects/deals/batch/update").get(0).body()).contains(dealId);
        assertThat(calls("POST", "/crm/v3/objects/deals/batch/create")).isEmpty();
        assertThat(HUBSPOT.idsWhere("deals", "dealname", "Retry deal")).containsExactly(dealId);
    }
}
