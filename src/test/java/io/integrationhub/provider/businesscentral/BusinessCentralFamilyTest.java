package io.integrationhub.provider.businesscentral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.provider.businesscentral.sandbox.BcODataService;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubIntegrationTest;

/**
 * The Business Central family (routes/business-central/) driven over HTTP like a host application, against
 * {@link BcFake}: the Microsoft identity platform's token endpoint and an Apache Olingo OData v4 server with BC's
 * entity shapes, {@code $metadata}, ETags and server-driven paging (2 entities a page here). Reads go through
 * camel-olingo4, writes through the platform provider endpoint; both under the platform's budget and breaker.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BusinessCentralFamilyTest extends HubIntegrationTest {

    static final BcFake BC = new BcFake(2);
    static final BcODataService SERVICE = BC.service();
    static final UUID CRONUS = SERVICE.addCompany("CRONUS USA, Inc.");
    static final UUID OTHER = SERVICE.addCompany("CRONUS Canada, Inc.");
    /** A tenant's own on-premises server (its own data, HTTP Basic with this web service access key only). */
    static final String ONPREM_KEY = "ADMIN:wsk-" + UUID.randomUUID();
    static final BcFake ONPREM = new BcFake(2, ONPREM_KEY);
    static final UUID FABRIKAM = ONPREM.service().addCompany("Fabrikam On-Prem");

    @DynamicPropertySource
    static void businessCentral(DynamicPropertyRegistry registry) {
        registry.add("hub.providers.business-central.client-id", () -> BcFake.CLIENT_ID);
        registry.add("hub.providers.business-central.client-secret", () -> BcFake.CLIENT_SECRET);
        registry.add("hub.providers.business-central.authorize-url", () -> BC.root() + "/oauth2/v2.0/authorize");
        registry.add("hub.providers.business-central.token-url", () -> BC.root() + "/oauth2/v2.0/token");
        registry.add("hub.providers.business-central.api-url", BC::apiUrl);
        registry.add("hub.resilience.max-attempts", () -> "3");
        registry.add("hub.resilience.initial-backoff", () -> "20ms");
        registry.add("hub.resilience.max-backoff", () -> "100ms");
        registry.add("hub.resilience.default-retry-after", () -> "100ms");
        registry.add("hub.providers.business-central.timeout-ms", () -> "5000");
        // The on-premises server's origin (http on loopback: a test double; a real one is https on the operator's list).
        registry.add("hub.providers.business-central.allowed-hosts", ONPREM::root);
    }

    @AfterAll
    static void stop() {
        ONPREM.stop();
        BC.stop();
    }

    record Tenant(String key, UUID connectionId) {
        String path() {
            return "/api/v1/connections/" + connectionId;
        }
    }

    @BeforeEach
    void reset() {
        SERVICE.clearFaults();
        SERVICE.clearCalls();
    }

    private Tenant connect() {
        String key = newTenantKey();
        HubClient.Response created = hub.post("/api/v1/connections", key, "{\"provider\":\"business-central\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String authorize = created.json().path("authorizeUrl").asText();
        assertThat(authorize).startsWith(BC.root() + "/oauth2/v2.0/authorize?").contains("client_id=" + BcFake.CLIENT_ID)
                .contains("code_challenge=");
        assertThat(param(authorize, "scope")).isEqualTo("https://api.businesscentral.dynamics.com/.default offline_access");
        HubClient.Response back = hub.get("/oauth/callback/business-central?code=code-" + UUID.randomUUID() + "&state="
                + URLEncoder.encode(param(authorize, "state"), StandardCharsets.UTF_8), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        UUID id = UUID.fromString(created.json().path("id").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(
                hub.get("/api/v1/connections/" + id, key).json().path("status").asText()));
        return new Tenant(key, id);
    }

    private Tenant connectTo(UUID company, String conflicts) {
        Tenant t = connect();
        HubClient.Response patched = hub.patch(t.path(), t.key(), "{\"config\":{\"environment\":\"production\",\"companyId\":\""
                + company + "\"" + (conflicts == null ? "" : ",\"conflicts\":" + conflicts) + "}}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        return t;
    }

    private static String param(String url, String name) {
        for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError(name + " not in " + url);
    }

    private JsonNode sync(Tenant t, String entity, String mode) {
        HubClient.Response started = hub.post(t.path() + "/syncs", t.key(), "{\"entity\":\"" + entity + "\",\"mode\":\"" + mode + "\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String run = started.json().path("id").asText();
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            last[0] = hub.get("/api/v1/syncs/" + run, t.key()).json();
            return List.of("succeeded", "failed", "cancelled").contains(last[0].path("status").asText());
        });
        return last[0];
    }

    private List<JsonNode> records(Tenant t, String model) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        do {
            HubClient.Response r = hub.get(t.path() + "/records/" + model + "?limit=100" + (cursor == null ? ""
                    : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), t.key());
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            r.json().path("records").forEach(all::add);
            cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText(null);
        } while (cursor != null);
        return all;
    }

    private List<BcODataService.Call> calls(String pathEnd) {
        return SERVICE.calls().stream().filter(c -> c.path().endsWith(pathEnd)).toList();
    }

    @Test
    @Order(1)
    void shouldListBusinessCentralWithItsEntitiesAndActions() {
        JsonNode bc = null;
        for (JsonNode p : hub.get("/api/v1/providers", newTenantKey()).json()) {
            if (p.path("key").asText().equals("business-central")) {
                bc = p;
            }
        }
        assertThat(bc).isNotNull();
        assertThat(bc.path("authType").asText()).as("on-premises key, or online OAuth without one").isEqualTo("api_key");
        assertThat(bc.path("configured").asBoolean()).isTrue();
        assertThat(bc.path("entities").toString()).isEqualTo("[\"customer\",\"item\",\"vendor\",\"sales_order\",\"sales_invoice\"]");
        assertThat(bc.path("actions").toString()).isEqualTo("[\"upsert-customer\",\"upsert-sales-order\"]");
    }

    @Test
    @Order(2)
    void shouldConnectWithMicrosoftOAuthAndListTheEnvironmentsCompaniesToChooseOne() {
        Tenant t = connect();
        BcFake.TokenCall exchange = BC.tokenCalls().get(BC.tokenCalls().size() - 1);
        assertThat(exchange.param("grant_type")).isEqualTo("authorization_code");
        assertThat(exchange.param("code_verifier")).isNotBlank();
        JsonNode connection = hub.get(t.path(), t.key()).json();
        assertThat(connection.toString()).contains(CRONUS.toString());

        HubClient.Response companies = hub.get(t.path() + "/companies?environment=production", t.key());
        assertThat(companies.status()).as(companies.body()).isEqualTo(200);
        assertThat(companies.json().path("environment").asText()).isEqualTo("production");
        assertThat(companies.json().path("companies")).hasSize(2);
        assertThat(companies.json().path("companies").get(0).path("id").asText()).isEqualTo(CRONUS.toString());
        assertThat(companies.json().path("companies").get(1).path("name").asText()).isEqualTo("CRONUS Canada, Inc.");
        BcODataService.Call listing = calls("/companies").get(0);
        assertThat(listing.authorization()).startsWith("Bearer bc-at-");

        assertThat(hub.get(t.path() + "/companies?environment=..%2Fadmin", t.key()).status()).isEqualTo(400);
        HubClient.Response bad = hub.patch(t.path(), t.key(), "{\"config\":{\"companyId\":\"not-a-guid\"}}");
        assertThat(bad.status()).isIn(400, 422);
        HubClient.Response noCompany = hub.post(t.path() + "/syncs", t.key(), "{\"entity\":\"customer\",\"mode\":\"full\"}");
        assertThat(noCompany.status()).as(noCompany.body()).isIn(202, 422);
    }

    @Test
    @Order(3)
    void shouldPullCustomersAcrossThreePagesOfNextLinksThenOnlyWhatChangedThenSweepTheDeleted() {
        UUID company = SERVICE.addCompany("Paging Co");
        List<UUID> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(SERVICE.put(company, "customers", Map.of("number", "C0" + i, "displayName", "Customer " + i,
                    "email", "c" + i + "@example.com", "city", "Atlanta", "country", "US")));
        }
        Tenant t = connectTo(company, null);
        SERVICE.clearCalls();
        JsonNode run = sync(t, "customer", "full");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.path("created").asLong()).isEqualTo(5);
        List<BcODataService.Call> pages = calls("/customers");
        assertThat(pages).hasSize(3);
        assertThat(pages.get(0).path()).isEqualTo("/companies(" + company + ")/customers");
        assertThat(pages.get(0).query()).contains("$select=id,number,displayName").doesNotContain("$skiptoken")
                .doesNotContain("$filter");
        assertThat(pages.get(1).query()).contains("$skiptoken=");
        assertThat(pages.get(2).query()).contains("$skiptoken=").isNotEqualTo(pages.get(1).query());
        assertThat(pages).allSatisfy(c -> assertThat(c.authorization()).startsWith("Bearer "));
        List<JsonNode> records = records(t, "customer");
        assertThat(records).hasSize(5);
        JsonNode first = records.stream().filter(r -> r.path("externalId").asText().equals(ids.get(0).toString()))
                .findFirst().orElseThrow();
        assertThat(first.path("data").path("name").asText()).isEqualTo("Customer 1");
        assertThat(first.path("data").path("address").path("city").asText()).isEqualTo("Atlanta");

        // Incremental: only what changed since the last run, by lastModifiedDateTime.
        JsonNode baseline = sync(t, "customer", "incremental");
        assertThat(baseline.path("status").asText()).as(baseline.toString()).isEqualTo("succeeded");
        SERVICE.change(company, "customers", ids.get(3), Map.of("displayName", "Customer four, renamed"));
        SERVICE.clearCalls();
        JsonNode incremental = sync(t, "customer", "incremental");
        assertThat(incremental.path("status").asText()).as(incremental.toString()).isEqualTo("succeeded");
        assertThat(incremental.path("updated").asLong()).isEqualTo(1);
        List<BcODataService.Call> asked = calls("/customers");
        assertThat(asked).hasSize(1);
        assertThat(URLDecoder.decode(asked.get(0).query(), StandardCharsets.UTF_8))
                .containsPattern("\\$filter=lastModifiedDateTime gt 20\\d\\d-\\d\\d-\\d\\dT[0-9:.]+Z");
        assertThat(records(t, "customer").stream().filter(r -> r.path("externalId").asText().equals(ids.get(3).toString()))
                .findFirst().orElseThrow().path("data").path("name").asText()).isEqualTo("Customer four, renamed");

        // A full run sweeps what BC no longer has.
        SERVICE.remove(company, "customers", ids.get(1));
        JsonNode full = sync(t, "customer", "full");
        assertThat(full.path("status").asText()).as(full.toString()).isEqualTo("succeeded");
        assertThat(full.path("deleted").asLong()).isEqualTo(1);
        // Swept records stay listed, marked deleted (docs/sync-engine.md).
        assertThat(records(t, "customer")).filteredOn(r -> !r.path("deleted").asBoolean())
                .extracting(r -> r.path("externalId").asText()).doesNotContain(ids.get(1).toString()).hasSize(4);
        assertThat(records(t, "customer")).filteredOn(r -> r.path("externalId").asText().equals(ids.get(1).toString()))
                .singleElement().satisfies(r -> assertThat(r.path("deleted").asBoolean()).isTrue());
    }

    @Test
    @Order(4)
    void shouldPullSalesOrdersWithTheirLinesItemsVendorsAndInvoices() {
        UUID company = SERVICE.addCompany("Orders Co");
        UUID customer = SERVICE.put(company, "customers", Map.of("number", "10000", "displayName", "Adatum"));
        UUID order = SERVICE.put(company, "salesOrders", Map.of("number", "101001", "customerId", customer,
                "customerNumber", "10000", "customerName", "Adatum", "status", "Open",
                "totalAmountIncludingTax", new BigDecimal("2001.6")));
        SERVICE.putLine(company, order, Map.of("lineType", "Item", "lineObjectNumber", "1896-S", "description", "ATHENS Desk",
                "quantity", new BigDecimal("2"), "unitPrice", new BigDecimal("1000.8")));
        SERVICE.putLine(company, order, Map.of("lineType", "Item", "lineObjectNumber", "1900-S", "description", "PARIS Chair",
                "quantity", new BigDecimal("1"), "unitPrice", new BigDecimal("192.8")));
        SERVICE.put(company, "items", Map.of("number", "1896-S", "displayName", "ATHENS Desk", "unitPrice", new BigDecimal("1000.8")));
        SERVICE.put(company, "vendors", Map.of("number", "20000", "displayName", "Fabrikam"));
        SERVICE.put(company, "salesInvoices", Map.of("number", "103001", "customerNumber", "10000", "status", "Open"));
        Tenant t = connectTo(company, null);

        assertThat(sync(t, "sales_order", "full").path("status").asText()).isEqualTo("succeeded");
        assertThat(calls("/salesOrders").get(0).query()).contains("$expand=salesOrderLines");
        JsonNode o = records(t, "sales_order").get(0);
        assertThat(o.path("data").path("number").asText()).isEqualTo("101001");
        assertThat(o.path("data").path("customer").path("number").asText()).isEqualTo("10000");
        assertThat(o.path("data").path("lines")).hasSize(2);
        assertThat(o.path("data").path("lines").get(1).path("itemNumber").asText()).isEqualTo("1900-S");
        for (String entity : List.of("item", "vendor", "sales_invoice")) {
            JsonNode run = sync(t, entity, "full");
            assertThat(run.path("status").asText()).as(entity + " " + run).isEqualTo("succeeded");
            assertThat(records(t, entity)).as(entity).hasSize(1);
        }
        assertThat(records(t, "item").get(0).path("data").path("unitPrice").decimalValue())
                .isEqualByComparingTo("1000.8");
    }

    @Test
    @Order(5)
    void shouldCreateThenPatchACustomerWithTheStoredETagAsIfMatch() {
        Tenant t = connectTo(CRONUS, null);
        HubClient.Response created = hub.post(t.path() + "/actions/upsert-customer", t.key(),
                "{\"localRef\":\"crm-1\",\"data\":{\"name\":\"Northwind\",\"email\":\"buy@northwind.test\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        UUID id = UUID.fromString(created.json().path("externalId").asText());
        String etag = created.json().path("version").asText();
        assertThat(etag).isEqualTo(SERVICE.etag(CRONUS, "customers", id)).startsWith("W/\"");
        assertThat(SERVICE.get(CRONUS, "customers", id).get("displayName")).isEqualTo("Northwind");
        BcODataService.Call post = SERVICE.calls().stream().filter(c -> c.method().equals("POST")).findFirst().orElseThrow();
        assertThat(post.path()).isEqualTo("/companies(" + CRONUS + ")/customers");

        SERVICE.clearCalls();
        HubClient.Response updated = hub.post(t.path() + "/actions/upsert-customer", t.key(),
                "{\"localRef\":\"crm-1\",\"data\":{\"name\":\"Northwind Traders\",\"email\":\"buy@northwind.test\"}}");
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(updated.json().path("externalId").asText()).isEqualTo(id.toString());
        List<BcODataService.Call> patches = SERVICE.calls().stream().filter(c -> c.method().equals("PATCH")).toList();
        assertThat(patches).hasSize(1);
        assertThat(patches.get(0).path()).isEqualTo("/companies(" + CRONUS + ")/customers(" + id + ")");
        assertThat(patches.get(0).ifMatch()).isEqualTo(etag);
        assertThat(SERVICE.get(CRONUS, "customers", id).get("displayName")).isEqualTo("Northwind Traders");
        assertThat(updated.json().path("version").asText()).isEqualTo(SERVICE.etag(CRONUS, "customers", id)).isNotEqualTo(etag);
    }

    @Test
    @Order(6)
    void shouldTurnAStaleETagIntoAManualConflictWithBothVersionsAndNotOverwrite() {
        Tenant t = connectTo(CRONUS, "{\"customer\":\"manual\"}");
        HubClient.Response created = hub.post(t.path() + "/actions/upsert-customer", t.key(),
                "{\"localRef\":\"crm-2\",\"data\":{\"name\":\"Contoso\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        UUID id = UUID.fromString(created.json().path("externalId").asText());
        String stored = created.json().path("version").asText();
        SERVICE.change(CRONUS, "customers", id, Map.of("displayName", "Contoso (changed in BC)"));

        SERVICE.clearCalls();
        HubClient.Response pushed = hub.post(t.path() + "/actions/upsert-customer", t.key(),
                "{\"localRef\":\"crm-2\",\"data\":{\"name\":\"Contoso Ltd\"}}");
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(409);
        assertThat(pushed.json().path("conflictId").asText()).isNotBlank();
        BcODataService.Call patch = SERVICE.calls().stream().filter(c -> c.method().equals("PATCH")).findFirst().orElseThrow();
        assertThat(patch.ifMatch()).isEqualTo(stored);
        assertThat(SERVICE.get(CRONUS, "customers", id).get("displayName")).isEqualTo("Contoso (changed in BC)");

        JsonNode conflicts = hub.get(t.path() + "/conflicts?status=open", t.key()).json();
        assertThat(conflicts).hasSize(1);
        JsonNode c = conflicts.get(0);
        assertThat(c.path("externalId").asText()).isEqualTo(id.toString());
        assertThat(c.path("policy").asText()).isEqualTo("manual");
        assertThat(c.toString()).contains("Contoso Ltd").contains("Contoso (changed in BC)");

        // Resolving for the local side writes it against BC's current ETag.
        SERVICE.clearCalls();
        HubClient.Response resolved = hub.post(t.path() + "/conflicts/" + c.path("id").asText() + "/resolve", t.key(),
                "{\"resolution\":\"local\"}");
        assertThat(resolved.status()).as(resolved.body()).isEqualTo(200);
        assertThat(SERVICE.get(CRONUS, "customers", id).get("displayName")).isEqualTo("Contoso Ltd");
    }

    @Test
    @Order(7)
    void shouldWriteAgainstTheCurrentETagUnderLastWriteWinsAndKeepBcsUnderPreferRemote() {
        Tenant t = connectTo(CRONUS, "{\"customer\":\"last-write-wins\"}");
        HubClient.Response created = hub.post(t.path() + "/actions/upsert-customer", t.key(),
                "{\"localRef\":\"crm-3\",\"data\":{\"name\":\"Fabrikam\"}}");
        UUID id = UUID.fromString(created.json().path("externalId").asText());
        SERVICE.change(CRONUS, "customers", id, Map.of("displayName", "Fabrikam (BC)"));
        String current = SERVICE.etag(CRONUS, "customers", id);
        SERVICE.clearCalls();
        HubClient.Response pushed = hub.post(t.path() + "/actions/upsert-customer", t.key(),
                "{\"localRef\":\"crm-3\",\"data\":{\"name\":\"Fabrikam Inc\"}}");
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
        List<BcODataService.Call> patches = SERVICE.calls().stream().filter(x -> x.method().equals("PATCH")).toList();
        assertThat(patches).hasSize(2);
        assertThat(patches.get(1).ifMatch()).isEqualTo(current);
        assertThat(SERVICE.get(CRONUS, "customers", id).get("displayName")).isEqualTo("Fabrikam Inc");
        JsonNode conflict = hub.get(t.path() + "/conflicts", t.key()).json().get(0);
        assertThat(conflict.path("resolution").asText()).isEqualTo("local");

        Tenant remote = connectTo(CRONUS, "{\"customer\":\"prefer-remote\"}");
        HubClient.Response first = hub.post(remote.path() + "/actions/upsert-customer", remote.key(),
                "{\"localRef\":\"crm-4\",\"data\":{\"name\":\"Litware\"}}");
        UUID litware = UUID.fromString(first.json().path("externalId").asText());
        SERVICE.change(CRONUS, "customers", litware, Map.of("displayName", "Litware (BC)"));
        HubClient.Response kept = hub.post(remote.path() + "/actions/upsert-customer", remote.key(),
                "{\"localRef\":\"crm-4\",\"data\":{\"name\":\"Litware Inc\"}}");
        assertThat(kept.status()).as(kept.body()).isEqualTo(200);
        assertThat(kept.json().path("outcome").asText()).isEqualTo("remote-kept");
        assertThat(SERVICE.get(CRONUS, "customers", litware).get("displayName")).isEqualTo("Litware (BC)");
    }

    @Test
    @Order(8)
    void shouldCreateASalesOrderWithItsLines() {
        Tenant t = connectTo(CRONUS, null);
        HubClient.Response created = hub.post(t.path() + "/actions/upsert-sales-order", t.key(),
                "{\"localRef\":\"job-7\",\"data\":{\"customer\":{\"number\":\"10000\"},\"orderDate\":\"2026-12-01\","
                        + "\"lines\":[{\"itemNumber\":\"1896-S\",\"description\":\"Desk\",\"quantity\":2}]}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        UUID id = UUID.fromString(created.json().path("externalId").asText());
        assertThat(SERVICE.get(CRONUS, "salesOrders", id).get("customerNumber")).isEqualTo("10000");
        HubClient.Response updated = hub.post(t.path() + "/actions/upsert-sales-order", t.key(),
                "{\"localRef\":\"job-7\",\"data\":{\"customer\":{\"number\":\"10000\"},\"orderDate\":\"2026-12-03\"}}");
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(SERVICE.get(CRONUS, "salesOrders", id).get("orderDate").toString()).isEqualTo("2026-12-03");
    }

    @Test
    @Order(9)
    void shouldBackOffOn429And504AndRefuseATokenForAnotherHost() {
        UUID company = SERVICE.addCompany("Busy Co");
        SERVICE.put(company, "vendors", Map.of("number", "1", "displayName", "V1"));
        Tenant t = connectTo(company, null);
        assertThat(sync(t, "vendor", "full").path("status").asText()).isEqualTo("succeeded");
        SERVICE.clearCalls();
        SERVICE.failNext(429, "Application_TooManyRequests", 1);
        SERVICE.failNext(504, "GatewayTimeout", 1);
        JsonNode run = sync(t, "vendor", "full");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(calls("/vendors")).as("a 429 and a 504 waited out, then the page").hasSize(3);
        assertThat(records(t, "vendor")).hasSize(1);

        SERVICE.failNext(400, "BadRequest", 1);
        JsonNode refused = sync(t, "vendor", "full");
        assertThat(refused.path("status").asText()).as(refused.toString()).isEqualTo("failed");
        assertThat(refused.toString()).contains("400");
    }

    private HubClient.Response connectOnPremises(String key, String serviceRoot, String apiKey) {
        return hub.post("/api/v1/connections", key, "{\"provider\":\"business-central\",\"credentials\":{\"apiKey\":\""
                + apiKey + "\"},\"config\":{\"serviceRoot\":\"" + serviceRoot + "\"}}");
    }

    @Test
    @Order(20)
    void shouldPullAndWriteThroughATenantsOwnOnPremisesServerWithBasicWhileAnOnlineTenantPullsOnline() {
        ONPREM.service().put(FABRIKAM, "customers", Map.of("number", "P01", "displayName", "On-prem One"));
        ONPREM.service().put(FABRIKAM, "customers", Map.of("number", "P02", "displayName", "On-prem Two"));
        ONPREM.service().put(FABRIKAM, "customers", Map.of("number", "P03", "displayName", "On-prem Three"));
        String key = newTenantKey();
        HubClient.Response created = connectOnPremises(key, ONPREM.onPremisesRoot() + "/", ONPREM_KEY);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("status").asText()).isEqualTo("active");
        Tenant onPrem = new Tenant(key, UUID.fromString(created.json().path("id").asText()));
        assertThat(hub.get(onPrem.path(), key).json().toString()).as("the server's first company").contains(FABRIKAM.toString());
        HubClient.Response companies = hub.get(onPrem.path() + "/companies", key);
        assertThat(companies.status()).as(companies.body()).isEqualTo(200);
        assertThat(companies.json().path("companies").get(0).path("name").asText()).isEqualTo("Fabrikam On-Prem");
        assertThat(hub.patch(onPrem.path(), key, "{\"config\":{\"serviceRoot\":\"" + ONPREM.onPremisesRoot()
                + "\",\"companyId\":\"" + FABRIKAM + "\"}}").status()).isEqualTo(200);

        // An online tenant on the same hub at the same time.
        UUID online = SERVICE.addCompany("Online Co");
        SERVICE.put(online, "customers", Map.of("number", "O01", "displayName", "Online One"));
        Tenant t = connectTo(online, null);
        SERVICE.clearCalls();
        ONPREM.service().clearCalls();

        JsonNode run = sync(onPrem, "customer", "full");
        JsonNode onlineRun = sync(t, "customer", "full");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(onlineRun.path("status").asText()).as(onlineRun.toString()).isEqualTo("succeeded");
        assertThat(records(onPrem, "customer")).extracting(r -> r.path("data").path("name").asText())
                .containsExactlyInAnyOrder("On-prem One", "On-prem Two", "On-prem Three");
        assertThat(records(t, "customer")).extracting(r -> r.path("data").path("name").asText()).containsExactly("Online One");
        List<BcODataService.Call> pages = ONPREM.service().calls().stream().filter(c -> c.path().endsWith("/customers")).toList();
        assertThat(pages).as("two pages of two from the on-premises server").hasSize(2);
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(ONPREM_KEY.getBytes(StandardCharsets.UTF_8));
        assertThat(pages).allSatisfy(c -> assertThat(c.authorization()).isEqualTo(basic));
        assertThat(calls("/customers")).as("the online tenant read the online root only").hasSize(1)
                .allSatisfy(c -> assertThat(c.authorization()).startsWith("Bearer "));
        assertThat(SERVICE.calls()).noneMatch(c -> c.path().contains(FABRIKAM.toString()));

        // Writes go to the connection's own server too, with Basic.
        HubClient.Response written = hub.post(onPrem.path() + "/actions/upsert-customer", key,
                "{\"localRef\":\"crm-op-1\",\"data\":{\"name\":\"Written On-prem\"}}");
        assertThat(written.status()).as(written.body()).isEqualTo(200);
        UUID id = UUID.fromString(written.json().path("externalId").asText());
        assertThat(ONPREM.service().get(FABRIKAM, "customers", id).get("displayName")).isEqualTo("Written On-prem");
        assertThat(ONPREM.service().calls()).filteredOn(c -> c.method().equals("POST")).singleElement()
                .satisfies(c -> assertThat(c.authorization()).isEqualTo(basic));
    }

    @Test
    @Order(21)
    void shouldRefuseAServiceRootThatIsNotHttpsOrNotAllowedAndAWrongKeyWith422() {
        String key = newTenantKey();
        for (String root : List.of("https://nav.contoso.com:7048/bc/api/v2.0", "http://nav.contoso.com/bc/api/v2.0",
                "https://" + "10.0.0.5/bc/api/v2.0")) {
            HubClient.Response refused = connectOnPremises(key, root, ONPREM_KEY);
            assertThat(refused.status()).as(refused.body()).isEqualTo(422);
            assertThat(refused.body()).contains("/config/serviceRoot");
            assertThat(refused.body()).containsAnyOf("hub.providers.business-central.allowed-hosts", "https");
        }
        assertThat(connectOnPremises(key, "https://nav.contoso.com:7048/bc/api/v2.0", ONPREM_KEY).body())
                .contains("hub.providers.business-central.allowed-hosts");
        HubClient.Response wrongKey = connectOnPremises(key, ONPREM.onPremisesRoot(), "ADMIN:not-the-key");
        assertThat(wrongKey.status()).as(wrongKey.body()).isEqualTo(422);
        assertThat(wrongKey.body()).contains("/credentials/apiKey");
        HubClient.Response noKey = hub.post("/api/v1/connections", key, "{\"provider\":\"business-central\","
                + "\"config\":{\"serviceRoot\":\"" + ONPREM.onPremisesRoot() + "\"}}");
        assertThat(noKey.status()).as(noKey.body()).isEqualTo(422);
        assertThat(hub.get("/api/v1/connections", key).json().toString()).doesNotContain("business-central");
    }

    @Test
    @Order(22)
    void shouldFailACallToAWrongServiceRootAsARefusalNotAnOutage() {
        String key = newTenantKey();
        HubClient.Response created = connectOnPremises(key, ONPREM.onPremisesRoot(), ONPREM_KEY);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Tenant t = new Tenant(key, UUID.fromString(created.json().path("id").asText()));
        // The same allowed server, a root that is not a BC service root: $metadata answers a plain 404.
        assertThat(hub.patch(t.path(), key, "{\"config\":{\"serviceRoot\":\"" + ONPREM.root() + "/nav/api/v2.0"
                + "\",\"companyId\":\"" + FABRIKAM + "\"}}").status()).isEqualTo(200);
        // More failed calls than the breaker's minimum (10): each is the server's 404, never "unavailable".
        for (int i = 0; i < 11; i++) {
            JsonNode run = sync(t, "customer", "full");
            assertThat(run.path("status").asText()).isEqualTo("failed");
            assertThat(run.toString()).as("refused by the server, never the open breaker").contains("404")
                    .doesNotContainIgnoringCase("circuit");
        }
        // The companies listing of that root: the server's refusal as a problem document, not a bare 500.
        HubClient.Response companies = hub.get(t.path() + "/companies", key);
        assertThat(companies.status()).as(companies.body()).isEqualTo(404);
        assertThat(companies.json().path("type").asText()).as(companies.body()).isNotBlank();
        assertThat(companies.json().path("detail").asText()).as(companies.body()).contains("404");
    }
}
