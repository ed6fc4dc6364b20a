package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

import org.apache.camel.BindToRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.problem.RouteProblems;

/**
 * The Xero family's routes (routes/xero: identity, sync, actions, webhooks) with their real JSONata mappings, loaded
 * from the routes folder without Spring Boot, a database or Kafka. {@code direct:xero.provider} (the platform provider
 * endpoint) is a {@code mock:xero-api} answering canned Xero JSON by URL, so each test sees the requests the family
 * sends (method, URL, Xero headers, body) and what it makes of Xero's answers.
 */
class XeroRoutesTest extends FamilyRoutesTestSupport {

    static final String API = "https://api.xero.test";
    static final String ORG = "7cc1c7ae-5f7e-4b3e-9d51-26c6a4d0c3e1";
    static final String OTHER_ORG = "1d4b9f7e-0c2a-4a77-8d4e-5b3f0e6a9b12";
    static final String TENANT = "0b7e3c52-5a55-4f1e-9d0a-3f1f8f4e2a10";
    static final String CONNECTION = "6a1f2e0c-8c3b-4f7a-b1d2-7e9c0a5b4d33";

    static final String INVOICE = """
            {"Type": "ACCREC", "InvoiceID": "inv-1", "InvoiceNumber": "INV-0001", "Reference": "Job 42",
             "Contact": {"ContactID": "c-1", "Name": "Ridgeway University", "ContactNumber": "CUST-001"},
             "Date": "/Date(1764547200000+0000)/", "DateString": "2025-12-01T00:00:00",
             "DueDate": "/Date(1766275200000+0000)/", "Status": "PAID", "LineAmountTypes": "Exclusive",
             "LineItems": [{"Description": "Call-out", "Quantity": 1.0, "UnitAmount": 120.0, "AccountCode": "200",
                            "TaxType": "OUTPUT2", "TaxAmount": 18.0, "LineAmount": 120.0}],
             "SubTotal": 120.0, "TotalTax": 18.0, "Total": 138.0, "AmountDue": 0.0, "AmountPaid": 138.0,
             "FullyPaidOnDate": "/Date(1765000000000+0000)/", "CurrencyCode": "NZD",
             "UpdatedDateUTC": "/Date(1765000000123+0000)/", "Payments": [{"PaymentID": "pay-1", "Amount": 138.0,
             "Date": "/Date(1765000000000+0000)/"}]}
            """;

    @BindToRegistry("routeProblems")
    RouteProblems problems = new RouteProblems(JSON);

    @BindToRegistry("syncEngine")
    RecordingEngine engine = new RecordingEngine();

    /** Stands for the platform's syncEngine.applyFamilyRecords: what a webhook route hands over. */
    public static class RecordingEngine {
        final List<Map<String, Object>> applied = new ArrayList<>();

        public int applyFamilyRecords(Exchange exchange) {
            Map<String, Object> call = new HashMap<>();
            call.put("entity", exchange.getProperty("HubEntity"));
            call.put("connection", exchange.getProperty("HubConnectionId"));
            call.put("body", exchange.getMessage().getBody(String.class));
            applied.add(call);
            return 1;
        }
    }

    MockEndpoint xeroApi;
    final Map<String, Function<Exchange, String>> answers = new HashMap<>();

    @Override
    protected List<String> routeFiles() {
        return List.of("xero/identity.camel.yaml", "xero/sync.camel.yaml", "xero/actions.camel.yaml",
                "xero/webhooks.camel.yaml");
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.providers.xero.api-url", API);
        properties.setProperty("hub.providers.xero.page-size", "2");
        properties.setProperty("hub.providers.xero.attachment-max-bytes", "10485760");
        return properties;
    }

