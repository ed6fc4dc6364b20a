package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.resilience.BearerTokens;
import io.integrationhub.platform.resilience.CamelHttpClients;
import io.integrationhub.platform.resilience.ProviderBudget;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.resilience.ProviderCalls;
import io.integrationhub.platform.resilience.ResilienceProperties;
import io.integrationhub.provider.businesscentral.BcFake;
import io.integrationhub.provider.businesscentral.BusinessCentralOData;
import io.integrationhub.provider.businesscentral.sandbox.BcODataService;

/**
 * The Business Central family's routes (routes/business-central: provider, sync, actions, identity) with their real
 * JSONata mappings and the platform provider template, without Spring Boot, a database or Kafka: the platform's
 * provider steps ({@link ProviderCalls}, a local request budget, a fixed token) and camel-olingo4 / camel-http calling
 * {@link BcFake}'s Olingo OData server over HTTP. Each test sees what the routes send to BC and what they make of it.
 */
class BusinessCentralRoutesTest extends FamilyRoutesTestSupport {

    static final BcFake BC = new BcFake(2);
    static final BcODataService SERVICE = BC.service();
    static final String TOKEN = BC.issue();
    static final UUID TENANT = UUID.randomUUID();
    static final UUID CONNECTION = UUID.randomUUID();
    /** This test context's family bean (each context registers its own olingo4 components). */
    private BusinessCentralOData odata;

    @AfterAll
    static void stop() {
        BC.stop();
    }

    @Override
    protected List<String> routeFiles() {
        return List.of("business-central/provider.camel.yaml", "business-central/sync.camel.yaml",
                "business-central/actions.camel.yaml", "business-central/companies.camel.yaml");
    }

