package io.integrationhub.provider.xero;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.provider.microsoft.sandbox.GraphDriveSim;
import io.integrationhub.provider.xero.sandbox.XeroSimulator;
import io.integrationhub.support.GraphFake;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubIntegrationTest;
import io.integrationhub.support.KafkaProbe;

/**
 * The Xero family (routes/xero: catalog, routes, JSONata mappings) driven over HTTP like a host application, against
 * a wire-level Xero ({@link XeroFake}: identity server + {@link XeroSimulator}): consent with PKCE and HTTP Basic,
 * the organisation as account and its choice, invoices pushed (contact found or created, PUT then POSTs to the same
 * InvoiceID, Idempotency-Key, attachment, ValidationException → 422), bills as ACCPAY, payments pulled → invoice.paid
 * on Kafka once (and undone by a voided payment), webhooks, minute and day 429s, disconnect.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XeroFamilyTest extends HubIntegrationTest {

    static final XeroFake XERO = new XeroFake();
    /** The tenant's OneDrive (Microsoft family), where a job's PDF to attach may already be. */
    static final GraphFake MICROSOFT = new GraphFake();
    static final XeroSimulator SIM = XERO.simulator();
    static final String WEBHOOK_KEY = "test-xero-webhook-key";

    @Value("${hub.kafka.bootstrap-servers}")
    String kafka;

    @Autowired
    JdbcTemplate jdbc;

    @DynamicPropertySource
    static void xeroUrls(DynamicPropertyRegistry registry) {
        registry.add("hub.providers.xero.client-id", () -> XeroFake.CLIENT_ID);
        registry.add("hub.providers.xero.client-secret", () -> XeroFake.CLIENT_SECRET);
        registry.add("hub.providers.xero.authorize-url", () -> XERO.root() + "/identity/connect/authorize");
        registry.add("hub.providers.xero.token-url", () -> XERO.root() + "/connect/token");
        registry.add("hub.providers.xero.revoke-url", () -> XERO.root() + "/connect/revocation");
        registry.add("hub.providers.xero.api-url", XERO::root);
        // Small pages, so a pull of a dozen objects crosses page boundaries (and a run can stop between two).
        registry.add("hub.providers.xero.page-size", () -> "5");
        registry.add("hub.resilience.max-attempts", () -> "3");
        registry.add("hub.resilience.initial-backoff", () -> "20ms");
        registry.add("hub.resilience.max-backoff", () -> "100ms");
        // Xero's 60 calls a minute per organisation is spaced by the connection budget (58/min in production: about
        // one call a second). The budget stays on, ten times faster, so the class does not wait ~1 s per Xero call;
        // the sweep that resumes a run put back until the daily limit's reset ticks every half second.
        registry.add("hub.resilience.connection-budgets.xero.limit", () -> "600");
        registry.add("hub.resilience.connection-budgets.xero.period", () -> "1m");
        registry.add("hub.sync.sweep-period-ms", () -> "500");
        registry.add("hub.providers.microsoft.client-id", () -> "test-microsoft-client");
        registry.add("hub.providers.microsoft.client-secret", () -> "test-microsoft-secret");
        registry.add("hub.providers.microsoft.authorize-url", () -> MICROSOFT.root() + "/common/oauth2/v2.0/authorize");
        registry.add("hub.providers.microsoft.token-url", () -> MICROSOFT.root() + "/common/oauth2/v2.0/token");
        registry.add("hub.providers.microsoft.api-url", MICROSOFT::baseUrl);
    }

    /** A onedrive connection of the tenant with {@code key}, through consent at the Graph fake. */
    private UUID connectOneDrive(String key) {
        HubClient.Response created = hub.post("/api/v1/connections", key,
                "{\"provider\":\"onedrive\",\"config\":{\"rootPath\":\"Jobs-" + UUID.randomUUID() + "\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String state = param(created.json().path("authorizeUrl").asText(), "state");
        HubClient.Response back = hub.get("/oauth/callback/onedrive?code=code-" + UUID.randomUUID() + "&state="
                + URLEncoder.encode(state, StandardCharsets.UTF_8), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        UUID id = UUID.fromString(created.json().path("id").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(
                hub.get("/api/v1/connections/" + id, key).json().path("status").asText()));
        return id;
    }

    record Tenant(String key, UUID connectionId, List<String> organisations) {
        String path() {
            return "/api/v1/connections/" + connectionId;
        }

        String org() {
            return organisations.get(0);
        }
    }

    @BeforeEach
    void reset() {
        SIM.clearFaults();
        SIM.clearCalls();
    }

    private Tenant connect(String... organisationNames) {
        List<String> orgs = new ArrayList<>();
        for (String name : organisationNames) {
            String id = UUID.randomUUID().toString();
            SIM.organisation(id, name);
            orgs.add(id);
        }
        String key = newTenantKey();
        HubClient.Response created = hub.post("/api/v1/connections", key, "{\"provider\":\"xero\",\"config\":{}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String authorize = created.json().path("authorizeUrl").asText();
        assertThat(authorize).startsWith(XERO.root() + "/identity/connect/authorize?").contains("code_challenge=")
                .contains("code_challenge_method=S256").contains("client_id=" + XeroFake.CLIENT_ID);
        assertThat(param(authorize, "scope")).contains("offline_access", "accounting.transactions", "accounting.attachments");
        String code = XERO.nextGrant(orgs.toArray(String[]::new));
        HubClient.Response back = hub.get("/oauth/callback/xero?code=" + code + "&state="
                + URLEncoder.encode(param(authorize, "state"), StandardCharsets.UTF_8), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        UUID id = UUID.fromString(created.json().path("id").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(
                hub.get("/api/v1/connections/" + id, key).json().path("status").asText()));
        return new Tenant(key, id, orgs);
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
        return awaitRun(t, started.json().path("id").asText());
    }

    private JsonNode awaitRun(Tenant t, String run) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(40)).until(() -> {
            last[0] = hub.get("/api/v1/syncs/" + run, t.key()).json();
            return List.of("succeeded", "failed", "cancelled").contains(last[0].path("status").asText());
        });
        return last[0];
    }

    private JsonNode record(Tenant t, String model, String externalId) {
        JsonNode records = hub.get(t.path() + "/records/" + model + "?limit=200", t.key()).json().path("records");
        for (JsonNode r : records) {
            if (r.path("externalId").asText().equals(externalId)) {
                return r;
            }
        }
        return null;
    }

    private HubClient.Response push(Tenant t, String action, String json) {
        return hub.post(t.path() + "/actions/" + action, t.key(), json);
    }

    private static String invoice(String localRef, String number, String contact, String status, String lines) {
        return "{\"localRef\":\"" + localRef + "\",\"data\":{\"number\":\"" + number + "\",\"contact\":" + contact
                + ",\"date\":\"2026-12-01\",\"dueDate\":\"2026-12-21\",\"currency\":\"NZD\",\"reference\":\"Job " + localRef
                + "\",\"status\":\"" + status + "\",\"lineItems\":" + lines + "}}";
    }

    static final String LINES = "[{\"description\":\"Call-out\",\"quantity\":1,\"unitAmount\":120,\"accountCode\":\"200\","
            + "\"taxType\":\"OUTPUT2\"},{\"description\":\"Labour\",\"quantity\":2.5,\"unitAmount\":80,\"accountCode\":\"200\","
            + "\"taxType\":\"OUTPUT2\"}]";

    private List<XeroSimulator.Request> accountingCalls(String method, String pathEnd) {
        return SIM.calls().stream().filter(c -> c.method().equals(method) && c.path().endsWith(pathEnd)).toList();
    }

    @Test
    @Order(1)
    void shouldListXeroWithItsEntitiesAndActions() {
        JsonNode xero = null;
        for (JsonNode p : hub.get("/api/v1/providers", newTenantKey()).json()) {
            if (p.path("key").asText().equals("xero")) {
                xero = p;
            }
        }
        assertThat(xero).as("xero in the catalog").isNotNull();
        assertThat(xero.path("configured").asBoolean()).isTrue();
        assertThat(xero.path("entities").toString()).isEqualTo("[\"invoice\",\"bill\",\"payment\",\"contact\"]");
        assertThat(xero.path("actions").toString()).isEqualTo("[\"push-invoice\",\"push-bill\"]");
    }

    @Test
    @Order(2)
    void shouldConnectWithPkceTakeTheFirstOrganisationAndLetTheUserChooseAnother() {
        Tenant t = connect("Harbour Plumbing Ltd", "Harbour Plumbing Holdings");
        XeroFake.TokenCall exchange = XERO.tokenCalls().get(XERO.tokenCalls().size() - 1);
        assertThat(exchange.authorization()).startsWith("Basic ");
        assertThat(exchange.form()).containsEntry("grant_type", "authorization_code").containsKey("code_verifier")
                .doesNotContainKey("client_secret");
        JsonNode connection = hub.get(t.path(), t.key()).json();
        assertThat(connection.path("account").path("id").asText()).isEqualTo(t.org());
        assertThat(connection.path("account").path("name").asText()).isEqualTo("Harbour Plumbing Ltd");

        HubClient.Response orgs = hub.get(t.path() + "/organisations", t.key());
        assertThat(orgs.status()).as(orgs.body()).isEqualTo(200);
        assertThat(orgs.json().path("organisations")).hasSize(2);
        assertThat(orgs.json().path("current").asText()).isEqualTo(t.org());
        assertThat(orgs.json().path("organisations").get(0).path("current").asBoolean()).isTrue();

        String second = t.organisations().get(1);
        HubClient.Response chosen = hub.patch(t.path(), t.key(), "{\"config\":{\"tenantId\":\"" + second + "\"}}");
        assertThat(chosen.status()).as(chosen.body()).isEqualTo(200);
        assertThat(hub.get(t.path() + "/organisations", t.key()).json().path("current").asText()).isEqualTo(second);
        SIM.contact(second, "Holdings Customer", "H-1", null);
        HubClient.Response pushed = push(t, "push-invoice", invoice("hold-1", "H-0001", "{\"number\":\"H-1\"}", "draft", LINES));
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
        assertThat(SIM.organisation(second).invoices()).hasSize(1);
        assertThat(SIM.organisation(t.org()).invoices()).isEmpty();
        assertThat(SIM.calls()).filteredOn(c -> c.path().startsWith("/api.xro"))
                .allSatisfy(c -> assertThat(c.header("xero-tenant-id")).isEqualTo(second));

        HubClient.Response bad = hub.patch(t.path(), t.key(), "{\"config\":{\"tenantId\":\"../connections\"}}");
        assertThat(bad.status()).isEqualTo(422);
        HubClient.Response notGranted = hub.patch(t.path(), t.key(), "{\"config\":{\"tenantId\":\"" + UUID.randomUUID() + "\"}}");
        assertThat(notGranted.status()).as(notGranted.body()).isEqualTo(422);
        assertThat(notGranted.contentType()).startsWith("application/problem+json");
        assertThat(hub.get(t.path() + "/organisations", t.key()).json().path("current").asText()).isEqualTo(second);
    }

    @Test
    @Order(2)
    void shouldMatchWebhooksByTheChosenOrganisation() {
        Tenant t = connect("Harbour Electrical Ltd", "Harbour Electrical Holdings");
        String second = t.organisations().get(1);
        HubClient.Response chosen = hub.patch(t.path(), t.key(), "{\"config\":{\"tenantId\":\"" + second + "\"}}");
        assertThat(chosen.status()).as(chosen.body()).isEqualTo(200);
        assertThat(chosen.json().path("account").path("id").asText()).as("the chosen organisation is the account").isEqualTo(second);
        assertThat(chosen.json().path("account").path("name").asText()).isEqualTo("Harbour Electrical Holdings");
        HubClient.Response again = hub.post(t.path() + "/reauthorize", t.key(), "{}");
        assertThat(again.status()).as(again.body()).isLessThan(300);
        String state = param(again.json().path("authorizeUrl").asText(), "state");
        HubClient.Response back = hub.get("/oauth/callback/xero?code=" + XERO.nextGrant(t.organisations().toArray(String[]::new))
                + "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        await().atMost(Duration.ofSeconds(10)).until(() -> "active".equals(hub.get(t.path(), t.key()).json().path("status").asText()));
        assertThat(hub.get(t.path(), t.key()).json().path("account").path("id").asText())
                .as("a reconnect keeps the chosen organisation the grant still reaches").isEqualTo(second);

        HubClient.Response pushed = push(t, "push-invoice", invoice("he-1", "HE-0001", "{\"name\":\"Holdings Client\"}", "approved", LINES));
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
        String invoiceId = pushed.json().path("externalId").asText();
        SIM.editReference(second, invoiceId, "Edited in Holdings");
        String event = event("INVOICE", "UPDATE", invoiceId, second);
        assertThat(webhook(event, XeroWebhookVerifier.signature(WEBHOOK_KEY, event.getBytes(StandardCharsets.UTF_8))).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> record(t, "invoice", invoiceId) != null
                && "Edited in Holdings".equals(record(t, "invoice", invoiceId).path("data").path("reference").asText()));

        String first = t.org();
        String leftBehind = event("INVOICE", "UPDATE", UUID.randomUUID().toString(), first);
        assertThat(webhook(leftBehind, XeroWebhookVerifier.signature(WEBHOOK_KEY, leftBehind.getBytes(StandardCharsets.UTF_8)))
                .status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForList(
                "SELECT status FROM webhook_events WHERE provider = 'xero' AND CAST(payload AS VARCHAR) LIKE ?", String.class,
                "%" + first + "%").contains("ignored"));
    }

    @Test
    @Order(3)
    void shouldCreateThenUpdateThenApproveTheSameInvoiceWithAnExistingContact() {
        Tenant t = connect("Create Update Approve Ltd");
        String contactId = SIM.contact(t.org(), "Ridgeway University", "CUST-001", "accounts@ridgeway.example");
        String contact = "{\"number\":\"CUST-001\",\"name\":\"Ridgeway Uni (host spelling)\"}";

        HubClient.Response created = push(t, "push-invoice", invoice("job-1", "INV-1001", contact, "draft", LINES));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        String invoiceId = created.json().path("externalId").asText();
        assertThat(created.json().path("response").path("status").asText()).isEqualTo("DRAFT");
        ObjectNode stored = SIM.organisation(t.org()).invoices().get(0);
        assertThat(stored.path("InvoiceID").asText()).isEqualTo(invoiceId);
        assertThat(stored.path("Type").asText()).isEqualTo("ACCREC");
        assertThat(stored.path("Contact").path("ContactID").asText()).as("found by ContactNumber").isEqualTo(contactId);
        assertThat(stored.path("Total").decimalValue()).isEqualByComparingTo("368.00");
        assertThat(stored.path("LineItems").get(1).path("AccountCode").asText()).isEqualTo("200");
        assertThat(SIM.organisation(t.org()).contacts()).hasSize(1);

        String updatedLines = LINES.replace("2.5", "3");
        HubClient.Response updated = push(t, "push-invoice", invoice("job-1", "INV-1001", contact, "draft", updatedLines));
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        assertThat(updated.json().path("externalId").asText()).isEqualTo(invoiceId);
        HubClient.Response approved = push(t, "push-invoice", invoice("job-1", "INV-1001", contact, "approved", updatedLines));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.json().path("response").path("status").asText()).isEqualTo("AUTHORISED");

        assertThat(accountingCalls("PUT", "/Invoices")).hasSize(1);
        assertThat(accountingCalls("POST", "/Invoices/" + invoiceId)).hasSize(2);
        assertThat(SIM.organisation(t.org()).invoices()).hasSize(1);
        assertThat(SIM.organisation(t.org()).invoices().get(0).path("Status").asText()).isEqualTo("AUTHORISED");
        assertThat(SIM.organisation(t.org()).invoices().get(0).path("Total").decimalValue()).isEqualByComparingTo("414.00");
        List<XeroSimulator.Request> writes = SIM.calls().stream().filter(c -> !c.method().equals("GET")).toList();
        assertThat(writes).allSatisfy(c -> {
            assertThat(c.header("Idempotency-Key")).isNotBlank();
            assertThat(c.header("xero-tenant-id")).isEqualTo(t.org());
        });
        assertThat(writes.stream().map(c -> c.header("Idempotency-Key")).distinct()).hasSize(writes.size());
        XeroSimulator.Request search = accountingCalls("GET", "/Contacts").get(0);
        assertThat(URLDecoder.decode(search.query(), StandardCharsets.UTF_8)).contains("where=ContactNumber==\"CUST-001\"");
    }

    @Test
    @Order(4)
    void shouldFindTheContactByEmailOrNameAndCreateItWhenXeroHasNone() {
        Tenant t = connect("Contact Finder Ltd");
        String byEmail = SIM.contact(t.org(), "Bayside Club", null, "treasurer@bayside.example");
        HubClient.Response first = push(t, "push-invoice", invoice("c-1", "INV-2001",
                "{\"number\":\"BAY-9\",\"email\":\"treasurer@bayside.example\",\"name\":\"Bayside\"}", "draft", LINES));
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().path("response").path("contactId").asText()).isEqualTo(byEmail);
        assertThat(accountingCalls("PUT", "/Contacts")).isEmpty();

        SIM.clearCalls();
        long start = System.nanoTime();
        HubClient.Response created = push(t, "push-invoice", invoice("c-2", "INV-2002",
                "{\"number\":\"NEW-1\",\"email\":\"office@newco.example\",\"name\":\"New Co Ltd\"}", "draft", LINES));
        long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(took).as("5 calls of one organisation, spaced by its budget (600/min here: 100 ms)").isGreaterThanOrEqualTo(390);
        assertThat(accountingCalls("GET", "/Contacts")).as("number, email, then name").hasSize(3);
        assertThat(accountingCalls("PUT", "/Contacts")).hasSize(1);
        ObjectNode newContact = SIM.organisation(t.org()).contacts().stream()
                .filter(c -> c.path("Name").asText().equals("New Co Ltd")).findFirst().orElseThrow();
        assertThat(newContact.path("ContactNumber").asText()).isEqualTo("NEW-1");
        assertThat(created.json().path("response").path("contactId").asText()).isEqualTo(newContact.path("ContactID").asText());
        int puts = SIM.calls().indexOf(accountingCalls("PUT", "/Contacts").get(0));
        assertThat(SIM.calls().indexOf(accountingCalls("PUT", "/Invoices").get(0))).as("contact first").isGreaterThan(puts);

        SIM.clearCalls();
        HubClient.Response byName = push(t, "push-invoice", invoice("c-3", "INV-2003", "{\"name\":\"new co ltd\"}", "draft", LINES));
        assertThat(byName.json().path("response").path("contactId").asText()).isEqualTo(newContact.path("ContactID").asText());
        assertThat(accountingCalls("PUT", "/Contacts")).isEmpty();
    }

    @Test
    @Order(5)
    void shouldUploadTheInvoicePdfAsAnAttachment() {
        Tenant t = connect("Attachments Ltd");
        byte[] pdf = "%PDF-1.7\n% job sheet\n\u0000\u00ff binary tail".getBytes(StandardCharsets.ISO_8859_1);
        String json = invoice("job-42", "INV-4200", "{\"name\":\"Attachment Customer\"}", "approved", LINES)
                .replace("\"lineItems\":", "\"attachment\":{\"fileName\":\"Job 42 sheet.pdf\",\"content\":\""
                        + Base64.getEncoder().encodeToString(pdf) + "\"},\"lineItems\":");
        HubClient.Response pushed = push(t, "push-invoice", json);
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
        String invoiceId = pushed.json().path("externalId").asText();
        assertThat(SIM.organisation(t.org()).attachments(invoiceId)).containsOnlyKeys("Job 42 sheet.pdf");
        assertThat(SIM.organisation(t.org()).attachments(invoiceId).get("Job 42 sheet.pdf")).isEqualTo(pdf);
        XeroSimulator.Request upload = SIM.calls().stream().filter(c -> c.path().contains("/Attachments/")).findFirst().orElseThrow();
        assertThat(upload.method()).isEqualTo("PUT");
        assertThat(upload.path()).isEqualTo("/api.xro/2.0/Invoices/" + invoiceId + "/Attachments/Job%2042%20sheet.pdf");
        assertThat(upload.header("Content-Type")).startsWith("application/pdf");
    }

    @Test
    @Order(5)
    void shouldAttachThePdfAlreadyInTheJobsOneDriveAndRefuseAnotherTenantsDrive() throws Exception {
        Tenant t = connect("OneDrive Attachments Ltd");
        UUID drive = connectOneDrive(t.key());
        byte[] pdf = new byte[300_000];
        new java.util.Random(42).nextBytes(pdf);
        System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, pdf, 0, 9);
        JsonNode file = MICROSOFT.graph().part(GraphDriveSim.class).putFile("INV-7700 " + UUID.randomUUID() + ".pdf", pdf);
        String itemId = file.path("id").asText();
        String json = invoice("job-77", "INV-7700", "{\"name\":\"Drive Customer\"}", "approved", LINES)
                .replace("\"lineItems\":", "\"attachment\":{\"connectionId\":\"" + drive + "\",\"itemId\":\"" + itemId
                        + "\",\"fileName\":\"INV-7700.pdf\"},\"lineItems\":");

        HubClient.Response pushed = push(t, "push-invoice", json);

        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
        String invoiceId = pushed.json().path("externalId").asText();
        assertThat(SIM.organisation(t.org()).attachments(invoiceId).get("INV-7700.pdf")).as("the Graph file's bytes").isEqualTo(pdf);
        XeroSimulator.Request upload = SIM.calls().stream().filter(c -> c.path().contains("/Attachments/")).findFirst().orElseThrow();
        assertThat(upload.header("Content-Type")).startsWith("application/pdf");
        assertThat(MICROSOFT.calls()).as("the file was read with the OneDrive connection's token")
                .anyMatch(c -> c.path().endsWith("/items/" + itemId + "/content"));

        Tenant stranger = connect("Stranger Ltd");
        UUID strangersDrive = connectOneDrive(stranger.key());
        SIM.clearCalls();
        HubClient.Response foreign = push(t, "push-invoice", invoice("job-78", "INV-7800", "{\"name\":\"Drive Customer\"}",
                "approved", LINES).replace("\"lineItems\":", "\"attachment\":{\"connectionId\":\"" + strangersDrive
                + "\",\"itemId\":\"" + itemId + "\"},\"lineItems\":"));
        assertThat(foreign.status()).as(foreign.body()).isEqualTo(422);
        assertThat(foreign.contentType()).startsWith("application/problem+json");
        assertThat(foreign.json().path("errors").get(0).path("field").asText()).isEqualTo("/data/attachment/connectionId");
        assertThat(accountingCalls("PUT", "/Invoices")).as("nothing written to Xero").isEmpty();
        HubClient.Response missing = push(t, "push-invoice", invoice("job-79", "INV-7900", "{\"name\":\"Drive Customer\"}",
                "approved", LINES).replace("\"lineItems\":", "\"attachment\":{\"itemId\":\"NOSUCHITEM\"},\"lineItems\":"));
        assertThat(missing.status()).as("the tenant's own OneDrive by default; a missing item").isEqualTo(422);
        assertThat(missing.json().path("errors").get(0).path("field").asText()).isEqualTo("/data/attachment/itemId");
    }

    @Test
    @Order(6)
    void shouldAnswerXerosValidationExceptionAs422AndLinkNothing() {
        Tenant t = connect("Validation Ltd");
        String badLines = LINES.replace("\"accountCode\":\"200\",\"taxType\":\"OUTPUT2\"}]", "\"accountCode\":\"999\",\"taxType\":\"OUTPUT2\"}]");
        HubClient.Response refused = push(t, "push-invoice", invoice("v-1", "INV-3001", "{\"name\":\"Valid Customer\"}", "approved", badLines));
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().path("detail").asText()).contains("Account code '999' is not a valid code for this document.");
        assertThat(refused.json().path("errors").get(0).path("message").asText())
                .isEqualTo("Account code '999' is not a valid code for this document.");
        assertThat(SIM.organisation(t.org()).invoices()).isEmpty();

        SIM.clearCalls();
        HubClient.Response fixed = push(t, "push-invoice", invoice("v-1", "INV-3001", "{\"name\":\"Valid Customer\"}", "approved", LINES));
        assertThat(fixed.status()).as(fixed.body()).isEqualTo(200);
        assertThat(accountingCalls("PUT", "/Invoices")).as("nothing was linked: created, not updated").hasSize(1);

        HubClient.Response duplicate = push(t, "push-invoice", invoice("v-2", "INV-3001", "{\"name\":\"Valid Customer\"}", "draft", LINES));
        assertThat(duplicate.status()).isEqualTo(422);
        assertThat(duplicate.json().path("detail").asText()).contains("Invoice # must be unique.");
    }

    @Test
    @Order(7)
    void shouldPushASupplierBillAsAccpay() {
        Tenant t = connect("Bills Ltd");
        String lines = "[{\"description\":\"Copper pipe\",\"quantity\":10,\"unitAmount\":12.5,\"accountCode\":\"310\",\"taxType\":\"INPUT2\"}]";
        HubClient.Response pushed = push(t, "push-bill", invoice("po-7", "PD-7781", "{\"name\":\"PowerDirect\",\"email\":\"billing@powerdirect.example\"}", "approved", lines));
        assertThat(pushed.status()).as(pushed.body()).isEqualTo(200);
        ObjectNode bill = SIM.organisation(t.org()).invoices().get(0);
        assertThat(bill.path("Type").asText()).isEqualTo("ACCPAY");
        assertThat(bill.path("InvoiceNumber").asText()).isEqualTo("PD-7781");
        assertThat(bill.path("Contact").path("Name").asText()).isEqualTo("PowerDirect");
        assertThat(bill.path("Status").asText()).isEqualTo("AUTHORISED");

        JsonNode run = sync(t, "bill", "full");
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode record = record(t, "bill", bill.path("InvoiceID").asText());
        assertThat(record.path("data").path("type").asText()).isEqualTo("ACCPAY");
        assertThat(record.path("data").path("contact").path("name").asText()).isEqualTo("PowerDirect");
        assertThat(record.path("data").path("total").decimalValue()).isEqualByComparingTo("143.75");
    }

    @Test
    @Order(8)
    void shouldPullAPaymentAndAnnounceTheInvoicePaidOnceThenUndoItWhenThePaymentIsVoided() throws Exception {
        Tenant t = connect("Payments Ltd");
        for (int i = 1; i <= 7; i++) {
            assertThat(push(t, "push-invoice", invoice("p-" + i, "INV-50" + i, "{\"name\":\"Payer " + i + "\"}", "approved", LINES))
                    .status()).isEqualTo(200);
        }
        JsonNode first = sync(t, "invoice", "incremental");
        assertThat(first.path("status").asText()).as(first.toString()).isEqualTo("succeeded");
        assertThat(first.path("created").asLong()).isEqualTo(7);
        assertThat(accountingCalls("GET", "/Invoices")).as("two pages of five").hasSize(2);
        String invoiceId = SIM.organisation(t.org()).invoices().stream()
                .filter(i -> i.path("InvoiceNumber").asText().equals("INV-503")).findFirst().orElseThrow().path("InvoiceID").asText();
        assertThat(record(t, "invoice", invoiceId).path("data").path("status").asText()).isEqualTo("approved");
        assertThat(record(t, "invoice", invoiceId).path("data").path("date").asText()).isEqualTo("2026-12-01");

        try (KafkaProbe changes = new KafkaProbe(kafka, "hub.records.changes")) {
            String paymentId = SIM.pay(t.org(), invoiceId, new BigDecimal("368.00"));
            SIM.clearCalls();
            JsonNode payments = sync(t, "payment", "incremental");
            assertThat(payments.path("status").asText()).as(payments.toString()).isEqualTo("succeeded");
            JsonNode payment = record(t, "payment", paymentId);
            assertThat(payment.path("data").path("invoice").path("id").asText()).isEqualTo(invoiceId);
            assertThat(payment.path("data").path("amount").decimalValue()).isEqualByComparingTo("368.00");
            JsonNode paidRun = sync(t, "invoice", "incremental");
            assertThat(paidRun.path("updated").asLong()).as("only the paid invoice changed").isEqualTo(1);
            XeroSimulator.Request incremental = accountingCalls("GET", "/Invoices").get(0);
            assertThat(incremental.header("If-Modified-Since")).isNotBlank();
            assertThat(URLDecoder.decode(incremental.query(), StandardCharsets.UTF_8)).contains("where=Type==\"ACCREC\"", "page=1");
            JsonNode paid = record(t, "invoice", invoiceId).path("data");
            assertThat(paid.path("status").asText()).isEqualTo("paid");
            assertThat(paid.path("amountPaid").decimalValue()).isEqualByComparingTo("368.00");
            assertThat(paid.path("amountDue").decimalValue()).isEqualByComparingTo("0");

            JsonNode again = sync(t, "invoice", "full");
            assertThat(again.path("status").asText()).isEqualTo("succeeded");
            SIM.voidPayment(t.org(), paymentId);
            sync(t, "invoice", "incremental");
            JsonNode undone = record(t, "invoice", invoiceId).path("data");
            assertThat(undone.path("status").asText()).isEqualTo("approved");
            assertThat(undone.path("amountDue").decimalValue()).isEqualByComparingTo("368.00");

            String key = t.connectionId().toString();
            List<KafkaProbe.Keyed> seen = changes.collect(read -> read.stream().anyMatch(r -> key.equals(r.key())
                    && r.value().path("type").asText().endsWith("record.updated")
                    && "approved".equals(r.value().path("data").path("data").path("status").asText())
                    && invoiceId.equals(r.value().path("data").path("externalId").asText())));
            List<KafkaProbe.Keyed> paidEvents = seen.stream().filter(r -> key.equals(r.key())
                    && r.value().path("type").asText().endsWith(".invoice.paid")).toList();
            assertThat(paidEvents).as("invoice.paid once, however often the invoice is read").hasSize(1);
            assertThat(paidEvents.get(0).value().path("data").path("externalId").asText()).isEqualTo(invoiceId);
            assertThat(paidEvents.get(0).value().path("data").path("data").path("amountPaid").decimalValue())
                    .isEqualByComparingTo("368.00");
        }
    }

    @Test
    @Order(9)
    void shouldFetchAndUpsertTheInvoiceAXeroWebhookNamesAndIgnoreUnknownOrganisations() {
        Tenant t = connect("Webhooks Ltd");
        HubClient.Response pushed = push(t, "push-invoice", invoice("w-1", "INV-6001", "{\"name\":\"Hooked\"}", "approved", LINES));
        String invoiceId = pushed.json().path("externalId").asText();
        assertThat(sync(t, "invoice", "full").path("status").asText()).isEqualTo("succeeded");
        SIM.editReference(t.org(), invoiceId, "PO-778 (edited in Xero)");

        String intent = "{\"events\":[],\"firstEventSequence\":0,\"lastEventSequence\":0,\"entropy\":\"S0m3r4Nd0mt3xt\"}";
        assertThat(webhook(intent, XeroWebhookVerifier.signature(WEBHOOK_KEY, intent.getBytes(StandardCharsets.UTF_8))).status())
                .isEqualTo(200);
        assertThat(webhook(intent, XeroWebhookVerifier.signature("wrong-key", intent.getBytes(StandardCharsets.UTF_8))).status())
                .isEqualTo(401);

        String body = event("INVOICE", "UPDATE", invoiceId, t.org());
        HubClient.Response delivered = webhook(body, XeroWebhookVerifier.signature(WEBHOOK_KEY, body.getBytes(StandardCharsets.UTF_8)));
        assertThat(delivered.status()).isEqualTo(200);
        assertThat(delivered.body()).isEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> "PO-778 (edited in Xero)".equals(
                record(t, "invoice", invoiceId).path("data").path("reference").asText()));
        assertThat(SIM.calls()).anySatisfy(c -> {
            assertThat(c.path()).isEqualTo("/api.xro/2.0/Invoices/" + invoiceId);
            assertThat(c.header("xero-tenant-id")).isEqualTo(t.org());
        });

        String contactId = SIM.contact(t.org(), "Created In Xero", "X-77", "x77@example.com");
        String contactEvent = event("CONTACT", "CREATE", contactId, t.org());
        assertThat(webhook(contactEvent, XeroWebhookVerifier.signature(WEBHOOK_KEY, contactEvent.getBytes(StandardCharsets.UTF_8)))
                .status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> record(t, "contact", contactId) != null);
        assertThat(record(t, "contact", contactId).path("data").path("name").asText()).isEqualTo("Created In Xero");

        String stranger = UUID.randomUUID().toString();
        String unknown = event("INVOICE", "UPDATE", UUID.randomUUID().toString(), stranger);
        assertThat(webhook(unknown, XeroWebhookVerifier.signature(WEBHOOK_KEY, unknown.getBytes(StandardCharsets.UTF_8))).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForList(
                "SELECT status FROM webhook_events WHERE provider = 'xero' AND CAST(payload AS VARCHAR) LIKE ?", String.class,
                "%" + stranger + "%").contains("ignored"));
    }

    private static String event(String category, String type, String resourceId, String tenantId) {
        return "{\"events\":[{\"resourceUrl\":\"https://api.xero.com/api.xro/2.0/" + ("INVOICE".equals(category) ? "Invoices" : "Contacts")
                + "/" + resourceId + "\",\"resourceId\":\"" + resourceId + "\",\"eventDateUtc\":\"2026-12-05T01:15:39.902\","
                + "\"eventType\":\"" + type + "\",\"eventCategory\":\"" + category + "\",\"tenantId\":\"" + tenantId
                + "\",\"tenantType\":\"ORGANISATION\"}],\"firstEventSequence\":1,\"lastEventSequence\":1,\"entropy\":\""
                + UUID.randomUUID() + "\"}";
    }

    private HubClient.Response webhook(String body, String signature) {
        return hub.send(hub.request("/webhooks/xero", null).header("Content-Type", "application/json")
                .header("x-xero-signature", signature).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    @Order(10)
    void shouldWaitOutAMinute429WithRetryAfter() {
        Tenant t = connect("Minute Limit Ltd");
        for (int i = 0; i < 7; i++) {
            SIM.contact(t.org(), "Customer " + i, "M-" + i, null);
        }
        SIM.clearCalls();
        SIM.fail(XeroSimulator.rateLimited("minute", 1));
        long start = System.nanoTime();
        JsonNode run = sync(t, "contact", "full");
        long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.path("created").asLong()).isEqualTo(7);
        assertThat(accountingCalls("GET", "/Contacts")).as("the refused page asked again, then the second").hasSize(3);
        assertThat(took).as("Retry-After: 1 waited").isGreaterThanOrEqualTo(1000);
        assertThat(hub.get(t.path(), t.key()).json().path("status").asText()).isEqualTo("active");
    }

    @Test
    @Order(11)
    void shouldMarkTheConnectionErrorOnTheDailyLimitAndResumeFromTheCheckpointAfterTheReset() {
        Tenant t = connect("Daily Limit Ltd");
        for (int i = 0; i < 12; i++) {
            SIM.contact(t.org(), "Daily " + i, "D-" + i, null);
        }
        SIM.clearCalls();
        SIM.failOn(r -> r.path().endsWith("/Contacts") && r.query() != null && r.query().contains("page=2"),
                XeroSimulator.rateLimited("day", 1));
        HubClient.Response started = hub.post(t.path() + "/syncs", t.key(), "{\"entity\":\"contact\",\"mode\":\"full\"}");
        String run = started.json().path("id").asText();
        await().atMost(Duration.ofSeconds(15)).until(() -> "error".equals(hub.get(t.path(), t.key()).json().path("status").asText()));
        JsonNode stopped = hub.get(t.path(), t.key()).json();
        assertThat(stopped.path("lastError").asText()).contains("xero daily API limit reached, resumes at ");
        JsonNode done = awaitRun(t, run);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.path("created").asLong()).isEqualTo(12);
        assertThat(hub.get(t.path(), t.key()).json().path("status").asText()).isEqualTo("active");
        List<String> pages = accountingCalls("GET", "/Contacts").stream().map(c -> c.query().replaceAll(".*page=(\\d+).*", "$1")).toList();
        assertThat(pages).as("page 1 once: the run resumed at its checkpoint").containsExactly("1", "2", "2", "3");
    }

    @Test
    @Order(12)
    void shouldRemoveTheXeroConnectionAndRevokeTheGrantOnDisconnect() {
        Tenant t = connect("Leaving Ltd");
        XeroSimulator.Organisation org = SIM.organisation(t.org());
        HubClient.Response gone = hub.delete(t.path(), t.key());
        assertThat(gone.status()).as(gone.body()).isLessThan(300);
        assertThat(org.connected()).isFalse();
        assertThat(accountingCalls("DELETE", "/connections/" + org.connectionId())).hasSize(1);
        assertThat(XERO.revoked()).isNotEmpty();
        assertThat(hub.get(t.path(), t.key()).json().path("status").asText()).isEqualTo("disconnected");
    }
}