    @BeforeEach
    void replaceProviderEndpoint() throws Exception {
        // The platform's error handling of webhook routes (a retry-then-dead-letter configuration) is not part of
        // the family: here a failure stays on the exchange for the test to see.
        context.addRoutes(new RouteConfigurationBuilder() {
            @Override
            public void configuration() {
                routeConfiguration("platform-dead-letter");
            }
        });
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:xero.provider").routeId("xero.provider").to("mock:xero-api");
            }
        });
        context.start();
        xeroApi = getMockEndpoint("mock:xero-api");
        xeroApi.whenAnyExchangeReceived(e -> {
            String url = e.getMessage().getHeader("ProviderUrl", String.class);
            String key = e.getMessage().getHeader("ProviderMethod") + " " + url.substring(API.length());
            Function<Exchange, String> answer = answers.entrySet().stream().filter(a -> key.startsWith(a.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("unexpected call " + key));
            e.getMessage().setHeader("ProviderStatus", 200);
            e.getMessage().setBody(answer.apply(e));
        });
    }

    private Exchange call(String uri, String body, Map<String, Object> properties) {
        Exchange result = template.send(uri, e -> {
            properties.forEach(e::setProperty);
            e.getMessage().setBody(body);
        });
        return result;
    }

    private static Map<String, Object> connection(Map<String, Object> config) {
        Map<String, Object> p = new HashMap<>();
        p.put("HubConfig", config);
        p.put("HubAccountId", ORG);
        p.put("HubConnectionId", "conn-1");
        return p;
    }

    private List<Exchange> calls() {
        return xeroApi.getReceivedExchanges();
    }

    private static String header(Exchange e, String name) {
        return e.getMessage().getHeader(name, String.class);
    }

    // --- pulls ----------------------------------------------------------------------------------------------------

    @Test
    void firstInvoicePageAsksForSalesInvoicesOfTheOrganisationOldestChangeFirstAndMapsXeroDates() {
        answers.put("GET /api.xro/2.0/Invoices", e -> "{\"Invoices\":[" + INVOICE + "," + INVOICE.replace("inv-1", "inv-2") + "]}");

        Exchange result = call("direct:xero.invoice.page", "{\"cursor\":null,\"since\":null,\"mode\":\"full\",\"config\":{}}",
                connection(Map.of()));

        assertThat(result.getException()).isNull();
        Exchange request = calls().get(0);
        assertThat(header(request, "ProviderUrl")).isEqualTo(API + "/api.xro/2.0/Invoices?where=Type%3D%3D%22ACCREC%22"
                + "&order=UpdatedDateUTC%20ASC&page=1&pageSize=2");
        assertThat(header(request, "xero-tenant-id")).isEqualTo(ORG);
        assertThat(header(request, "If-Modified-Since")).as("a full run reads everything").isNull();
        JsonNode page = json(result.getMessage().getBody(String.class));
        assertThat(page.path("nextCursor").asText()).as("a full page: Xero's next page").isEqualTo("2");
        JsonNode item = page.path("items").get(0);
        assertThat(item.path("externalId").asText()).isEqualTo("inv-1");
        assertThat(item.path("remoteUpdatedAt").asText()).startsWith("2025-12-06T05:46:40.123");
        JsonNode data = item.path("data");
        assertThat(data.path("status").asText()).isEqualTo("paid");
        assertThat(data.path("date").asText()).as("DateString read first").isEqualTo("2025-12-01");
        assertThat(data.path("dueDate").asText()).as("/Date(ms)/ when there is no String variant").isEqualTo("2025-12-21");
        assertThat(data.path("paidOn").asText()).isEqualTo("2025-12-06");
        assertThat(data.path("amountPaid").asDouble()).isEqualTo(138.0);
        assertThat(data.path("amountDue").asDouble()).isEqualTo(0.0);
        assertThat(data.path("contact").path("number").asText()).isEqualTo("CUST-001");
        assertThat(data.path("lineItems").get(0).path("accountCode").asText()).isEqualTo("200");
        assertThat(data.path("lineItems").get(0).path("taxType").asText()).isEqualTo("OUTPUT2");
        assertThat(data.path("payments").get(0).path("id").asText()).isEqualTo("pay-1");
    }

    @Test
    void incrementalPageSendsIfModifiedSinceTheCursorsPageAndTheChosenOrganisation() {
        answers.put("GET /api.xro/2.0/Invoices", e -> "{\"Invoices\":[" + INVOICE.replace("\"PAID\"", "\"AUTHORISED\"")
                .replace("\"AmountDue\": 0.0, \"AmountPaid\": 138.0", "\"AmountDue\": 38.0, \"AmountPaid\": 100.0") + "]}");
        Map<String, Object> properties = connection(Map.of("tenantId", OTHER_ORG));

        Exchange result = call("direct:xero.bill.page",
                "{\"cursor\":\"3\",\"since\":\"2026-12-05T10:00:00Z\",\"mode\":\"incremental\",\"config\":{}}", properties);

        Exchange request = calls().get(0);
        assertThat(header(request, "ProviderUrl")).contains("where=Type%3D%3D%22ACCPAY%22").contains("&page=3&");
        assertThat(header(request, "If-Modified-Since")).isEqualTo("2026-12-05T10:00:00Z");
        assertThat(header(request, "xero-tenant-id")).as("config.tenantId wins over the account").isEqualTo(OTHER_ORG);
        JsonNode page = json(result.getMessage().getBody(String.class));
        assertThat(page.path("nextCursor").isNull()).as("fewer than a page: the last one").isTrue();
        assertThat(page.path("items").get(0).path("data").path("status").asText()).isEqualTo("approved");
    }

    @Test
    void paymentsAndContactsMapToTheirRecords() {
        answers.put("GET /api.xro/2.0/Payments", e -> """
                {"Payments": [{"PaymentID": "pay-9", "Date": "/Date(1765000000000+0000)/", "Amount": 50.5,
                  "Reference": "Bank transfer", "CurrencyRate": 1.0, "PaymentType": "ACCRECPAYMENT", "Status": "DELETED",
                  "UpdatedDateUTC": "/Date(1765000000999+0000)/", "IsReconciled": false,
                  "Account": {"AccountID": "acc-1", "Code": "090"},
                  "Invoice": {"Type": "ACCREC", "InvoiceID": "inv-1", "InvoiceNumber": "INV-0001", "CurrencyCode": "NZD"}}]}
                """);
        answers.put("GET /api.xro/2.0/Contacts", e -> """
                {"Contacts": [{"ContactID": "c-1", "ContactNumber": "CUST-001", "ContactStatus": "ACTIVE",
                  "Name": "Ridgeway University", "EmailAddress": "a@ridgeway.example", "IsCustomer": true,
                  "UpdatedDateUTC": "/Date(1765000000000+0000)/"},
                 {"ContactID": "c-2", "ContactStatus": "ARCHIVED", "Name": "Gone Ltd",
                  "UpdatedDateUTC": "/Date(1765000000000+0000)/"}]}
                """);

        JsonNode payment = json(call("direct:xero.payment.page", "{\"mode\":\"full\"}", connection(Map.of()))
                .getMessage().getBody(String.class)).path("items").get(0);
        assertThat(payment.path("externalId").asText()).isEqualTo("pay-9");
        assertThat(payment.path("data").path("status").asText()).as("a voided payment").isEqualTo("voided");
        assertThat(payment.path("data").path("date").asText()).isEqualTo("2025-12-06");
        assertThat(payment.path("data").path("invoice").path("id").asText()).isEqualTo("inv-1");
        assertThat(payment.path("data").path("account").path("code").asText()).isEqualTo("090");

        JsonNode contacts = json(call("direct:xero.contact.page", "{\"mode\":\"full\"}", connection(Map.of()))
                .getMessage().getBody(String.class));
        assertThat(contacts.path("items").get(0).path("data").path("email").asText()).isEqualTo("a@ridgeway.example");
        assertThat(contacts.path("items").get(1).path("deleted").asBoolean()).as("archived").isTrue();
        assertThat(contacts.path("nextCursor").asText()).isEqualTo("2");
    }

    // --- pushes ---------------------------------------------------------------------------------------------------

    static final String PUSH = """
            {"data": {"number": "INV-1001", "contact": {"number": "CUST-001", "email": "a@ridgeway.example", "name": "Ridgeway"},
              "date": "2026-12-01", "dueDate": "2026-12-21", "currency": "NZD", "status": "approved",
              "lineItems": [{"description": "Labour", "quantity": 2, "unitAmount": 80, "accountCode": "200", "taxType": "OUTPUT2"}]},
             "link": null, "config": {}}
            """;

    @Test
    void newInvoiceFindsTheContactByNumberThenPutsAnAuthorisedAccrecInvoice() {
        answers.put("GET /api.xro/2.0/Contacts", e -> "{\"Contacts\":[{\"ContactID\":\"c-1\",\"Name\":\"Ridgeway University\"}]}");
        answers.put("PUT /api.xro/2.0/Invoices", e -> "{\"Invoices\":[" + INVOICE.replace("\"PAID\"", "\"AUTHORISED\"") + "]}");

        Exchange result = call("direct:xero.action.push-invoice", PUSH, connection(Map.of()));

        assertThat(result.getException()).isNull();
        assertThat(calls()).hasSize(2);
        assertThat(header(calls().get(0), "ProviderUrl")).isEqualTo(API
                + "/api.xro/2.0/Contacts?where=ContactNumber%3D%3D%22CUST-001%22&summaryOnly=true");
        Exchange put = calls().get(1);
        assertThat(header(put, "ProviderMethod")).isEqualTo("PUT");
        assertThat(header(put, "ProviderUrl")).isEqualTo(API + "/api.xro/2.0/Invoices");
        assertThat(header(put, "Idempotency-Key")).startsWith("hub-").endsWith("-Invoices");
        assertThat(header(put, "xero-tenant-id")).isEqualTo(ORG);
        assertThat(header(put, "ProviderPassThrough")).isEqualTo("400");
        JsonNode invoice = json(put.getMessage().getBody(String.class)).path("Invoices").get(0);
        assertThat(invoice.path("Type").asText()).isEqualTo("ACCREC");
        assertThat(invoice.path("Status").asText()).isEqualTo("AUTHORISED");
        assertThat(invoice.has("InvoiceID")).isFalse();
        assertThat(invoice.path("Contact").path("ContactID").asText()).isEqualTo("c-1");
        assertThat(invoice.path("Date").asText()).isEqualTo("2026-12-01");
        assertThat(invoice.path("LineItems").get(0).path("AccountCode").asText()).isEqualTo("200");
        assertThat(invoice.path("LineItems").get(0).path("TaxType").asText()).isEqualTo("OUTPUT2");
        JsonNode out = json(result.getMessage().getBody(String.class));
        assertThat(out.path("externalId").asText()).isEqualTo("inv-1");
        assertThat(out.path("version").asText()).startsWith("2025-12-06T05:46:40.123");
    }

    @Test
    void linkedInvoiceIsPostedToItsInvoiceIdAndABillIsAccpay() {
        answers.put("GET /api.xro/2.0/Contacts", e -> "{\"Contacts\":[{\"ContactID\":\"c-1\"}]}");
        answers.put("POST /api.xro/2.0/Invoices/inv-1", e -> "{\"Invoices\":[" + INVOICE + "]}");
        Map<String, Object> properties = connection(Map.of());
        properties.put("HubLinkId", "inv-1");

        call("direct:xero.action.push-bill", PUSH.replace("\"link\": null", "\"link\": {\"externalId\": \"inv-1\"}"), properties);

        Exchange post = calls().get(1);
        assertThat(header(post, "ProviderMethod")).isEqualTo("POST");
        JsonNode invoice = json(post.getMessage().getBody(String.class)).path("Invoices").get(0);
        assertThat(invoice.path("InvoiceID").asText()).isEqualTo("inv-1");
        assertThat(invoice.path("Type").asText()).isEqualTo("ACCPAY");
    }

    @Test
    void noContactFoundCreatesItBeforeTheInvoice() {
        answers.put("GET /api.xro/2.0/Contacts", e -> "{\"Contacts\":[]}");
        answers.put("PUT /api.xro/2.0/Contacts", e -> "{\"Contacts\":[{\"ContactID\":\"c-new\",\"Name\":\"Ridgeway\"}]}");
        answers.put("PUT /api.xro/2.0/Invoices", e -> "{\"Invoices\":[" + INVOICE + "]}");

        call("direct:xero.action.push-invoice", PUSH, connection(Map.of()));

        assertThat(calls()).extracting(e -> header(e, "ProviderMethod") + " " + header(e, "ProviderUrl").replaceAll("\\?.*", ""))
                .containsExactly("GET " + API + "/api.xro/2.0/Contacts", "GET " + API + "/api.xro/2.0/Contacts",
                        "GET " + API + "/api.xro/2.0/Contacts", "PUT " + API + "/api.xro/2.0/Contacts",
                        "PUT " + API + "/api.xro/2.0/Invoices");
        assertThat(header(calls().get(1), "ProviderUrl")).contains("EmailAddress%3D%3D%22a%40ridgeway.example%22");
        assertThat(header(calls().get(2), "ProviderUrl")).contains("Name%3D%3D%22Ridgeway%22");
        JsonNode contact = json(calls().get(3).getMessage().getBody(String.class)).path("Contacts").get(0);
        assertThat(contact.path("Name").asText()).isEqualTo("Ridgeway");
        assertThat(contact.path("ContactNumber").asText()).isEqualTo("CUST-001");
        assertThat(header(calls().get(3), "Idempotency-Key")).isNotEqualTo(header(calls().get(4), "Idempotency-Key"));
        assertThat(json(calls().get(4).getMessage().getBody(String.class)).path("Invoices").get(0).path("Contact")
                .path("ContactID").asText()).isEqualTo("c-new");
    }

    @Test
    void xerosValidationExceptionBecomesA422NamingItsMessages() {
        answers.put("GET /api.xro/2.0/Contacts", e -> "{\"Contacts\":[{\"ContactID\":\"c-1\"}]}");
        answers.put("PUT /api.xro/2.0/Invoices", e -> {
            e.getMessage().setHeader("ProviderStatus", 400);
            return """
                    {"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation exception occurred",
                     "Elements": [{"ValidationErrors": [{"Message": "Account code '999' is not a valid code for this document."},
                                                         {"Message": "Invoice # must be unique."}]}]}
                    """;
        });
        Exchange result = call("direct:xero.action.push-invoice", PUSH, connection(Map.of()));

        assertThat(result.getException()).isInstanceOf(ProblemException.class);
        ProblemException problem = (ProblemException) result.getException();
        assertThat(problem.problem().status()).isEqualTo(422);
        assertThat(problem.problem().detail()).contains("ValidationException")
                .contains("Account code '999' is not a valid code for this document.; Invoice # must be unique.");
        assertThat(problem.problem().errors()).hasSize(2);
    }

    @Test
    void attachmentIsPutAsItsBytesUnderItsEncodedName() {
        answers.put("GET /api.xro/2.0/Contacts", e -> "{\"Contacts\":[{\"ContactID\":\"c-1\"}]}");
        answers.put("PUT /api.xro/2.0/Invoices/inv-1/Attachments/", e -> "{\"Attachments\":[{\"FileName\":\"x\"}]}");
        answers.put("PUT /api.xro/2.0/Invoices", e -> "{\"Invoices\":[" + INVOICE + "]}");
        String withPdf = PUSH.replace("\"status\": \"approved\",", "\"status\": \"approved\", \"attachment\": "
                + "{\"fileName\": \"Job 42.pdf\", \"content\": \"JVBERi0xLjcK/w==\"},");

        Exchange result = call("direct:xero.action.push-invoice", withPdf, connection(Map.of()));

        Exchange upload = calls().get(2);
        assertThat(header(upload, "ProviderUrl")).isEqualTo(API + "/api.xro/2.0/Invoices/inv-1/Attachments/Job%2042.pdf");
        assertThat(header(upload, "Content-Type")).isEqualTo("application/pdf");
        assertThat(upload.getMessage().getBody(byte[].class)).containsExactly('%', 'P', 'D', 'F', '-', '1', '.', '7', '\n', 0xff);
        assertThat(header(upload, "ProviderPassThrough")).isNull();
        assertThat(json(result.getMessage().getBody(String.class)).path("externalId").asText()).isEqualTo("inv-1");
    }

    @Test
    void aOneDriveFileIsReadThroughTheMicrosoftFamilyBeforeTheInvoiceIsWrittenThenPutAsItsBytes() throws Exception {
        List<Map<String, Object>> asked = new ArrayList<>();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // Stands for routes/microsoft's onedrive.file.content: the file's bytes and type.
                from("direct:onedrive.file.content").routeId("onedrive.file.content").process(e -> {
                    asked.add(Map.of("connection", e.getProperty("DriveConnectionId", String.class),
                            "item", e.getProperty("DriveItemId", String.class),
                            "max", e.getProperty("DriveMaxBytes", String.class),
                            "field", e.getProperty("DriveField", String.class),
                            "writesBefore", xeroApi.getReceivedCounter()));
                    e.getMessage().setBody(new byte[] {'%', 'P', 'D', 'F', 0x00});
                    e.getMessage().setHeader("Content-Type", "application/pdf");
                });
            }
        });
        answers.put("GET /api.xro/2.0/Contacts", e -> "{\"Contacts\":[{\"ContactID\":\"c-1\"}]}");
        answers.put("PUT /api.xro/2.0/Invoices/inv-1/Attachments/", e -> "{\"Attachments\":[{\"FileName\":\"x\"}]}");
        answers.put("PUT /api.xro/2.0/Invoices", e -> "{\"Invoices\":[" + INVOICE + "]}");
        String fromDrive = PUSH.replace("\"status\": \"approved\",", "\"status\": \"approved\", \"attachment\": "
                + "{\"connectionId\": \"" + CONNECTION + "\", \"itemId\": \"01ABCDEF!12\", \"fileName\": \"INV-1001.pdf\"},");

        Exchange result = call("direct:xero.action.push-invoice", fromDrive, connection(Map.of()));

        assertThat(result.getException()).isNull();
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0)).containsEntry("connection", CONNECTION).containsEntry("item", "01ABCDEF!12")
                .containsEntry("max", "10485760").containsEntry("field", "/data/attachment")
                .as("read before anything is written").containsEntry("writesBefore", 0);
        Exchange upload = calls().get(2);
        assertThat(header(upload, "ProviderUrl")).isEqualTo(API + "/api.xro/2.0/Invoices/inv-1/Attachments/INV-1001.pdf");
        assertThat(header(upload, "Content-Type")).isEqualTo("application/pdf");
        assertThat(upload.getMessage().getBody(byte[].class)).containsExactly('%', 'P', 'D', 'F', 0x00);
        assertThat(header(calls().get(1), "Content-Type")).as("the invoice is JSON").isEqualTo("application/json");
    }

    // --- identity, organisations, disconnect ------------------------------------------------------------------------

    static final String CONNECTIONS = """
            [{"id": "xc-practice", "tenantId": "prac-1", "tenantType": "PRACTICEMANAGER", "tenantName": "Practice"},
             {"id": "xc-1", "tenantId": "%s", "tenantType": "ORGANISATION", "tenantName": "Demo Company (NZ)",
              "createdDateUtc": "2026-12-01T09:30:00.0000000"},
             {"id": "xc-2", "tenantId": "%s", "tenantType": "ORGANISATION", "tenantName": "Acme Plumbing"}]
            """.formatted(ORG, OTHER_ORG);

    @Test
    void identityIsTheFirstOrganisationAndTheListingMarksTheChosenOne() {
        answers.put("GET /connections", e -> CONNECTIONS);

        JsonNode me = json(call("direct:xero.identity", "{}", Map.of()).getMessage().getBody(String.class));
        assertThat(me.path("id").asText()).isEqualTo(ORG);
        assertThat(me.path("name").asText()).isEqualTo("Demo Company (NZ)");
        assertThat(header(calls().get(0), "xero-tenant-id")).as("no tenant for /connections").isNull();

        JsonNode orgs = json(call("direct:xero.organisations", "{}", connection(Map.of("tenantId", OTHER_ORG)))
                .getMessage().getBody(String.class));
        assertThat(orgs.path("current").asText()).isEqualTo(OTHER_ORG);
        assertThat(orgs.path("organisations")).hasSize(2);
        assertThat(orgs.path("organisations").get(1).path("current").asBoolean()).isTrue();
        assertThat(orgs.path("organisations").get(0).path("connectedAt").asText()).isEqualTo("2026-12-01T09:30:00.0000000");
    }

    @Test
    void disconnectDeletesTheXeroConnectionOfTheAccount() {
        answers.put("GET /connections", e -> CONNECTIONS);
        answers.put("DELETE /connections/xc-1", e -> "");

        call("direct:xero.disconnect", "{}", connection(Map.of()));

        assertThat(header(calls().get(1), "ProviderMethod")).isEqualTo("DELETE");
        assertThat(header(calls().get(1), "ProviderUrl")).isEqualTo(API + "/connections/xc-1");
        assertThat(header(calls().get(1), "ProviderPassThrough")).isEqualTo("404");
    }

    // --- webhooks ---------------------------------------------------------------------------------------------------

    @Test
    void invoiceWebhookFetchesTheInvoiceFromTheEventsOrganisationAndHandsItsRecordOn() {
        answers.put("GET /api.xro/2.0/Invoices/inv-1", e -> "{\"Invoices\":[" + INVOICE.replace("ACCREC", "ACCPAY") + "]}");
        Exchange result = template.send("direct:webhook.xero", e -> {
            e.getMessage().setHeader("HubTenantId", TENANT);
            e.getMessage().setHeader("HubConnectionId", CONNECTION);
            e.getMessage().setHeader("HubEventType", "invoice.update");
            e.getMessage().setBody("{\"resourceUrl\":\"https://api.xero.com/api.xro/2.0/Invoices/inv-1\",\"resourceId\":\"inv-1\","
                    + "\"eventType\":\"UPDATE\",\"eventCategory\":\"INVOICE\",\"tenantId\":\"" + ORG + "\"}");
        });

        assertThat(result.getException()).isNull();
        assertThat(header(calls().get(0), "xero-tenant-id")).isEqualTo(ORG);
        assertThat(engine.applied).hasSize(1);
        assertThat(engine.applied.get(0).get("entity")).as("an ACCPAY invoice is a bill").isEqualTo("bill");
        assertThat(engine.applied.get(0).get("connection")).as("a UUID, as the provider endpoint wants it")
                .isEqualTo(java.util.UUID.fromString(CONNECTION));
        assertThat(json((String) engine.applied.get(0).get("body")).path("items").get(0).path("externalId").asText()).isEqualTo("inv-1");
    }

    @Test
    void otherWebhookCategoriesNeedNoCall() {
        template.send("direct:webhook.xero", e -> {
            e.getMessage().setHeader("HubTenantId", TENANT);
            e.getMessage().setHeader("HubConnectionId", CONNECTION);
            e.getMessage().setHeader("HubEventType", "subscription.update");
            e.getMessage().setBody("{\"resourceId\":\"x\",\"tenantId\":\"" + ORG + "\"}");
        });
        assertThat(calls()).isEmpty();
        assertThat(engine.applied).isEmpty();
    }
}
