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

/**
 * The Simpro family's routes (routes/simpro: sync, identity) with their real JSONata mappings, loaded from the
 * routes folder without Spring Boot, a database or Kafka. The platform provider endpoint call is woven out
 * ({@code mock:simpro-api} answers with canned Simpro JSON and paging headers) and so is the platform's reference
 * step ({@code mock:references}), so each test sees the list call the family sends and the records it makes.
 */
class SimproRoutesTest extends FamilyRoutesTestSupport {

    /** What {{hub.providers.simpro.api-url}} is: the platform endpoint puts the connection's build in. */
    static final String API = "{connectionUrl}/api/v1.0";

    static final String JOBS = """
            [{"ID": 1042, "_href": "/api/v1.0/companies/0/jobs/1042", "Type": "Service", "Name": "Job 42",
              "Description": "Fix tap", "Stage": "Progress", "Status": {"ID": 4, "Name": "In progress"},
              "Customer": {"ID": 2, "CompanyName": "Customer Co 2"}, "Site": {"ID": 106, "Name": "Site 6"},
              "DateIssued": "2026-01-02", "DateModified": "2026-01-05T09:00:00+10:00",
              "Total": {"ExTax": 142.0, "Tax": 10.0, "IncTax": 152.0}},
             {"ID": 1043, "_href": "/api/v1.0/companies/0/jobs/1043", "Name": "Job 43", "Customer": null,
              "DateModified": "2026-01-06T09:00:00+10:00"}]
            """;

    @Override
    protected List<String> routeFiles() {
        return List.of("simpro/sync.camel.yaml", "simpro/identity.camel.yaml");
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.providers.simpro.api-url", API);
        properties.setProperty("hub.providers.simpro.page-size", "250");
        properties.setProperty("hub.providers.simpro.modified-column", "DateModified");
        return properties;
    }

    MockEndpoint simproApi;
    MockEndpoint references;

    @BeforeEach
    void replacePlatformSteps() throws Exception {
        AdviceWith.adviceWith(context, "simpro.list",
                route -> route.weaveById("simpro.list.call").replace().to("mock:simpro-api"));
        for (String entity : List.of("job", "quote", "site")) {
            AdviceWith.adviceWith(context, "simpro." + entity + ".page",
                    route -> route.weaveById("simpro." + entity + ".references").replace().to("mock:references"));
        }
        AdviceWith.adviceWith(context, "simpro.identity",
                route -> route.weaveById("simpro.identity.call").replace().to("mock:simpro-api"));
        context.start();
        simproApi = getMockEndpoint("mock:simpro-api");
        references = getMockEndpoint("mock:references");
    }

    @Test
    void firstPageOfAJobImportAsksForOnePageOfMappedColumnsAndTakesTheTotalFromResultTotal() throws Exception {
        answer(JOBS, "2500", "10");
        references.expectedMessageCount(1);

        JsonNode page = json(page("job", request(null, null, "full"), Map.of()));

        Exchange call = simproApi.getReceivedExchanges().get(0);
        assertThat(call.getMessage().getHeader("ProviderMethod")).isEqualTo("GET");
        assertThat(call.getMessage().getHeader("ProviderUrl")).isEqualTo(API + "/companies/0/jobs/?page=1&pageSize=250"
                + "&orderby=ID&columns=ID,Type,Customer,Site,Name,Description,Stage,Status,DateIssued,DateModified,Total");
        assertThat(call.getMessage().getBody(String.class)).as("a GET sends no body").isEmpty();
        references.assertIsSatisfied();

        assertThat(page.path("nextCursor").asText()).isEqualTo("2");
        assertThat(page.path("total").asLong()).isEqualTo(2500);
        JsonNode job = page.path("items").get(0);
        assertThat(job.path("externalId").asText()).isEqualTo("1042");
        assertThat(job.path("remoteUpdatedAt").asText()).isEqualTo("2026-01-05T09:00:00+10:00");
        assertThat(job.path("data").path("name").asText()).isEqualTo("Job 42");
        assertThat(job.path("data").path("status").asText()).isEqualTo("In progress");
        assertThat(job.path("data").path("total").path("incTax").asDouble()).isEqualTo(152.0);
        assertThat(job.path("data").path("customer").toString()).as("a reference for the platform's step")
                .isEqualTo("{\"$ref\":\"customer\",\"externalId\":\"2\"}");
        assertThat(job.path("data").path("site").toString()).isEqualTo("{\"$ref\":\"site\",\"externalId\":\"106\"}");
        assertThat(page.path("items").get(1).path("data").path("customer").isNull()).as("no customer, no reference").isTrue();
    }