    @Override
    protected Properties familyProperties() {
        Properties p = new Properties();
        p.setProperty("hub.providers.business-central.api-url", BC.apiUrl());
        p.setProperty("hub.providers.business-central.environment", "production");
        p.setProperty("hub.resilience.circuit-breaker.minimum-number-of-calls", "50");
        return p;
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        List<RoutesBuilder> builders = new ArrayList<>(Arrays.asList(super.createRouteBuilders()));
        // The platform provider endpoint template, as the hub loads it from its jar.
        Resource template = ResourceHelper.resolveMandatoryResource(context,
                "file:" + java.nio.file.Path.of("src/main/resources/camel/provider.camel.yaml").toAbsolutePath());
        builders.addAll(0, PluginHelper.getRoutesLoader(context).findRoutesBuilders(template));
        return builders.toArray(RoutesBuilder[]::new);
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        ResilienceProperties resilience = new ResilienceProperties();
        resilience.setMaxAttempts(3);
        resilience.setInitialBackoff(Duration.ofMillis(10));
        resilience.setMaxBackoff(Duration.ofMillis(50));
        resilience.setDefaultRetryAfter(Duration.ofMillis(50));
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("bc", Map.of(
                "hub.providers.business-central.api-url", BC.apiUrl())));
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("tokens", new BearerTokens() {
            @Override
            public String bearer(UUID tenantId, UUID connectionId) {
                return TOKEN;
            }

            @Override
            public String refreshAfterUnauthorized(UUID tenantId, UUID connectionId, String rejectedToken) {
                throw new ReauthorizationRequired("no refresh here");
            }
        });
        registry.bind("providerCalls", new ProviderCalls(resilience, new ProviderBudget(resilience),
                beans.getBeanProvider(BearerTokens.class), environment, null));
        registry.bind("provider-http", new HttpComponent());
        registry.bind("providerHttpClientConfigurer", CamelHttpClients.withoutRetriesOrRedirects(Duration.ofSeconds(5),
                Duration.ofSeconds(10)));
        odata = new BusinessCentralOData(5, 10000, 500);
        registry.bind("businessCentralOData", odata);
    }

    @BeforeEach
    void startContext() {
        if (!context.isStarted()) {
            context.start();
        }
        SERVICE.clearFaults();
        SERVICE.clearCalls();
    }

    private JsonNode call(String route, Object body, Map<String, Object> config, String cursor, String linkId) {
        Exchange answer = template.request(route, e -> {
            e.setProperty("HubTenantId", TENANT);
            e.setProperty("HubConnectionId", CONNECTION);
            e.setProperty("HubConfig", config);
            if (cursor != null) {
                e.setProperty("HubCursor", cursor);
            }
            if (linkId != null) {
                e.setProperty("HubLinkId", linkId);
            }
            e.getMessage().setBody(body instanceof String s ? s : json(body));
        });
        if (answer.getException() != null) {
            throw new CamelExecutionException("failed", answer, answer.getException());
        }
        return json(answer.getMessage().getBody(String.class));
    }

    private static Map<String, Object> config(UUID company) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("environment", "production");
        c.put("companyId", company.toString());
        return c;
    }

    private static Map<String, Object> request(String cursor, String since, String mode, Map<String, Object> config) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("cursor", cursor);
        r.put("since", since);
        r.put("mode", mode);
        r.put("config", config);
        return r;
    }

    @Test
    void shouldListTheEnvironmentsCompaniesThroughOlingo() {
        UUID company = SERVICE.addCompany("Listing Co");
        JsonNode listing = call("direct:business-central.companies", "", config(company), null, null);
        assertThat(listing.path("environment").asText()).isEqualTo("production");
        assertThat(listing.path("companies").findValuesAsText("name")).contains("Listing Co");
        assertThat(SERVICE.calls()).extracting(BcODataService.Call::path).contains("/companies");
        assertThat(SERVICE.calls()).allSatisfy(c -> assertThat(c.authorization()).isEqualTo("Bearer " + TOKEN));
    }

    @Test
    void shouldFollowOpaqueNextLinksPageByPageWithTheSelectOfMappedFields() {
        UUID company = SERVICE.addCompany("Paging Co");
        for (int i = 1; i <= 5; i++) {
            SERVICE.put(company, "customers", Map.of("number", "C" + i, "displayName", "Customer " + i));
        }
        Map<String, Object> config = config(company);
        List<JsonNode> pages = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = call("direct:business-central.customer.page", request(cursor, null, "full", config), config,
                    cursor, null);
            pages.add(page);
            cursor = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
        } while (cursor != null);
        assertThat(pages).hasSize(3);
        assertThat(pages.get(0).path("items")).hasSize(2);
        assertThat(pages.get(2).path("items")).hasSize(1);
        assertThat(pages.get(0).path("nextCursor").asText()).startsWith(BC.apiUrl() + "/production/api/v2.0/companies(")
                .contains("$skiptoken=");
        JsonNode first = pages.get(0).path("items").get(0);
        assertThat(first.path("data").path("name").asText()).isEqualTo("Customer 1");
        assertThat(first.path("data").path("etag").asText()).startsWith("W/\"");
        assertThat(first.path("remoteUpdatedAt").asText()).endsWith("Z");
        List<BcODataService.Call> reads = SERVICE.calls().stream().filter(c -> c.path().endsWith("/customers")).toList();
        assertThat(reads).hasSize(3);
        assertThat(reads).allSatisfy(c -> assertThat(c.query()).contains("$select=id,number,displayName"));
    }

    @Test
    void shouldAskOnlyForWhatChangedSinceTheLastRun() {
        UUID company = SERVICE.addCompany("Incremental Co");
        UUID old = SERVICE.put(company, "items", Map.of("number", "1896-S", "displayName", "Desk", "unitPrice", new BigDecimal("10")));
        String since = ((java.sql.Timestamp) SERVICE.get(company, "items", old).get("lastModifiedDateTime")).toInstant().toString();
        UUID changed = SERVICE.put(company, "items", Map.of("number", "1900-S", "displayName", "Chair"));
        Map<String, Object> config = config(company);
        JsonNode page = call("direct:business-central.item.page", request(null, since, "incremental", config), config, null, null);
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("items").get(0).path("externalId").asText()).isEqualTo(changed.toString());
        assertThat(SERVICE.calls().get(SERVICE.calls().size() - 1).query()).contains("$filter=lastModifiedDateTime%20gt%20" + since);
    }

    @Test
    void shouldRefuseANextLinkToAnotherHostAndAPageWithoutCompany() {
        Map<String, Object> config = config(UUID.randomUUID());
        assertThatThrownBy(() -> call("direct:business-central.vendor.page", request("https://evil.test/x", null, "full", config),
                config, "https://evil.test/x?$skiptoken=1", null)).hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> call("direct:business-central.vendor.page", request(null, null, "full", Map.of()), Map.of(),
                null, null)).hasRootCauseMessage("config.companyId is not set: choose the company from GET "
                        + "/api/v1/connections/{id}/companies and PATCH the connection");
        assertThat(SERVICE.calls()).isEmpty();
    }

    @Test
    void shouldBackOffOn429And408ThenFailOnARefusal() {
        UUID company = SERVICE.addCompany("Busy Co");
        SERVICE.put(company, "vendors", Map.of("number", "V1", "displayName", "Fabrikam"));
        Map<String, Object> config = config(company);
        call("direct:business-central.vendor.page", request(null, null, "full", config), config, null, null);
        SERVICE.clearCalls();
        SERVICE.failNext(429, "Application_TooManyRequests", 1);
        SERVICE.failNext(408, "RequestTimeout", 1);
        JsonNode page = call("direct:business-central.vendor.page", request(null, null, "full", config), config, null, null);
        assertThat(page.path("items")).hasSize(1);
        assertThat(SERVICE.calls().stream().filter(c -> c.path().endsWith("/vendors"))).hasSize(3);

        SERVICE.failNext(404, "Internal_RecordNotFound", 1);
        assertThatThrownBy(() -> call("direct:business-central.vendor.page", request(null, null, "full", config), config,
                null, null)).hasRootCauseInstanceOf(ProviderCallException.class).rootCause().hasMessageContaining("404")
                        .hasMessageContaining("Internal_RecordNotFound");
    }

    @Test
    void shouldKeepAtMostFiveCallsAtATimePerEnvironment() throws Exception {
        UUID company = SERVICE.addCompany("Parallel Co");
        SERVICE.put(company, "vendors", Map.of("number", "V1", "displayName", "Fabrikam"));
        Map<String, Object> config = config(company);
        call("direct:business-central.vendor.page", request(null, null, "full", config), config, null, null);
        SERVICE.clearCalls();
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<JsonNode>> all = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                all.add(pool.submit(() -> call("direct:business-central.vendor.page", request(null, null, "full", config),
                        config, null, null)));
            }
            for (Future<JsonNode> f : all) {
                assertThat(f.get().path("items")).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(SERVICE.maxConcurrent()).isLessThanOrEqualTo(5);
    }

    @Test
    void shouldGiveEverySlotBackAfterFailedCalls() {
        UUID company = SERVICE.addCompany("Failing Co");
        SERVICE.put(company, "vendors", Map.of("number", "V1", "displayName", "Fabrikam"));
        Map<String, Object> config = config(company);
        String root = BC.apiUrl() + "/production/api/v2.0";
        call("direct:business-central.vendor.page", request(null, null, "full", config), config, null, null);
        assertThat(odata.freeSlots(root)).isEqualTo(5);
        // More failures than slots, of every kind (a refusal, a 401 without refresh, 5xx until the attempts run
        // out): a slot kept by a failed call would leave the next calls waiting for minutes.
        for (int i = 0; i < 6; i++) {
            int status = List.of(404, 401, 503).get(i % 3);
            SERVICE.failNext(status, "Simulated", status == 503 ? 3 : 1);
            assertThatThrownBy(() -> call("direct:business-central.vendor.page", request(null, null, "full", config),
                    config, null, null)).as("status %d", status).isInstanceOf(CamelExecutionException.class);
            assertThat(odata.freeSlots(root)).as("after a %d", status).isEqualTo(5);
        }
        // A write BC keeps failing (camel-http under the same slots).
        SERVICE.failNext(503, "Simulated", 3);
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("data", Map.of("name", "Northwind"));
        in.put("link", null);
        in.put("config", config);
        assertThatThrownBy(() -> call("direct:business-central.action.upsert-customer", in, config, null, null))
                .isInstanceOf(CamelExecutionException.class);
        assertThat(odata.freeSlots(root)).isEqualTo(5);
        assertThat(call("direct:business-central.vendor.page", request(null, null, "full", config), config, null, null)
                .path("items")).hasSize(1);
        assertThat(odata.freeSlots(root)).isEqualTo(5);
    }

    @Test
    void shouldPostThenPatchWithTheStoredETagAndAnswerStaleWithWhatBcHasNow() {
        UUID company = SERVICE.addCompany("Write Co");
        Map<String, Object> config = config(company);
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("data", Map.of("name", "Northwind", "email", "buy@northwind.test"));
        in.put("link", null);
        in.put("config", config);
        JsonNode created = call("direct:business-central.action.upsert-customer", in, config, null, null);
        UUID id = UUID.fromString(created.path("externalId").asText());
        assertThat(created.path("version").asText()).isEqualTo(SERVICE.etag(company, "customers", id));
        assertThat(created.path("response").path("displayName").asText()).isEqualTo("Northwind");
        assertThat(created.path("response").has("@odata.etag")).isFalse();

        in.put("data", Map.of("name", "Northwind Traders"));
        in.put("link", Map.of("externalId", id.toString(), "version", created.path("version").asText()));
        JsonNode updated = call("direct:business-central.action.upsert-customer", in, config, null, id.toString());
        assertThat(updated.path("externalId").asText()).isEqualTo(id.toString());
        BcODataService.Call patch = SERVICE.calls().stream().filter(c -> c.method().equals("PATCH")).findFirst().orElseThrow();
        assertThat(patch.ifMatch()).isEqualTo(created.path("version").asText());
        assertThat(SERVICE.get(company, "customers", id).get("displayName")).isEqualTo("Northwind Traders");
        assertThat(SERVICE.get(company, "customers", id).get("email")).isEqualTo("buy@northwind.test");

        // Someone changes it in BC: the old ETag is stale.
        SERVICE.change(company, "customers", id, Map.of("displayName", "Northwind (BC)"));
        in.put("link", Map.of("externalId", id.toString(), "version", updated.path("version").asText()));
        in.put("data", Map.of("name", "Northwind Ltd"));
        JsonNode stale = call("direct:business-central.action.upsert-customer", in, config, null, id.toString());
        assertThat(stale.path("stale").path("version").asText()).isEqualTo(SERVICE.etag(company, "customers", id));
        assertThat(stale.path("stale").path("data").path("name").asText()).isEqualTo("Northwind (BC)");
        assertThat(stale.path("stale").path("remoteUpdatedAt").asText()).isNotBlank();
        assertThat(SERVICE.get(company, "customers", id).get("displayName")).isEqualTo("Northwind (BC)");
    }

    @Test
    void shouldPostASalesOrderWithItsLinesAndReadThemBack() {
        UUID company = SERVICE.addCompany("Orders Co");
        Map<String, Object> config = config(company);
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("data", Map.of("customer", Map.of("number", "10000"), "orderDate", "2026-12-01",
                "lines", List.of(Map.of("itemNumber", "1896-S", "description", "Desk", "quantity", 2))));
        in.put("link", null);
        in.put("config", config);
        JsonNode created = call("direct:business-central.action.upsert-sales-order", in, config, null, null);
        assertThat(created.path("externalId").asText()).isNotBlank();
        JsonNode page = call("direct:business-central.sales_order.page", request(null, null, "full", config), config, null, null);
        JsonNode order = page.path("items").get(0).path("data");
        assertThat(order.path("customer").path("number").asText()).isEqualTo("10000");
        assertThat(order.path("orderDate").asText()).isEqualTo("2026-12-01");
        assertThat(order.path("lines")).hasSize(1);
        assertThat(order.path("lines").get(0).path("itemNumber").asText()).isEqualTo("1896-S");
        assertThat(order.path("lines").get(0).path("quantity").asInt()).isEqualTo(2);
    }
}
