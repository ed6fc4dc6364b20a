package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The HubSpot family's routes (routes/hubspot: page routes, batch push, webhooks) with their real JSONata mappings,
 * without Spring Boot, a database or Kafka. {@code direct:hubspot.provider} is a test route answering canned HubSpot
 * JSON by URL (recording each request as the family sent it), and {@code recordWrites} a bean that keeps what the
 * webhook route would write.
 */
class HubSpotRoutesTest extends FamilyRoutesTestSupport {

    static final String API = "https://api.hubspot.test";

    /** One request the family sent to the provider endpoint. */
    record Sent(String method, String url, String body, String budget, String passThrough) {
        JsonNode json() {
            return FamilyRoutesTestSupport.json(body);
        }
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final List<JsonNode> written = new CopyOnWriteArrayList<>();
    /** "model:localRef" or "model:record id" → the HubSpot id the hub knows for it. */
    Map<String, String> known = Map.of();
    /** URL → answer (status, body); the first whose key the URL contains answers. */
    Map<String, Function<Sent, Object[]>> answers = Map.of();

    @Override
    protected List<String> routeFiles() {
        return List.of("hubspot/sync.camel.yaml", "hubspot/actions.camel.yaml", "hubspot/webhooks.camel.yaml");
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.providers.hubspot.api-url", API);
        // The search window as the hub defaults it (catalog.json endpoints): HubSpot's 10,000 results per query.
        try {
            properties.setProperty("hub.providers.hubspot.search-window", JSON.readTree(routesDir().resolve("hubspot/catalog.json")
                    .toFile()).path("endpoints").path("search-window").asText());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return properties;
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        context.getRegistry().bind("recordWrites", new Object() {
            @SuppressWarnings("unused")
            public void upsert(Exchange exchange) {
                written.add(json(exchange.getMessage().getBody(String.class)));
                exchange.getMessage().setBody("{}");
            }
        });
        // The platform's reference step, over this map of hub records and links: localRef or record id → HubSpot id.
        context.getRegistry().bind("recordReferences", new Object() {
            @SuppressWarnings("unused")
            public void external(Exchange exchange) {
                JsonNode body = json(exchange.getMessage().getBody(String.class));
                body.path("refs").forEach(r -> {
                    if (r.has("$ref")) {
                        com.fasterxml.jackson.databind.node.ObjectNode ref = (com.fasterxml.jackson.databind.node.ObjectNode) r;
                        String model = ref.remove("$ref").asText();
                        ref.put("model", model);
                        ref.put("externalId", known.get(model + ":" + (ref.has("localRef") ? ref.path("localRef").asText()
                                : ref.path("id").asText())));
                    }
                });
                exchange.getMessage().setBody(body.toString());
            }
        });
        context.getRegistry().bind("routeProblems", new io.integrationhub.platform.problem.RouteProblems(JSON));
        RoutesBuilder[] family = super.createRouteBuilders();
        RoutesBuilder provider = new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:hubspot.provider").routeId("test.hubspot.provider").process(e -> {
                    Sent s = new Sent(e.getMessage().getHeader("ProviderMethod", String.class),
                            e.getMessage().getHeader("ProviderUrl", String.class), e.getMessage().getBody(String.class),
                            e.getProperty("HubProvider", String.class), e.getMessage().getHeader("ProviderPassThrough", String.class));
                    sent.add(s);
                    Object[] answer = answers.entrySet().stream().filter(a -> s.url().contains(a.getKey())).findFirst()
                            .map(a -> a.getValue().apply(s)).orElseThrow(() -> new AssertionError("unexpected call " + s));
                    e.getMessage().removeHeaders("*");
                    e.getMessage().setHeader("ProviderStatus", answer[0]);
                    e.getMessage().setBody(answer[1]);
                });
            }
        };
        RoutesBuilder[] all = java.util.Arrays.copyOf(family, family.length + 1);
        all[family.length] = provider;
        return all;
    }

    @BeforeEach
    void start() {
        context.start();
    }

    private JsonNode call(String uri, String body, Map<String, Object> headers) {
        return json(template.requestBodyAndHeaders(uri, body, headers, String.class));
    }

    private JsonNode page(String entity, String request) {
        return json(template.request("direct:hubspot." + entity + ".page", e -> {
            e.getMessage().setBody(request);
            e.setProperty("HubProvider", "hubspot");
        }).getMessage().getBody(String.class));
    }

    static Object[] ok(String body) {
        return new Object[] {200, body};
    }

    static String contact(String id, String email, String modified) {
        return """
                {"id": "%s", "properties": {"email": "%s", "firstname": "F%s", "lastname": null,
                 "lastmodifieddate": "%s"}, "createdAt": "2026-11-01T00:00:00Z", "updatedAt": "%s", "archived": false}
                """.formatted(id, email, id, modified, modified);
    }

    @Test
    void incrementalPageSearchesByLastModifiedOldestFirstOnTheSearchBudgetAndReadsAssociations() {
        answers = Map.of(
                "/search", s -> ok("{\"total\": 250, \"results\": [" + contact("11", "a@x.example", "2026-12-01T10:00:00Z") + ","
                        + contact("12", "b@x.example", "2026-12-01T10:00:05Z") + "], \"paging\": {\"next\": {\"after\": \"100\"}}}"),
                "/crm/v4/associations/contacts/companies/batch/read", s -> new Object[] {207,
                        "{\"status\": \"COMPLETE\", \"results\": [{\"from\": {\"id\": \"11\"}, \"to\": [{\"toObjectId\": 501, "
                                + "\"associationTypes\": []}]}], \"errors\": [{\"status\": \"error\", \"message\": \"none\"}]}"});

        JsonNode page = page("contact", "{\"cursor\": null, \"since\": \"2026-12-01T00:00:00Z\", \"mode\": \"incremental\","
                + " \"from\": null, \"to\": null, \"config\": {}}");

        Sent search = sent.get(0);
        assertThat(search.method()).isEqualTo("POST");
        assertThat(search.url()).isEqualTo(API + "/crm/v3/objects/contacts/search");
        assertThat(search.budget()).as("search calls take their own budget").isEqualTo("hubspot-search");
        JsonNode filter = search.json().path("filterGroups").get(0).path("filters").get(0);
        assertThat(filter.path("propertyName").asText()).isEqualTo("lastmodifieddate");
        assertThat(filter.path("operator").asText()).isEqualTo("GTE");
        assertThat(filter.path("value").asText()).isEqualTo("1796083200000");
        assertThat(search.json().path("sorts").get(0).path("direction").asText()).isEqualTo("ASCENDING");
        Sent associations = sent.get(1);
        assertThat(associations.budget()).isEqualTo("hubspot");
        assertThat(associations.json().path("inputs").toString()).isEqualTo("[{\"id\":\"11\"},{\"id\":\"12\"}]");

        assertThat(page.path("items")).hasSize(2);
        assertThat(page.path("items").get(0).path("data").path("companyIds").toString()).isEqualTo("[\"501\"]");
        assertThat(page.path("items").get(1).path("data").path("companyIds").toString()).isEqualTo("[]");
        assertThat(page.path("total").asInt()).isEqualTo(250);
        assertThat(json(page.path("nextCursor").asText()).path("after").asText()).isEqualTo("100");
        assertThat(page.path("deltaCursor").asText()).isEqualTo("2026-12-01T10:00:05.000Z");
    }

    @Test
    void aSearchPageAtTheTenThousandResultWindowStartsANewQueryAtTheLastRecordsTime() {
        answers = Map.of("/search", s -> ok("{\"total\": 12000, \"results\": [" + contact("11", "a@x.example",
                "2026-12-01T10:00:00Z") + "], \"paging\": {\"next\": {\"after\": \"10000\"}}}"),
                "/crm/v4/", s -> ok("{\"results\": []}"));

        JsonNode page = page("contact", "{\"cursor\": \"{\\\"since\\\": 1796083200000, \\\"after\\\": \\\"9900\\\"}\","
                + " \"since\": null, \"mode\": \"incremental\", \"config\": {}}");

        assertThat(sent.get(0).json().path("after").asText()).isEqualTo("9900");
        JsonNode next = json(page.path("nextCursor").asText());
        assertThat(next.has("after")).as("the window starts again").isFalse();
        assertThat(next.path("since").asLong()).isEqualTo(java.time.Instant.parse("2026-12-01T10:00:00Z").toEpochMilli());
    }

    @Test
    void fullRunsListWithAssociationsThenTheArchivedObjectsAsDeletions() {
        answers = Map.of("archived=false", s -> ok("{\"results\": [{\"id\": \"7\", \"properties\": {\"dealname\": \"Big\", "
                        + "\"amount\": \"99.5\"}, \"updatedAt\": \"2026-12-01T00:00:00Z\", \"associations\": {\"companies\": "
                        + "{\"results\": [{\"id\": \"3\", \"type\": \"deal_to_company\"}, {\"id\": \"3\", \"type\": \"deal_to_company_unlabeled\"}]}}}]}"),
                "archived=true", s -> ok("{\"results\": [{\"id\": \"8\", \"properties\": {}, \"archived\": true, "
                        + "\"updatedAt\": \"2026-12-02T00:00:00Z\"}]}"));

        JsonNode live = page("deal", "{\"cursor\": null, \"mode\": \"full\", \"config\": {}}");
        assertThat(sent.get(0).method()).isEqualTo("GET");
        assertThat(sent.get(0).url()).startsWith(API + "/crm/v3/objects/deals?limit=100&archived=false&properties=dealname,")
                .contains("&associations=companies,contacts");
        assertThat(live.path("items").get(0).path("data").path("amount").asDouble()).isEqualTo(99.5);
        assertThat(live.path("items").get(0).path("data").path("companyIds").toString()).isEqualTo("[\"3\"]");
        assertThat(live.path("nextCursor").asText()).isEqualTo("{\"archived\":true}");

        JsonNode archived = page("deal", "{\"cursor\": " + JSON.valueToTree(live.path("nextCursor").asText()) + ", \"mode\": \"full\"}");
        assertThat(archived.path("items").get(0).path("deleted").asBoolean()).isTrue();
        assertThat(archived.path("nextCursor").isNull()).isTrue();
    }

    @Test
    void aBatchAnswered207FailsOnlyTheItemsHubSpotNames() {
        answers = Map.of("/crm/v3/objects/contacts/batch/upsert", s -> new Object[] {207, """
                {"status": "COMPLETE", "numErrors": 1,
                 "results": [{"id": "21", "properties": {"email": "a@x.example"}, "updatedAt": "2026-12-01T00:00:00Z"},
                             {"id": "23", "properties": {"email": "c@x.example"}, "updatedAt": "2026-12-01T00:00:00Z"}],
                 "errors": [{"status": "error", "category": "VALIDATION_ERROR", "message": "Email is invalid",
                             "context": {"ids": ["b@x.example"]}}]}
                """});

        JsonNode out = call("direct:hubspot.action.upsert-contact.batch", """
                {"items": [{"localRef": "r1", "data": {"email": "A@x.example", "firstName": "A"}, "link": null},
                           {"localRef": "r2", "data": {"email": "b@x.example"}, "link": {"externalId": "22"}},
                           {"localRef": "r3", "data": {"email": "c@x.example"}, "link": null}], "config": {}}
                """, Map.of());

        JsonNode request = sent.get(0).json();
        assertThat(request.path("inputs")).hasSize(3);
        assertThat(request.path("inputs").get(0).path("idProperty").asText()).isEqualTo("email");
        assertThat(request.path("inputs").get(0).path("properties").path("firstname").asText()).isEqualTo("A");
        assertThat(sent.get(0).passThrough()).contains("400");
        assertThat(out.path("results").toString()).contains("\"localRef\":\"r1\",\"externalId\":\"21\"")
                .contains("\"localRef\":\"r3\",\"externalId\":\"23\"");
        assertThat(out.path("errors")).hasSize(1);
        assertThat(out.path("errors").get(0).path("localRef").asText()).isEqualTo("r2");
        assertThat(out.path("errors").get(0).path("message").asText()).isEqualTo("Email is invalid");
    }

    @Test
    void dealsAreUpdatedByTheirLinkAndCreatedWithout() {
        answers = Map.of("/batch/update", s -> ok("{\"results\": [{\"id\": \"31\", \"updatedAt\": \"2026-12-01T00:00:00Z\"}]}"),
                "/batch/create", s -> new Object[] {201, "{\"results\": [{\"id\": \"32\", \"updatedAt\": \"2026-12-01T00:00:00Z\"}]}"});

        JsonNode linked = call("direct:hubspot.action.upsert-deal", "{\"data\": {\"name\": \"Renewal\", \"amount\": 10},"
                + " \"link\": {\"externalId\": \"31\"}, \"config\": {}}", Map.of());
        JsonNode created = call("direct:hubspot.action.upsert-deal", "{\"data\": {\"name\": \"New\"}, \"link\": null, \"config\": {}}",
                Map.of());

        assertThat(sent.get(0).url()).isEqualTo(API + "/crm/v3/objects/deals/batch/update");
        assertThat(sent.get(0).json().path("inputs").get(0).path("id").asText()).isEqualTo("31");
        assertThat(sent.get(0).json().path("inputs").get(0).path("properties").path("amount").asText()).isEqualTo("10");
        assertThat(linked.path("externalId").asText()).isEqualTo("31");
        assertThat(sent.get(1).url()).isEqualTo(API + "/crm/v3/objects/deals/batch/create");
        assertThat(created.path("externalId").asText()).isEqualTo("32");
    }

    @Test
    void oneRefusedObjectOfAnActionAnswersHubSpotsReason() {
        answers = Map.of("/batch/upsert", s -> new Object[] {400, "{\"status\": \"error\", \"message\": \"Property values were "
                + "not valid\", \"category\": \"VALIDATION_ERROR\"}"});
        JsonNode out = call("direct:hubspot.action.upsert-company", "{\"data\": {\"domain\": \"acme.example\"}, \"link\": null}",
                Map.of());
        assertThat(sent.get(0).json().path("inputs").get(0).path("idProperty").asText()).isEqualTo("domain");
        assertThat(out.path("error").asText()).isEqualTo("Property values were not valid");
    }

    @Test
    void aDealsReferencesResolveAndItsDefaultAssociationsAreCreatedAfterTheWrite() {
        String recordId = UUID.randomUUID().toString();
        known = Map.of("company:co-1", "601", "contact:" + recordId, "505");
        answers = Map.of("/crm/v3/objects/deals/batch/create", s -> new Object[] {201,
                        "{\"results\": [{\"id\": \"41\", \"updatedAt\": \"2026-12-01T00:00:00Z\"}]}"},
                "/deals/companies/batch/associate/default", s -> ok("{\"status\": \"COMPLETE\", \"results\": []}"),
                "/deals/contacts/batch/associate/default", s -> new Object[] {207, """
                        {"status": "COMPLETE", "results": [], "numErrors": 1, "errors": [{"status": "error",
                         "category": "OBJECT_NOT_FOUND", "message": "contacts 505 not found", "context": {"toObjectId": ["505"]}}]}
                        """});

        JsonNode out = call("direct:hubspot.action.upsert-deal.batch", """
                {"items": [{"localRef": "d1", "link": null, "data": {"name": "Refit", "companies": [{"localRef": "co-1"}],
                            "companyIds": ["77", "601"], "contacts": [{"id": "%s"}]}},
                           {"localRef": "d2", "link": null, "data": {"name": "Ovens", "companies": [{"localRef": "co-9"}]}}],
                 "config": {}}
                """.formatted(recordId), Map.of());

        // d2 refers to a company not at HubSpot yet: not sent, an error naming the reference.
        assertThat(sent.get(0).url()).isEqualTo(API + "/crm/v3/objects/deals/batch/create");
        assertThat(sent.get(0).json().path("inputs")).hasSize(1);
        assertThat(sent.get(0).json().path("inputs").get(0).path("properties").path("dealname").asText()).isEqualTo("Refit");
        assertThat(sent.get(0).json().path("inputs").get(0).path("properties").has("companies")).isFalse();
        Sent companies = sent.stream().filter(c -> c.url().endsWith("/crm/v4/associations/deals/companies/batch/associate/default"))
                .findFirst().orElseThrow();
        assertThat(companies.method()).isEqualTo("POST");
        assertThat(companies.passThrough()).contains("400");
        assertThat(companies.json().path("inputs").toString())
                .as("one input per pair, the same company named twice sent once")
                .isEqualTo("[{\"from\":{\"id\":\"41\"},\"to\":{\"id\":\"601\"}},{\"from\":{\"id\":\"41\"},\"to\":{\"id\":\"77\"}}]");
        Sent contacts = sent.stream().filter(c -> c.url().endsWith("/crm/v4/associations/deals/contacts/batch/associate/default"))
                .findFirst().orElseThrow();
        assertThat(contacts.json().path("inputs").toString()).isEqualTo("[{\"from\":{\"id\":\"41\"},\"to\":{\"id\":\"505\"}}]");
        assertThat(sent).hasSize(3);

        assertThat(out.path("results")).hasSize(1);
        assertThat(out.path("results").get(0).path("localRef").asText()).isEqualTo("d1");
        assertThat(out.path("results").get(0).path("externalId").asText()).isEqualTo("41");
        assertThat(out.path("errors")).hasSize(2);
        JsonNode refused = out.path("errors").get(0);
        assertThat(refused.path("localRef").asText()).isEqualTo("d2");
        assertThat(refused.path("message").asText()).isEqualTo("data.companies[0]: company localRef \"co-9\" is not at HubSpot yet (push it first)");
        JsonNode association = out.path("errors").get(1);
        assertThat(association.path("localRef").asText()).isEqualTo("d1");
        assertThat(association.path("kind").asText()).isEqualTo("association");
        assertThat(association.path("message").asText()).contains("data.contacts[0]", "505", "contacts 505 not found");
    }

    @Test
    void anActionWithAReferenceNotAtHubSpotOrMalformedIsRefusedNamingTheFieldWithoutACall() {
        answers = Map.of();
        Exception missing = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> call(
                "direct:hubspot.action.upsert-contact", "{\"data\": {\"email\": \"a@x.example\", \"companies\": "
                        + "[{\"localRef\": \"acme\"}]}, \"link\": null, \"config\": {}}", Map.of()));
        io.integrationhub.platform.problem.ProblemException problem = org.apache.camel.util.ObjectHelper.getException(
                io.integrationhub.platform.problem.ProblemException.class, missing);
        assertThat(problem).as(missing.toString()).isNotNull();
        assertThat(problem.problem().status()).isEqualTo(422);
        assertThat(problem.problem().errors().get(0).field()).isEqualTo("data.companies[0]");

        Exception malformed = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> call(
                "direct:hubspot.action.upsert-deal", "{\"data\": {\"name\": \"X\", \"contacts\": [{\"email\": \"a@x.example\"}]},"
                        + " \"link\": null, \"config\": {}}", Map.of()));
        problem = org.apache.camel.util.ObjectHelper.getException(io.integrationhub.platform.problem.ProblemException.class, malformed);
        assertThat(problem.problem().status()).isEqualTo(400);
        assertThat(problem.problem().errors().get(0).field()).isEqualTo("data.contacts[0]");
        assertThat(sent).isEmpty();
    }

    @Test
    void anActionWhoseAssociationHubSpotRefusesStillAnswersTheObjectAndListsTheRefusal() {
        known = Map.of("company:acme", "601");
        answers = Map.of("/crm/v3/objects/contacts/batch/upsert", s -> ok("{\"results\": [{\"id\": \"21\", \"properties\": "
                        + "{\"email\": \"a@x.example\"}, \"updatedAt\": \"2026-12-01T00:00:00Z\"}]}"),
                "/contacts/companies/batch/associate/default", s -> new Object[] {400, "{\"status\": \"error\", "
                        + "\"message\": \"One or more objects not found\", \"category\": \"VALIDATION_ERROR\"}"});

        JsonNode out = call("direct:hubspot.action.upsert-contact", "{\"data\": {\"email\": \"a@x.example\", \"companies\": "
                + "[{\"localRef\": \"acme\"}]}, \"link\": null, \"config\": {}}", Map.of());

        assertThat(out.path("externalId").asText()).isEqualTo("21");
        assertThat(out.path("response").path("associationErrors").get(0).path("message").asText())
                .contains("One or more objects not found");
        assertThat(sent.get(1).json().path("inputs").toString()).isEqualTo("[{\"from\":{\"id\":\"21\"},\"to\":{\"id\":\"601\"}}]");
    }

    @Test
    void anAssociationCallThatFailsAfterTheWriteKeepsTheObjectAndMarksItRetryable() {
        known = Map.of("company:acme", "601");
        answers = Map.of("/batch/create", s -> new Object[] {201, "{\"results\": [{\"id\": \"41\", \"updatedAt\": "
                        + "\"2026-12-01T00:00:00Z\"}]}"},
                "/deals/companies/batch/associate/default", s -> {
                    throw new io.integrationhub.platform.resilience.ProviderCallException(
                            io.integrationhub.platform.resilience.ProviderCallException.Kind.UNAVAILABLE, 0,
                            "hubspot calls are paused: the circuit breaker is open after repeated failures", null);
                });

        JsonNode one = call("direct:hubspot.action.upsert-deal", "{\"data\": {\"name\": \"New\", \"companies\": "
                + "[{\"localRef\": \"acme\"}]}, \"link\": null, \"config\": {}}", Map.of());
        assertThat(one.path("externalId").asText()).isEqualTo("41");
        assertThat(one.path("response").path("retryable").asBoolean()).isTrue();
        JsonNode error = one.path("response").path("associationErrors").get(0);
        assertThat(error.path("field").asText()).isEqualTo("data.companies[0]");
        assertThat(error.path("transient").asBoolean()).isTrue();
        assertThat(error.path("message").asText()).contains("circuit breaker");

        // A push run's batch: the object has its result (the link is kept) and an error of kind association.
        JsonNode batch = call("direct:hubspot.action.upsert-deal.batch", "{\"items\": [{\"localRef\": \"d1\", \"data\": "
                + "{\"name\": \"New\", \"companies\": [{\"localRef\": \"acme\"}]}, \"link\": null}], \"config\": {}}", Map.of());
        assertThat(batch.path("results").get(0).path("localRef").asText()).isEqualTo("d1");
        assertThat(batch.path("results").get(0).path("externalId").asText()).isEqualTo("41");
        assertThat(batch.path("errors").get(0).path("localRef").asText()).isEqualTo("d1");
        assertThat(batch.path("errors").get(0).path("kind").asText()).isEqualTo("association");
    }

    private Map<String, Object> webhookHeaders(String type) {
        return Map.of("HubTenantId", UUID.randomUUID().toString(), "HubConnectionId", UUID.randomUUID().toString(),
                "HubEventType", type);
    }

    @Test
    void aPropertyChangeFetchesTheObjectWithItsAssociationsAndUpsertsItsRecord() {
        answers = Map.of("/crm/v3/objects/contacts/123", s -> ok("{\"id\": \"123\", \"properties\": {\"email\": \"w@x.example\","
                + " \"firstname\": \"Web\"}, \"updatedAt\": \"2026-12-03T00:00:00Z\", \"associations\": {\"companies\": "
                + "{\"results\": [{\"id\": \"9\", \"type\": \"contact_to_company\"}]}}}"));

        template.sendBodyAndHeaders("direct:webhook.hubspot", "{\"eventId\": 1, \"occurredAt\": 1, \"portalId\": 5,"
                + " \"subscriptionType\": \"contact.propertyChange\", \"objectId\": 123, \"propertyName\": \"firstname\"}",
                webhookHeaders("contact.propertyChange"));

        assertThat(sent.get(0).method()).isEqualTo("GET");
        assertThat(sent.get(0).url()).startsWith(API + "/crm/v3/objects/contacts/123?properties=email,").endsWith("&associations=companies");
        JsonNode write = written.get(0);
        assertThat(write.path("model").asText()).isEqualTo("contact");
        assertThat(write.path("items").get(0).path("externalId").asText()).isEqualTo("123");
        assertThat(write.path("items").get(0).path("data").path("firstName").asText()).isEqualTo("Web");
        assertThat(write.path("items").get(0).path("data").path("companyIds").toString()).isEqualTo("[\"9\"]");
    }

    @Test
    void aDeletionOrAnObjectGoneMarksTheRecordDeleted() {
        answers = Map.of("/crm/v3/objects/deals/77", s -> new Object[] {404, "{\"status\": \"error\", \"category\": \"OBJECT_NOT_FOUND\"}"});

        template.sendBodyAndHeaders("direct:webhook.hubspot", "{\"eventId\": 2, \"occurredAt\": 1, \"subscriptionType\":"
                + " \"company.deletion\", \"objectId\": 55}", webhookHeaders("company.deletion"));
        template.sendBodyAndHeaders("direct:webhook.hubspot", "{\"eventId\": 3, \"occurredAt\": 1, \"subscriptionType\":"
                + " \"deal.associationChange\", \"fromObjectId\": 77, \"toObjectId\": 9, \"associationType\": \"DEAL_TO_COMPANY\"}",
                webhookHeaders("deal.associationChange"));

        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).passThrough()).isEqualTo("404");
        assertThat(written.get(0).path("model").asText()).isEqualTo("company");
        assertThat(written.get(0).path("items").get(0).path("externalId").asText()).isEqualTo("55");
        assertThat(written.get(0).path("items").get(0).path("deleted").asBoolean()).isTrue();
        assertThat(written.get(1).path("model").asText()).isEqualTo("deal");
        assertThat(written.get(1).path("items").get(0).path("externalId").asText()).isEqualTo("77");
        assertThat(written.get(1).path("items").get(0).path("deleted").asBoolean()).isTrue();
    }
}