    @Test
    void incrementalRunsAskOnlyForWhatWasModifiedSinceTwoMinutesBeforeThePreviousRunAndStopOnTheLastPage() throws Exception {
        answer(JOBS, "502", "3");

        JsonNode page = json(page("job", request("3", "2026-12-05T10:00:00.000Z", "incremental"), Map.of("companyId", 7)));

        String url = simproApi.getReceivedExchanges().get(0).getMessage().getHeader("ProviderUrl", String.class);
        assertThat(url).startsWith(API + "/companies/7/jobs/?page=3&pageSize=250&orderby=ID&columns=")
                .endsWith("&DateModified=ge(2026-12-05T09:58:00Z)");
        assertThat(page.path("nextCursor").isNull()).as("page 3 of 3 is the last").isTrue();
        assertThat(page.path("total").asLong()).isEqualTo(502);
    }

    @Test
    void withoutPagingHeadersAFullPageMeansAnotherMayFollow() throws Exception {
        StringBuilder full = new StringBuilder("[");
        for (int i = 1; i <= 250; i++) {
            full.append(i > 1 ? "," : "").append("{\"ID\":").append(i).append(",\"DateModified\":\"2026-01-05T09:00:00+10:00\"}");
        }
        answer(full.append("]").toString(), null, null);
        JsonNode page = json(page("job", request(null, null, "full"), Map.of()));
        assertThat(page.path("items")).hasSize(250);
        assertThat(page.path("nextCursor").asText()).isEqualTo("2");
        assertThat(page.path("total").isNull()).isTrue();

        simproApi.reset();
        answer(JOBS, null, null);
        JsonNode last = json(page("job", request("2", null, "full"), Map.of()));
        assertThat(last.path("nextCursor").isNull()).isTrue();
    }

    @Test
    void customersAreCompaniesOrIndividualsByTheirHref() throws Exception {
        answer("""
                [{"ID": 1, "_href": "/api/v1.0/companies/0/customers/companies/1", "CompanyName": "Acme Pty Ltd",
                  "GivenName": "", "FamilyName": "", "Email": "ops@acme.test", "DateModified": "2026-01-05T09:00:00+10:00"},
                 {"ID": 3, "_href": "/api/v1.0/companies/0/customers/individuals/3", "CompanyName": "",
                  "GivenName": "Jo", "FamilyName": "Bloggs", "Phone": "0400 000 003", "DateModified": "2026-01-05T09:00:00+10:00"}]
                """, "2", "1");
        JsonNode page = json(page("customer", request(null, null, "full"), Map.of()));
        assertThat(simproApi.getReceivedExchanges().get(0).getMessage().getHeader("ProviderUrl", String.class))
                .contains("/companies/0/customers/?").contains("columns=ID,CompanyName,GivenName,FamilyName,Email,Phone,DateModified");
        JsonNode company = page.path("items").get(0).path("data");
        assertThat(company.path("kind").asText()).isEqualTo("company");
        assertThat(company.path("name").asText()).isEqualTo("Acme Pty Ltd");
        assertThat(company.path("email").asText()).isEqualTo("ops@acme.test");
        JsonNode person = page.path("items").get(1).path("data");
        assertThat(person.path("kind").asText()).isEqualTo("individual");
        assertThat(person.path("name").asText()).isEqualTo("Jo Bloggs");
        assertThat(page.path("nextCursor").isNull()).isTrue();
    }

    @Test
    void sitesAndQuotesReferToTheirCustomers() throws Exception {
        answer("""
                [{"ID": 101, "Name": "Depot", "Address": {"Address": "1 Main St", "City": "Brisbane", "State": "QLD",
                  "PostalCode": "4000", "Country": "Australia"}, "Customers": [{"ID": 1}, {"ID": 2}],
                  "DateModified": "2026-01-05T09:00:00+10:00"}]
                """, "1", "1");
        JsonNode site = json(page("site", request(null, null, "full"), Map.of())).path("items").get(0).path("data");
        assertThat(site.path("address").path("city").asText()).isEqualTo("Brisbane");
        assertThat(site.path("customers").toString())
                .isEqualTo("[{\"$ref\":\"customer\",\"externalId\":\"1\"},{\"$ref\":\"customer\",\"externalId\":\"2\"}]");

        simproApi.reset();
        answer("""
                [{"ID": 50001, "Name": "Quote 1", "IsClosed": true, "Customer": {"ID": 4}, "Site": {"ID": 101},
                  "Status": {"ID": 1, "Name": "Sent"}, "DateModified": "2026-01-05T09:00:00+10:00"}]
                """, "1", "1");
        JsonNode quote = json(page("quote", request(null, null, "full"), Map.of())).path("items").get(0).path("data");
        assertThat(simproApi.getReceivedExchanges().get(0).getMessage().getHeader("ProviderUrl", String.class))
                .contains("/companies/0/quotes/?");
        assertThat(quote.path("closed").asBoolean()).isTrue();
        assertThat(quote.path("customer").path("externalId").asText()).isEqualTo("4");
        assertThat(quote.path("site").path("$ref").asText()).isEqualTo("site");
    }

