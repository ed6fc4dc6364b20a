package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.provider.microsoft.graph.GraphClient;
import io.integrationhub.provider.microsoft.onedrive.OneDriveActions;
import io.integrationhub.provider.microsoft.calendar.OutlookCalendarConfig;
import io.integrationhub.provider.microsoft.calendar.OutlookCalendarEvents;
import io.integrationhub.provider.microsoft.calendar.OutlookCalendarProperties;
import io.integrationhub.provider.microsoft.mail.OutlookMailProperties;
import io.integrationhub.provider.microsoft.mail.OutlookSendMail;

/**
 * The Microsoft family's action, identity and webhook routes (routes/microsoft) without Spring Boot: which Graph
 * requests they send through the provider endpoint (here a recording test route answering like Graph), how the
 * answers become the action's {externalId, version, response}, and where the webhook router sends each event. The
 * check steps are the real Java beans; the platform beans (sync requests, the drive and mail handlers) are mocks.
 */
class MicrosoftActionRoutesTest extends FamilyRoutesTestSupport {

    static final String GRAPH = "https://graph.test/v1.0";
    static final String TENANT = "7d4f1f52-4f7e-4a43-9d36-0c1b7e1f0a01";
    static final String CONNECTION = "c0ffee00-1111-4222-8333-944445555666";

    /** What the test Graph answers next: status and body, in order. */
    final Deque<Object[]> answers = new ArrayDeque<>();
    /** "METHOD URL" of every call, with the request headers and body. */
    final List<String> calls = new ArrayList<>();
    final List<Map<String, Object>> requests = new ArrayList<>();

    @Override
    protected List<String> routeFiles() {
        return List.of("microsoft/calendar.camel.yaml", "microsoft/mail.camel.yaml", "microsoft/onedrive.camel.yaml",
                "microsoft/webhooks.camel.yaml", "microsoft/identity.camel.yaml", "microsoft/graph.camel.yaml",
                "microsoft/subscriptions.camel.yaml", "microsoft/folders.camel.yaml",
                "microsoft/mail-capture.camel.yaml");
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        // The mail activation routes (MicrosoftRoutesTest) call beans this test has not got.
        configuration.withRouteFilterExcludePattern("microsoft.mail.activate*");
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.providers.microsoft.api-url", GRAPH);
        properties.setProperty("hub.errors.max-redeliveries", "0");
        return properties;
    }