    @Test
    void identityIsTheConfiguredCompanyOfTheBuildOrElseItsFirst() throws Exception {
        simproApi.whenAnyExchangeReceived(e -> e.getMessage().setBody(
                "[{\"ID\": 0, \"Name\": \"Head Office\"}, {\"ID\": 7, \"Name\": \"Acme North\"}]"));
        JsonNode first = json(template.request("direct:simpro.identity", e -> {
            e.setProperty("HubConfig", Map.of("buildUrl", "https://acme.simprosuite.com"));
            e.getMessage().setBody("{}");
        }).getMessage().getBody(String.class));
        assertThat(simproApi.getReceivedExchanges().get(0).getMessage().getHeader("ProviderUrl"))
                .isEqualTo(API + "/companies/?columns=ID,Name");
        assertThat(first.path("id").asText()).isEqualTo("0");
        assertThat(first.path("name").asText()).isEqualTo("Head Office");
        JsonNode chosen = json(template.request("direct:simpro.identity", e -> {
            e.setProperty("HubConfig", Map.of("companyId", 7));
            e.getMessage().setBody("{}");
        }).getMessage().getBody(String.class));
        assertThat(chosen.path("name").asText()).isEqualTo("Acme North");
    }

    @Test
    void theSandboxBuildPagesLikeSimproAndFiltersByDateModified() {
        String list = "jsonata:file:" + routesDir() + "/simpro/sandbox/list.jsonata?contentCache=false"
                + "&inputType=JsonString&outputType=JsonString";
        JsonNode jobs = json(template.requestBody(list, "{\"path\":\"/sandbox/simpro-api/api/v1.0/companies/0/jobs/\","
                + "\"page\":\"3\",\"pageSize\":\"250\",\"modifiedSince\":\"\"}", String.class));
        assertThat(jobs.path("total").asInt()).isEqualTo(600);
        assertThat(jobs.path("pages").asInt()).isEqualTo(3);
        assertThat(jobs.path("count").asInt()).isEqualTo(100);
        assertThat(jobs.path("results").get(0).path("ID").asInt()).isEqualTo(1501);
        assertThat(jobs.path("results").get(0).path("Customer").path("ID").asInt()).isBetween(1, 12);
        JsonNode changed = json(template.requestBody(list, "{\"path\":\"/x/companies/0/customers/\",\"page\":\"\","
                + "\"pageSize\":\"\",\"modifiedSince\":\"ge(2026-11-09T23:00:00Z)\"}", String.class));
        assertThat(changed.path("total").asInt()).isEqualTo(4);
        assertThat(changed.path("results").get(0).path("GivenName").asText()).isEqualTo("Jordan");
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    void answer(String body, String total, String pages) {
        simproApi.whenAnyExchangeReceived(e -> {
            e.getMessage().setBody(body);
            if (total != null) {
                e.getMessage().setHeader("Result-Total", total);
                e.getMessage().setHeader("Result-Pages", pages);
            }
        });
    }

    static String request(String cursor, String since, String mode) {
        Map<String, Object> request = new HashMap<>();
        request.put("cursor", cursor);
        request.put("since", since);
        request.put("mode", mode);
        request.put("from", null);
        request.put("to", null);
        return json(request);
    }

    String page(String entity, String request, Map<String, Object> config) {
        String withConfig = json(request).deepCopy() instanceof com.fasterxml.jackson.databind.node.ObjectNode o
                ? o.set("config", JSON.valueToTree(config)).toString() : request;
        Exchange result = template.request("direct:simpro." + entity + ".page", e -> {
            e.setProperty("HubConfig", config);
            e.getMessage().setBody(withConfig);
        });
        assertThat(result.getException()).isNull();
        return result.getMessage().getBody(String.class);
    }
}