    @BeforeEach
    void prepareRoutes() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        context.getRegistry().bind("graphClient", new GraphClient(null, null, mapper, null));
        context.getRegistry().bind("outlookCalendarEvents",
                new OutlookCalendarEvents(new OutlookCalendarConfig(new OutlookCalendarProperties()), mapper));
        context.getRegistry().bind("outlookSendMail", new OutlookSendMail(new OutlookMailProperties(), mapper));
        context.getRegistry().bind("oneDriveActions", new OneDriveActions(null, null, null, null, null, mapper));
        // onedrive.file.content (a file of the job's OneDrive read for another family, e.g. Xero's attachment) is
        // tested in XeroRoutesTest; here its bean only has to exist for the route to start.
        context.getRegistry().bind("oneDriveFileContent", new io.integrationhub.provider.microsoft.onedrive.OneDriveFileContent(null));
        AdviceWith.adviceWith(context, "outlook.action.send-mail", route -> route
                .weaveById("outlook.send-mail.request-sync").replace().to("mock:sync-request"));
        AdviceWith.adviceWith(context, "microsoft.webhook", route -> {
            route.weaveById("microsoft.onedrive.webhook.delta-sync").replace().to("mock:delta-sync");
            route.weaveById("microsoft.mail.notification.sync").replace().to("mock:mail-sync");
            route.weaveById("microsoft.webhook.event-change").after().to("mock:calendar-change");
            route.weaveById("microsoft.webhook.lifecycle").after().to("mock:lifecycle");
            route.weaveById("microsoft.webhook.ignored").after().to("mock:ignored");
        });
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:microsoft.provider").routeId("test.graph").process(this::answer);
                from("direct:platform.deadLetter").routeId("test.dead-letters").to("mock:dead-letter");
            }

            private void answer(Exchange exchange) {
                var message = exchange.getMessage();
                calls.add(message.getHeader("ProviderMethod") + " " + message.getHeader("ProviderUrl"));
                Map<String, Object> request = new HashMap<>(message.getHeaders());
                request.put("body", message.getBody(String.class));
                requests.add(request);
                Object[] answer = answers.isEmpty() ? new Object[] {200, "{}"} : answers.poll();
                message.getHeaders().clear();
                message.setHeader("ProviderStatus", answer[0]);
                message.setBody(answer[1]);
            }
        });
        context.start();
    }

    private Exchange action(String route, String input, Map<String, Object> properties) {
        return template.send(route, e -> {
            e.setProperty("HubTenantId", TENANT);
            e.setProperty("HubConnectionId", CONNECTION);
            properties.forEach(e::setProperty);
            e.getMessage().setBody(input);
        });
    }

    private static JsonNode out(Exchange exchange) {
        assertThat(exchange.getException()).isNull();
        return json(exchange.getMessage().getBody(String.class));
    }

    private JsonNode sent(int call) {
        return json((String) requests.get(call).get("body"));
    }

    static final String EVENT = """
            {"data": {"localRef": "job-1", "subject": "Site visit", "start": "2026-03-10T09:00:00+01:00",
             "end": "2026-03-10T10:00:00+01:00", "status": "confirmed"}, "link": null, "config": {}}""";

    // --- outlook-calendar.action.upsert-event / delete-event / .pushed ------------------------------------------

    @Test
    void anUnlinkedEventIsCreatedWithATransactionIdAndTheHubsMarker() {
        answers.add(new Object[] {201, "{\"id\": \"AAMk1\", \"changeKey\": \"ck1\", \"subject\": \"Site visit\"}"});

        JsonNode out = out(action("direct:outlook-calendar.action.upsert-event", EVENT, Map.of()));

        assertThat(calls).containsExactly("POST " + GRAPH + "/me/events");
        JsonNode created = sent(0);
        assertThat(created.path("subject").asText()).isEqualTo("Site visit");
        assertThat(created.path("showAs").asText()).isEqualTo("busy");
        assertThat(created.path("start").path("dateTime").asText()).isEqualTo("2026-03-10T08:00:00");
        assertThat(created.path("transactionId").asText()).hasSizeGreaterThan(8);
        assertThat(created.path("singleValueExtendedProperties").get(0).path("id").asText())
                .isEqualTo(OutlookCalendarEvents.MARKER);
        assertThat(created.path("singleValueExtendedProperties").get(0).path("value").asText()).isEqualTo(CONNECTION);
        assertThat(out.path("externalId").asText()).isEqualTo("AAMk1");
        assertThat(out.path("version").asText()).isEqualTo("ck1");
        assertThat(out.path("response").path("subject").asText()).isEqualTo("Site visit");
    }

    @Test
    void aLinkedEventIsUpdatedInPlaceWithItsIdEncodedInThePath() {
        answers.add(new Object[] {200, "{\"id\": \"AA/k+2=\", \"changeKey\": \"ck2\"}"});

        JsonNode out = out(action("direct:outlook-calendar.action.upsert-event", EVENT, Map.of("HubLinkId", "AA/k+2=")));

        assertThat(calls).containsExactly("PATCH " + GRAPH + "/me/events/AA%2Fk%2B2%3D");
        assertThat(requests.get(0).get("ProviderPassThrough")).isEqualTo("404");
        assertThat(sent(0).has("transactionId")).as("an update sends no transactionId").isFalse();
        assertThat(out.path("externalId").asText()).isEqualTo("AA/k+2=");
        assertThat(out.path("version").asText()).isEqualTo("ck2");
    }

    @Test
    void aLinkedEventOutlookLostIsCreatedAgain() {
        answers.add(new Object[] {404, "{\"error\": {\"code\": \"ErrorItemNotFound\"}}"});
        answers.add(new Object[] {201, "{\"id\": \"AAMk3\", \"changeKey\": \"ck3\"}"});

        JsonNode out = out(action("direct:outlook-calendar.action.upsert-event", EVENT, Map.of("HubLinkId", "gone")));

        assertThat(calls).containsExactly("PATCH " + GRAPH + "/me/events/gone", "POST " + GRAPH + "/me/events");
        assertThat(sent(1).path("subject").asText()).isEqualTo("Site visit");
        assertThat(out.path("externalId").asText()).isEqualTo("AAMk3");
    }

    @Test
    void anInvalidEventIsRefusedBeforeAnyGraphCall() {
        Exchange refused = action("direct:outlook-calendar.action.upsert-event",
                "{\"data\": {\"subject\": \"No times\"}, \"link\": null, \"config\": {}}", Map.of());

        assertThat(refused.getException()).isInstanceOfSatisfying(ProblemException.class,
                p -> assertThat(p.problem().status()).isEqualTo(400));
        assertThat(calls).isEmpty();
    }

    @Test
    void deleteEventDeletesTheLinkedEventAndTakesAMissingOneAsDeleted() {
        answers.add(new Object[] {404, "{\"error\": {\"code\": \"ErrorItemNotFound\"}}"});

        JsonNode out = out(action("direct:outlook-calendar.action.delete-event",
                "{\"data\": null, \"link\": {\"externalId\": \"AAMk4\"}, \"config\": {}}", Map.of("HubLinkId", "AAMk4")));

        assertThat(calls).containsExactly("DELETE " + GRAPH + "/me/events/AAMk4");
        assertThat(requests.get(0).get("ProviderPassThrough")).isEqualTo("404");
        assertThat(out.path("externalId").asText()).isEqualTo("AAMk4");
    }

    @Test
    void aPushRunListsTheEventsTheHubCreatedPageByPage() {
        answers.add(new Object[] {200, "{\"value\": [{\"id\": \"e1\", \"createdDateTime\": \"2026-03-01T10:00:00.1234567\"},"
                + " {\"id\": \"e2\", \"createdDateTime\": \"2026-03-02T10:00:00Z\"}], \"@odata.nextLink\": \"" + GRAPH
                + "/me/events?$skiptoken=2\"}"});
        answers.add(new Object[] {200, "{\"value\": []}"});

        JsonNode first = out(action("direct:outlook-calendar.action.upsert-event.pushed", "{\"cursor\": null}", Map.of()));
        JsonNode last = out(action("direct:outlook-calendar.action.upsert-event.pushed", "{}",
                Map.of("HubCursor", first.path("nextCursor").asText())));

        assertThat(calls.get(0)).startsWith("GET " + GRAPH + "/me/events?$filter=singleValueExtendedProperties%2FAny")
                .contains("%7B6f1d2a5c-93b4-4c1e-8a37-2b0c5e9d4f71%7D", "eq%20%27" + CONNECTION + "%27%29",
                        "&$select=id,createdDateTime&$top=100");
        assertThat(first.path("items")).hasSize(2);
        assertThat(first.path("items").get(0).path("externalId").asText()).isEqualTo("e1");
        assertThat(first.path("items").get(0).path("createdAt").asText()).isEqualTo("2026-03-01T10:00:00.1234567Z");
        assertThat(first.path("items").get(1).path("createdAt").asText()).isEqualTo("2026-03-02T10:00:00Z");
        assertThat(calls.get(1)).isEqualTo("GET " + GRAPH + "/me/events?$skiptoken=2");
        assertThat(last.path("items")).isEmpty();
        assertThat(last.has("nextCursor")).isFalse();
    }

    // --- outlook.action.send-mail -------------------------------------------------------------------------------

    static final String MAIL = """
            {"data": {"to": [" carla@builders.example "], "subject": "Quote [JOB-7]", "body": "See attached",
             "jobRef": "JOB-7"}, "link": null, "config": {}}""";

    @Test
    void sendMailPostsTheMappedMessageTaggedWithItsSendIdThenAsksForTheSentCopy() throws Exception {
        MockEndpoint sync = getMockEndpoint("mock:sync-request");
        sync.expectedMessageCount(1);
        answers.add(new Object[] {202, ""});

        JsonNode out = out(action("direct:outlook.action.send-mail", MAIL, Map.of()));

        sync.assertIsSatisfied();
        assertThat(calls).containsExactly("POST " + GRAPH + "/me/sendMail");
        JsonNode graph = sent(0);
        assertThat(graph.path("saveToSentItems").asBoolean()).isTrue();
        assertThat(graph.path("message").path("toRecipients").get(0).path("emailAddress").path("address").asText())
                .isEqualTo("carla@builders.example");
        JsonNode tag = graph.path("message").path("singleValueExtendedProperties").get(0);
        assertThat(tag.path("id").asText()).isEqualTo(OutlookSendMail.HUB_PROPERTY);
        String sendId = out.path("externalId").asText();
        assertThat(json(tag.path("value").asText()).path("sendId").asText()).isEqualTo(sendId);
        assertThat(json(tag.path("value").asText()).path("jobRef").asText()).isEqualTo("JOB-7");
        assertThat(out.path("response").path("sendId").asText()).isEqualTo(sendId);
        assertThat(out.path("response").path("jobRef").asText()).isEqualTo("JOB-7");
        assertThat(out.path("response").path("status").asText()).isEqualTo("accepted");
    }

    @Test
    void aMailIsReportedSentEvenWhenTheSyncRequestFails() throws Exception {
        getMockEndpoint("mock:sync-request").whenAnyExchangeReceived(e -> {
            throw new IllegalStateException("kafka down");
        });
        answers.add(new Object[] {202, ""});

        JsonNode out = out(action("direct:outlook.action.send-mail", MAIL, Map.of()));

        assertThat(out.path("response").path("status").asText()).isEqualTo("accepted");
    }

    @Test
    void anImpossibleAddressIsRefusedBeforeAnyGraphCall() {
        Exchange refused = action("direct:outlook.action.send-mail", MAIL.replace("carla@builders.example", "carla"),
                Map.of());

        assertThat(refused.getException()).isInstanceOfSatisfying(ProblemException.class,
                p -> assertThat(p.problem().status()).isEqualTo(422));
        assertThat(calls).isEmpty();
    }

    // --- onedrive.action.download-file --------------------------------------------------------------------------

    @Test
    void downloadFileAnswersTheFilesMetadataWithoutItsDownloadUrl() {
        answers.add(new Object[] {200, "{\"id\": \"01ABC\", \"eTag\": \"e1\", \"name\": \"roof.jpg\", \"file\": {},"
                + " \"@microsoft.graph.downloadUrl\": \"https://download.test/secret\"}"});

        JsonNode out = out(action("direct:onedrive.action.download-file", "{\"data\": {\"itemId\": \"01ABC\"}}", Map.of()));

        assertThat(calls).containsExactly("GET " + GRAPH + "/me/drive/items/01ABC");
        assertThat(out.path("externalId").asText()).isEqualTo("01ABC");
        assertThat(out.path("version").asText()).isEqualTo("e1");
        assertThat(out.path("response").path("name").asText()).isEqualTo("roof.jpg");
        assertThat(out.path("response").has("@microsoft.graph.downloadUrl")).isFalse();
        assertThat(out.path("response").path("contentPath").asText())
                .isEqualTo("/api/v1/connections/" + CONNECTION + "/files/01ABC/content");
    }

    @Test
    void downloadFileOfAMissingItemOrAFolderIsAProblem() {
        answers.add(new Object[] {404, "{\"error\": {\"code\": \"itemNotFound\"}}"});
        answers.add(new Object[] {200, "{\"id\": \"01DIR\", \"folder\": {}}"});

        Exchange missing = action("direct:onedrive.action.download-file", "{\"data\": {\"itemId\": \"01ABC\"}}", Map.of());
        Exchange folder = action("direct:onedrive.action.download-file", "{\"data\": {\"itemId\": \"01DIR\"}}", Map.of());

        assertThat(missing.getException()).isInstanceOfSatisfying(ProblemException.class,
                p -> assertThat(p.problem().status()).isEqualTo(404));
        assertThat(folder.getException()).isInstanceOfSatisfying(ProblemException.class,
                p -> assertThat(p.problem().status()).isEqualTo(422));
    }

    // --- microsoft.identity -------------------------------------------------------------------------------------

    @Test
    void identityIsGraphsMeWithTheMailOrElseThePrincipalName() {
        answers.add(new Object[] {200, "{\"id\": \"u1\", \"displayName\": \"Carla\", \"mail\": null,"
                + " \"userPrincipalName\": \"carla@builders.example\"}"});

        JsonNode me = out(action("direct:microsoft.identity", "{}", Map.of("HubBearer", "token")));

        assertThat(calls).containsExactly("GET " + GRAPH + "/me");
        assertThat(me).isEqualTo(json("{\"id\": \"u1\", \"name\": \"Carla\", \"email\": \"carla@builders.example\"}"));
    }

    // --- microsoft.webhook ----------------------------------------------------------------------------------------

    private void notify(String key, String eventType) {
        template.sendBodyAndHeaders("direct:webhook." + key, "{\"value\": []}",
                Map.of("HubTenantId", TENANT, "HubConnectionId", CONNECTION, "HubEventType", eventType));
    }

    @Test
    void theWebhookRouterSendsEachProductsEventToItsBranch() throws Exception {
        getMockEndpoint("mock:delta-sync").expectedMessageCount(1);
        getMockEndpoint("mock:mail-sync").expectedMessageCount(2);
        getMockEndpoint("mock:mail-sync").expectedHeaderValuesReceivedInAnyOrder("HubProvider", "outlook", "outlook");
        getMockEndpoint("mock:calendar-change").expectedMessageCount(1);
        getMockEndpoint("mock:lifecycle").expectedMessageCount(1);
        getMockEndpoint("mock:ignored").expectedMessageCount(1);

        notify("onedrive", "change.updated");
        notify("outlook", "change.created");
        notify("outlook", "change.deleted");
        notify("outlook-calendar", "change.updated");
        notify("outlook-calendar", "lifecycle.missed");
        notify("onedrive", "changed.updated");

        MockEndpoint.assertIsSatisfied(context);
        getMockEndpoint("mock:dead-letter").expectedMessageCount(0);
        getMockEndpoint("mock:dead-letter").assertIsSatisfied();
    }

    // --- microsoft.subscription.* ---------------------------------------------------------------------------------

    @Test
    void aSubscriptionIsCreatedWithTheMappedBodyAndLifecycleNotificationsToTheSameUrl() {
        answers.add(new Object[] {201, "{\"id\": \"sub-1\", \"expirationDateTime\": \"2026-03-12T00:00:00Z\"}"});

        JsonNode out = out(action("direct:microsoft.subscription.create", """
                {"resource": "me/drive/root", "changeType": "updated", "clientState": "s3cret",
                 "notificationUrl": "https://hub.test/webhooks/onedrive", "expiration": "2026-03-12T00:00:00Z"}""",
                Map.of()));

        assertThat(calls).containsExactly("POST " + GRAPH + "/subscriptions");
        JsonNode body = sent(0);
        assertThat(body.path("resource").asText()).isEqualTo("me/drive/root");
        assertThat(body.path("changeType").asText()).isEqualTo("updated");
        assertThat(body.path("clientState").asText()).isEqualTo("s3cret");
        assertThat(body.path("expirationDateTime").asText()).isEqualTo("2026-03-12T00:00:00Z");
        assertThat(body.path("notificationUrl").asText()).isEqualTo("https://hub.test/webhooks/onedrive");
        assertThat(body.path("lifecycleNotificationUrl").asText()).isEqualTo("https://hub.test/webhooks/onedrive");
        assertThat(requests.get(0)).containsEntry("Content-Type", "application/json");
        assertThat(out.path("id").asText()).isEqualTo("sub-1");
    }

    @Test
    void renewReauthorizeAndDeleteAddressTheSubscriptionAsOneEncodedSegment() {
        answers.add(new Object[] {200, "{\"expirationDateTime\": \"2026-03-13T00:00:00Z\"}"});
        Map<String, Object> id = Map.of("GraphSubscriptionId", "a/b c#%é");

        Exchange renewed = action("direct:microsoft.subscription.renew", null,
                Map.of("GraphSubscriptionId", "a/b c#%é", "GraphExpiration", "2026-03-13T00:00:00Z"));
        action("direct:microsoft.subscription.reauthorize", null, id);
        action("direct:microsoft.subscription.delete", null, id);

        String encoded = GRAPH + "/subscriptions/a%2Fb%20c%23%25%C3%A9";
        assertThat(calls).containsExactly("PATCH " + encoded, "POST " + encoded + "/reauthorize", "DELETE " + encoded);
        assertThat(sent(0).path("expirationDateTime").asText()).isEqualTo("2026-03-13T00:00:00Z");
        assertThat(out(renewed).path("expirationDateTime").asText()).isEqualTo("2026-03-13T00:00:00Z");
        // a subscription Graph no longer knows is an answer (re-create), not a failure; delete takes any 4xx
        assertThat(requests.get(0)).containsEntry("ProviderPassThrough", "404");
        assertThat(requests.get(1)).containsEntry("ProviderPassThrough", "404");
        assertThat(requests.get(2)).containsEntry("ProviderPassThrough", "4xx");
    }

    // --- onedrive.folders.list / outlook.mail-folders.list ---------------------------------------------------------

    @Test
    void theFolderPickersAskGraphForTheFolderAndAPageOfItsChildren() {
        answers.add(new Object[] {200, "{\"id\": \"R\", \"root\": {}}"});
        answers.add(new Object[] {200, "{\"value\": [{\"id\": \"F1\"}]}"});
        JsonNode root = out(action("direct:onedrive.folders.list", null, Map.of()));
        answers.add(new Object[] {200, "{\"id\": \"X\"}"});
        answers.add(new Object[] {200, "{\"value\": []}"});
        action("direct:onedrive.folders.list", null, Map.of("DriveItemId", "01 A#%é",
                "GraphNextLink", GRAPH + "/me/drive/items/01/children?$skiptoken=2"));
        answers.add(new Object[] {200, "{\"value\": [{\"id\": \"inbox\"}]}"});
        JsonNode mailbox = out(action("direct:outlook.mail-folders.list", null, Map.of()));
        answers.add(new Object[] {200, "{\"id\": \"AAMk=\", \"displayName\": \"Projects\"}"});
        answers.add(new Object[] {200, "{\"value\": []}"});
        JsonNode folder = out(action("direct:outlook.mail-folders.list", null, Map.of("MailParentId", "AAMk/=")));

        String drive = "?$select=id,name,folder,parentReference";
        String mail = "?$select=id,displayName,childFolderCount,parentFolderId";
        assertThat(calls).containsExactly(
                "GET " + GRAPH + "/me/drive/root" + drive,
                "GET " + GRAPH + "/me/drive/root/children" + drive + "&$top=200",
                "GET " + GRAPH + "/me/drive/items/01%20A%23%25%C3%A9" + drive,
                "GET " + GRAPH + "/me/drive/items/01/children?$skiptoken=2",
                "GET " + GRAPH + "/me/mailFolders" + mail + "&$top=200",
                "GET " + GRAPH + "/me/mailFolders/AAMk%2F%3D" + mail,
                "GET " + GRAPH + "/me/mailFolders/AAMk%2F%3D/childFolders" + mail + "&$top=200");
        assertThat(root.path("parent").path("id").asText()).isEqualTo("R");
        assertThat(root.path("page").path("value").get(0).path("id").asText()).isEqualTo("F1");
        assertThat(mailbox.path("parent").isNull()).isTrue();
        assertThat(mailbox.path("page").path("value").get(0).path("id").asText()).isEqualTo("inbox");
        assertThat(folder.path("parent").path("displayName").asText()).isEqualTo("Projects");
    }

    // --- onedrive.item.get / onedrive.folder.create -----------------------------------------------------------------

    @Test
    void driveItemsAreAddressedByIdOrByPathWithEverySegmentEncoded() {
        answers.add(new Object[] {200, "{\"id\": \"ROOT\"}"});
        answers.add(new Object[] {404, "{\"error\": {\"code\": \"itemNotFound\"}}"});
        answers.add(new Object[] {200, "{\"id\": \"X\"}"});
        answers.add(new Object[] {409, "{\"error\": {\"code\": \"nameAlreadyExists\"}}"});

        Exchange root = action("direct:onedrive.item.get", null, Map.of("DrivePath", "/Jobs/2026, Q1 #1/100% Ünïcode"));
        Exchange missing = action("direct:onedrive.item.get", null,
                Map.of("DriveItemId", "01AB!12", "DrivePath", "a b.pdf"));
        action("direct:onedrive.item.get", null, Map.of("DriveItemId", "01AB", "DriveSelect", "id,name,folder,deleted"));
        Exchange created = action("direct:onedrive.folder.create", "{\"name\": \"JOB-7 Smith, Jones\"}", Map.of());

        assertThat(calls).containsExactly(
                "GET " + GRAPH + "/me/drive/root:/Jobs/2026%2C%20Q1%20%231/100%25%20%C3%9Cn%C3%AFcode",
                "GET " + GRAPH + "/me/drive/items/01AB%2112:/a%20b.pdf",
                "GET " + GRAPH + "/me/drive/items/01AB?$select=id,name,folder,deleted",
                "POST " + GRAPH + "/me/drive/root/children");
        assertThat(out(root).path("id").asText()).isEqualTo("ROOT");
        // 4xx answers come back for the Java step to judge (404 not there, 409 already there)
        assertThat(missing.getMessage().getHeader("ProviderStatus")).isEqualTo(404);
        assertThat(created.getMessage().getHeader("ProviderStatus")).isEqualTo(409);
        assertThat(requests.get(3)).containsEntry("ProviderPassThrough", "4xx");
        JsonNode folder = sent(3);
        assertThat(folder.path("name").asText()).isEqualTo("JOB-7 Smith, Jones");
        assertThat(folder.path("folder").isObject()).isTrue();
        assertThat(folder.path("@microsoft.graph.conflictBehavior").asText()).isEqualTo("fail");
    }

    // --- outlook.mail.delta / outlook.mail.attachments --------------------------------------------------------------

    @Test
    void mailCaptureReadsAFoldersDeltaFreshOrByLinkAndAMessagesAttachments() {
        answers.add(new Object[] {200, "{\"value\": []}"});
        answers.add(new Object[] {200, "{\"value\": []}"});
        answers.add(new Object[] {410, "{\"error\": {\"code\": \"SyncStateNotFound\"}}"});
        answers.add(new Object[] {404, "{}"});

        action("direct:outlook.mail.delta", null, Map.of("MailFolder", "Projects 2026", "MailPageSize", 2,
                "MailFrom", "2026-03-01T00:00:00Z"));
        action("direct:outlook.mail.delta", null, Map.of("MailFolder", "inbox", "MailPageSize", 50));
        Exchange stale = action("direct:outlook.mail.delta", null, Map.of("MailFolder", "inbox", "MailPageSize", 50,
                "MailDeltaLink", GRAPH + "/me/mailFolders/inbox/messages/delta?$deltatoken=abc"));
        Exchange gone = action("direct:outlook.mail.attachments", null, Map.of("MailMessageId", "AAMk+/=#1"));

        String fresh = "/messages/delta?$select=id,subject,from,toRecipients,ccRecipients,receivedDateTime,sentDateTime,"
                + "bodyPreview,body,conversationId,internetMessageId,hasAttachments,parentFolderId,lastModifiedDateTime,"
                + "webLink&$expand=singleValueExtendedProperties%28%24filter%3Did%20eq%20%27String%20%7B4b0a4c1e-6f2d-"
                + "4f7e-9d3a-1c5e8b7a2f90%7D%20Name%20IntegrationHubSend%27%29";
        assertThat(calls).containsExactly(
                "GET " + GRAPH + "/me/mailFolders/Projects%202026" + fresh
                        + "&$filter=receivedDateTime%20ge%202026-03-01T00%3A00%3A00Z",
                "GET " + GRAPH + "/me/mailFolders/inbox" + fresh,
                "GET " + GRAPH + "/me/mailFolders/inbox/messages/delta?$deltatoken=abc",
                "GET " + GRAPH + "/me/messages/AAMk%2B/%3D%231/attachments?$select=id,name,contentType,size,isInline");
        assertThat(requests.get(0)).containsEntry("Prefer",
                "odata.maxpagesize=2, outlook.body-content-type=\"text\", IdType=\"ImmutableId\"");
        assertThat(stale.getMessage().getHeader("ProviderStatus")).isEqualTo(410);
        assertThat(gone.getMessage().getHeader("ProviderStatus")).isEqualTo(404);
    }

    // --- onedrive.upload.* ------------------------------------------------------------------------------------------

    @Test
    void uploadsAddressTheFileByNameBelowItsFolder() {
        Map<String, Object> file = Map.of("DriveItemId", "01PARENT", "DrivePath", "Quote #7, 100%.pdf");
        Map<String, Object> simple = new HashMap<>(file);
        simple.put("DriveConflictBehavior", "rename");
        simple.put("DriveContentType", "application/pdf");

        action("direct:onedrive.upload.simple", "%PDF", simple);
        action("direct:onedrive.upload.session", "{\"item\": {}}", file);
        action("direct:onedrive.upload.commit", "{\"name\": \"a.pdf\"}", Map.of("DriveItemId", "01PARENT"));

        String item = GRAPH + "/me/drive/items/01PARENT";
        assertThat(calls).containsExactly(
                "PUT " + item + ":/Quote%20%237%2C%20100%25.pdf:/content?@microsoft.graph.conflictBehavior=rename",
                "POST " + item + ":/Quote%20%237%2C%20100%25.pdf:/createUploadSession",
                "PUT " + item);
        assertThat(requests.get(0)).containsEntry("Content-Type", "application/pdf").containsEntry("body", "%PDF");
        assertThat(requests.get(1)).containsEntry("Content-Type", "application/json");
        assertThat(requests).allSatisfy(r -> assertThat(r).containsEntry("ProviderPassThrough", "4xx"));
    }

    @Test
    void anAttachmentIsReadAsJsonOrStreamedAndAFilesContentIsAskedWhereItIs() {
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();

        action("direct:outlook.mail.attachment", null, Map.of("MailMessageId", "AAMk=", "MailAttachmentId", "AAMkA#1"));
        action("direct:outlook.mail.attachment", null, Map.of("MailMessageId", "AAMk=", "MailAttachmentId", "AAMkA#1",
                "ProviderSink", sink));
        action("direct:onedrive.item.content", null, Map.of("DriveItemId", "01 F"));

        assertThat(calls).containsExactly(
                "GET " + GRAPH + "/me/messages/AAMk%3D/attachments/AAMkA%231",
                "GET " + GRAPH + "/me/messages/AAMk%3D/attachments/AAMkA%231/$value",
                "GET " + GRAPH + "/me/drive/items/01%20F/content");
    }
}
