package io.integrationhub.provider.microsoft.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.webhook.subscription.ProviderSubscription;
import io.integrationhub.platform.webhook.subscription.SubscriptionStore;
import io.integrationhub.provider.microsoft.sandbox.GraphDriveSim;
import io.integrationhub.provider.microsoft.sandbox.GraphMailSim;
import io.integrationhub.provider.microsoft.sandbox.GraphMailSim.AttachmentSpec;
import io.integrationhub.provider.microsoft.sandbox.GraphMailSim.Incoming;
import io.integrationhub.provider.microsoft.sandbox.GraphSimulator;
import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Reply;
import io.integrationhub.provider.microsoft.sandbox.GraphSubscriptionsSim;
import io.integrationhub.support.HubClient;
import io.integrationhub.provider.microsoft.graph.GraphClient;
import io.integrationhub.provider.microsoft.MicrosoftTestBase;

/**
 * Outlook capture and send, driven like production: the hub subscribes the folders at Graph when the connection
 * becomes active, Graph's notifications are POSTed to {@code /webhooks/outlook} with the subscription's
 * clientState, and the hub reads the message delta of the simulated mailbox (page size 2, so every capture pages).
 * Records are read back through the records API.
 */
class OutlookMailTest extends MicrosoftTestBase {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(40);

    @Autowired
    SubscriptionStore subscriptions;

    private GraphMailSim mail() {
        return MICROSOFT.graph().part(GraphMailSim.class);
    }

    @BeforeEach
    void emptyMailbox() {
        mail().clear();
    }

    private static String job() {
        return "JOB-" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
    }

    /** An active outlook connection whose folders are subscribed and whose first capture has finished. */
    private Tenant connectOutlook(String config) {
        Tenant t = connect("outlook", config);
        await().atMost(WAIT).until(() -> activeSubscriptions(t).size() >= 2 && firstSyncDone(t));
        return t;
    }

    /** A second connection of the same tenant, through the same consent → callback flow. */
    private UUID connectAlso(Tenant t, String provider, String config) {
        HubClient.Response created = hub.post("/api/v1/connections", t.key(),
                "{\"provider\":\"" + provider + "\",\"config\":" + config + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String authorize = created.json().path("authorizeUrl").asText();
        String state = java.net.URLDecoder.decode(authorize.replaceAll(".*[?&]state=([^&]+).*", "$1"), StandardCharsets.UTF_8);
        HubClient.Response back = hub.get("/oauth/callback/" + provider + "?code=code-" + UUID.randomUUID() + "&state="
                + URLEncoder.encode(state, StandardCharsets.UTF_8), null);
        assertThat(back.status()).as(back.body()).isLessThan(400);
        UUID id = UUID.fromString(created.json().path("id").asText());
        await().atMost(WAIT).until(() -> "active".equals(hub.get("/api/v1/connections/" + id, t.key()).json()
                .path("status").asText()));
        return id;
    }

    private List<ProviderSubscription> activeSubscriptions(Tenant t) {
        return subscriptions.forConnection(t.id(), t.connectionId()).stream()
                .filter(s -> ProviderSubscription.ACTIVE.equals(s.status())).toList();
    }

    private boolean firstSyncDone(Tenant t) {
        JsonNode runs = hub.get(t.connectionPath() + "/syncs", t.key()).json();
        if (runs.isEmpty()) {
            return false;
        }
        for (JsonNode run : runs) {
            if (!"succeeded".equals(run.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** What Graph POSTs to the notification URL when a message of a subscribed folder changes (providers.md §1.6). */
    private void notifyHub(Tenant t, String folder, String changeType, String messageId) {
        String resource = "me/mailFolders('" + folder + "')/messages";
        ProviderSubscription s = activeSubscriptions(t).stream().filter(x -> x.resource().equals(resource)).findFirst()
                .orElseThrow(() -> new AssertionError("no subscription for " + resource));
        ObjectNode atGraph = MICROSOFT.graph().part(GraphSubscriptionsSim.class).subscriptions().get(s.externalId());
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode n = root.putArray("value").addObject();
        n.put("id", UUID.randomUUID().toString());
        n.put("subscriptionId", s.externalId());
        n.put("subscriptionExpirationDateTime", atGraph.path("expirationDateTime").asText());
        n.put("clientState", atGraph.path("clientState").asText());
        n.put("changeType", changeType);
        n.put("resource", "Users/6e7b768e-07e2-4810-8459-485f84f8f204/Messages/" + messageId);
        n.put("tenantId", "00000000-0000-4000-8000-000000000001");
        n.putObject("resourceData").put("@odata.type", "#Microsoft.Graph.Message")
                .put("@odata.id", "Users/6e7b768e-07e2-4810-8459-485f84f8f204/Messages/" + messageId).put("id", messageId);
        HubClient.Response r = hub.post("/webhooks/outlook", null, root.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(202);
    }

    private List<JsonNode> emails(Tenant t) {
        HubClient.Response r = hub.get(t.connectionPath() + "/records/email?limit=1000", t.key());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.json().path("records").forEach(out::add);
        return out;
    }

    private JsonNode awaitEmail(Tenant t, String messageId, Predicate<JsonNode> condition) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(WAIT).until(() -> {
            for (JsonNode record : emails(t)) {
                if (record.path("externalId").asText().equals(messageId) && condition.test(record)) {
                    found[0] = record;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private List<String> search(Tenant t, String q) {
        HubClient.Response r = hub.get(t.connectionPath() + "/records/email?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8),
                t.key());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.json().path("records").forEach(rec -> ids.add(rec.path("externalId").asText()));
        return ids;
    }

    @Test
    void shouldCaptureANotifiedJobEmailThroughPagedDeltaAndListItsAttachments() {
        Tenant t = connectOutlook("{}");
        assertThat(activeSubscriptions(t)).extracting(ProviderSubscription::resource)
                .containsExactlyInAnyOrder("me/mailFolders('inbox')/messages", "me/mailFolders('sentitems')/messages");
        String job = job();
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            others.add(mail().put("inbox", Incoming.of("news" + i + "@letters.example", "Newsletter " + i, "<p>hello</p>")));
        }
        byte[] photo = "a photo of the north roof".getBytes(StandardCharsets.UTF_8);
        String id = mail().put("inbox", Incoming.of("carla@builders.example", "Roof photos [" + job + "]",
                "<html><body><p>See the photos &amp; the plan</p></body></html>")
                .withAttachments(AttachmentSpec.of("roof-north.jpg", "image/jpeg", photo)));
        MICROSOFT.graph().clearCalls();

        notifyHub(t, "inbox", "created", id);

        JsonNode email = awaitEmail(t, id, r -> true).path("data");
        assertThat(email.path("jobRef").asText()).isEqualTo(job);
        assertThat(email.path("jobRule").asText()).isEqualTo("subject");
        assertThat(email.path("subject").asText()).isEqualTo("Roof photos [" + job + "]");
        assertThat(email.path("from").path("address").asText()).isEqualTo("carla@builders.example");
        assertThat(email.path("to").get(0).path("address").asText()).isEqualTo(GraphMailSim.ME);
        assertThat(email.path("body").asText()).isEqualTo("See the photos & the plan");
        assertThat(email.path("folder").asText()).isEqualTo("inbox");
        assertThat(email.path("conversationId").asText()).isNotBlank();
        assertThat(email.path("internetMessageId").asText()).startsWith("<");
        assertThat(email.path("hasAttachments").asBoolean()).isTrue();
        JsonNode attachment = email.path("attachments").get(0);
        assertThat(attachment.path("name").asText()).isEqualTo("roof-north.jpg");
        assertThat(attachment.path("saved").asBoolean()).isFalse();
        assertThat(attachment.path("reason").asText()).isEqualTo("the tenant has no active OneDrive connection");
        for (String other : others) {
            assertThat(awaitEmail(t, other, r -> true).path("data").path("jobRef").isNull()).isTrue();
        }

        // Four new messages at two per page: the stored delta link, then $skiptoken pages, then a new delta link.
        List<GraphSimulator.Call> delta = MICROSOFT.calls().stream()
                .filter(c -> c.path().equals("/me/mailFolders/inbox/messages/delta")).toList();
        assertThat(delta.get(0).rawQuery()).startsWith("$deltatoken=");
        assertThat(delta).anySatisfy(c -> assertThat(c.rawQuery()).startsWith("$skiptoken="));
        assertThat(MICROSOFT.calls()).anySatisfy(c -> {
            assertThat(c.path()).isEqualTo("/me/messages/" + id + "/attachments");
            assertThat(c.rawQuery()).contains("$select=");
        });
    }

    @Test
    void shouldSaveTheAttachmentsOfAJobEmailIntoTheJobsOneDriveEmailsFolderOnce() throws Exception {
        Tenant t = connectOutlook("{}");
        String root = "Jobs-" + UUID.randomUUID();
        connectAlso(t, "onedrive", "{\"rootPath\":\"" + root + "\"}");
        String job = job();
        byte[] photo = "a photo of the north roof".getBytes(StandardCharsets.UTF_8);
        long largeSize = 5L * 1024 * 1024 + 7;
        AttachmentSpec large = AttachmentSpec.ofSize(MICROSOFT.graph().storage().resolve("specs"), "survey scan.pdf",
                "application/pdf", largeSize);
        String id = mail().put("inbox", Incoming.of("carla@builders.example", "Survey [" + job + "]", "<p>attached</p>")
                .withAttachments(AttachmentSpec.of("roof-north.jpg", "image/jpeg", photo), large));
        MICROSOFT.graph().clearCalls();

        notifyHub(t, "inbox", "created", id);

        JsonNode email = awaitEmail(t, id, r -> true).path("data");
        assertThat(email.path("jobRef").asText()).isEqualTo(job);
        GraphDriveSim drive = MICROSOFT.graph().part(GraphDriveSim.class);
        JsonNode savedPhoto = drive.itemAt(root + "/" + job + "/Emails/roof-north.jpg").orElseThrow();
        JsonNode savedScan = drive.itemAt(root + "/" + job + "/Emails/survey scan.pdf").orElseThrow();
        assertThat(Files.readAllBytes(drive.content(savedPhoto.path("id").asText()))).isEqualTo(photo);
        assertThat(Files.size(drive.content(savedScan.path("id").asText()))).isEqualTo(largeSize);
        JsonNode attachments = email.path("attachments");
        assertThat(attachments).hasSize(2);
        assertThat(attachments.get(0).path("saved").asBoolean()).isTrue();
        assertThat(attachments.get(0).path("driveItemId").asText()).isEqualTo(savedPhoto.path("id").asText());
        assertThat(attachments.get(0).path("webUrl").asText()).isEqualTo(savedPhoto.path("webUrl").asText());
        assertThat(attachments.get(1).path("driveItemId").asText()).isEqualTo(savedScan.path("id").asText());

        // Small from contentBytes, large streamed from $value (then an upload session at OneDrive).
        String photoId = mail().attachmentIds(id).get(0);
        String scanId = mail().attachmentIds(id).get(1);
        assertThat(MICROSOFT.calls()).anySatisfy(c -> assertThat(c.path()).isEqualTo("/me/messages/" + id + "/attachments/"
                + photoId));
        assertThat(MICROSOFT.calls()).noneSatisfy(c -> assertThat(c.path()).isEqualTo("/me/messages/" + id + "/attachments/"
                + scanId));
        assertThat(MICROSOFT.calls()).anySatisfy(c -> assertThat(c.path()).isEqualTo("/me/messages/" + id + "/attachments/"
                + scanId + "/$value"));
        assertThat(MICROSOFT.calls()).anySatisfy(c -> assertThat(c.path()).endsWith(":/createUploadSession"));

        // Read in Outlook: delta returns the message again; nothing is uploaded twice.
        int runs = hub.get(t.connectionPath() + "/syncs", t.key()).json().size();
        MICROSOFT.graph().clearCalls();
        mail().markRead(id);
        notifyHub(t, "inbox", "updated", id);
        await().atMost(WAIT).until(() -> hub.get(t.connectionPath() + "/syncs", t.key()).json().size() > runs
                && firstSyncDone(t));
        assertThat(MICROSOFT.calls()).noneSatisfy(c -> assertThat(c.method()).isEqualTo("PUT"));
        assertThat(drive.childNames(drive.itemAt(root + "/" + job + "/Emails").orElseThrow().path("id").asText()))
                .containsExactlyInAnyOrder("roof-north.jpg", "survey scan.pdf");
    }

    @Test
    void shouldLinkEmailsByAKnownAddressAndByTheirConversation() {
        String siteJob = job();
        String quoteJob = job();
        Tenant t = connectOutlook("{\"mail\":{\"jobAddresses\":{\"Site.Manager@client.example\":\"" + siteJob + "\"}}}");

        String fromSite = mail().put("inbox", Incoming.of("site.manager@client.example", "Delivery tomorrow", "<p>8am</p>"));
        String quote = mail().put("inbox", Incoming.of("buyer@client.example", "Quote [" + quoteJob + "]", "<p>please</p>"));
        notifyHub(t, "inbox", "created", quote);
        assertThat(awaitEmail(t, fromSite, r -> true).path("data").path("jobRef").asText()).isEqualTo(siteJob);
        assertThat(awaitEmail(t, fromSite, r -> true).path("data").path("jobRule").asText()).isEqualTo("address");
        String conversation = awaitEmail(t, quote, r -> true).path("data").path("conversationId").asText();

        String reply = mail().put("inbox", Incoming.of("buyer@client.example", "RE: Quote", "<p>and one more thing</p>")
                .inConversation(conversation));
        notifyHub(t, "inbox", "created", reply);
        JsonNode replied = awaitEmail(t, reply, r -> true).path("data");
        assertThat(replied.path("jobRef").asText()).isEqualTo(quoteJob);
        assertThat(replied.path("jobRule").asText()).isEqualTo("conversation");
    }

    @Test
    void shouldSendMailOncePerIdempotencyKeyAndCaptureTheSentMessageToTheJob() throws Exception {
        Tenant t = connectOutlook("{}");
        String job = job();
        String request = MAPPER.createObjectNode()
                .put("subject", "Your quote")
                .put("jobRef", job)
                .<ObjectNode>set("to", MAPPER.createArrayNode().add("customer@client.example"))
                .<ObjectNode>set("cc", MAPPER.createArrayNode().add(MAPPER.createObjectNode().put("address",
                        "office@builders.example").put("name", "Office")))
                .<ObjectNode>set("body", MAPPER.createObjectNode().put("contentType", "html").put("content",
                        "<p>Please find the quote attached.</p>"))
                .<ObjectNode>set("attachments", MAPPER.createArrayNode().add(MAPPER.createObjectNode()
                        .put("name", "quote-7.pdf").put("contentType", "application/pdf")
                        .put("contentBytes", Base64.getEncoder().encodeToString("%PDF-1.4 quote".getBytes(StandardCharsets.UTF_8)))))
                .toString();
        MICROSOFT.graph().clearCalls();
        String key = "send-" + UUID.randomUUID();
        HubClient.Response first = hub.send(hub.request(t.connectionPath() + "/actions/send-mail", t.key())
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(request)).build());
        HubClient.Response second = hub.send(hub.request(t.connectionPath() + "/actions/send-mail", t.key())
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(request)).build());
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json()).isEqualTo(first.json());
        String sendId = first.json().path("externalId").asText();
        assertThat(sendId).isNotBlank();
        assertThat(MICROSOFT.calls().stream().filter(c -> c.method().equals("POST") && c.path().equals("/me/sendMail")))
                .singleElement().satisfies(c -> assertThat(c.status()).isEqualTo(202));

        List<ObjectNode> sent = mail().messages("sentitems");
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).path("toRecipients").get(0).path("emailAddress").path("address").asText())
                .isEqualTo("customer@client.example");
        String sentId = sent.get(0).path("id").asText();
        assertThat(mail().extendedProperties(sentId)).containsKey(OutlookSendMail.HUB_PROPERTY);

        notifyHub(t, "sentitems", "created", sentId);
        JsonNode captured = awaitEmail(t, sentId, r -> true).path("data");
        assertThat(captured.path("jobRef").asText()).isEqualTo(job);
        assertThat(captured.path("jobRule").asText()).isEqualTo("sent");
        assertThat(captured.path("sendId").asText()).isEqualTo(sendId);
        assertThat(captured.path("folder").asText()).isEqualTo("sentitems");
        assertThat(captured.path("attachments").get(0).path("name").asText()).isEqualTo("quote-7.pdf");

        // The customer's answer has no job reference; its conversation makes it the job's too.
        String answer = mail().put("inbox", Incoming.of("customer@client.example", "RE: Your quote", "<p>Accepted</p>")
                .inConversation(captured.path("conversationId").asText()));
        notifyHub(t, "inbox", "created", answer);
        assertThat(awaitEmail(t, answer, r -> true).path("data").path("jobRef").asText()).isEqualTo(job);
    }

    @Test
    void shouldRefuseASendMailThatIsMalformedOrImpossible() {
        Tenant t = connectOutlook("{}");
        MICROSOFT.graph().clearCalls();
        HubClient.Response missing = action(t, "send-mail", "{\"subject\":\"hi\",\"body\":\"text\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(missing.json().path("errors").toString()).contains("/to");

        HubClient.Response badBase64 = action(t, "send-mail", "{\"to\":[\"a@client.example\"],\"subject\":\"hi\","
                + "\"body\":\"x\",\"attachments\":[{\"name\":\"a.txt\",\"contentBytes\":\"***not base64***\"}]}");
        assertThat(badBase64.status()).isEqualTo(400);
        assertThat(badBase64.json().path("errors").toString()).contains("/attachments/0/contentBytes");

        HubClient.Response badAddress = action(t, "send-mail", "{\"to\":[\"not-an-address\"],\"subject\":\"hi\",\"body\":"
                + "{\"contentType\":\"text\",\"content\":\"x\"}}");
        assertThat(badAddress.status()).isEqualTo(422);
        assertThat(badAddress.json().path("errors").toString()).contains("/to/0");

        String big = Base64.getEncoder().encodeToString(new byte[3 * 1024 * 1024 + 1]);
        HubClient.Response tooBig = action(t, "send-mail", "{\"to\":[\"a@client.example\"],\"subject\":\"hi\",\"body\":\"x\","
                + "\"attachments\":[{\"name\":\"big.bin\",\"contentBytes\":\"" + big + "\"}]}");
        assertThat(tooBig.status()).isEqualTo(422);

        assertThat(MICROSOFT.calls()).noneSatisfy(c -> assertThat(c.path()).isEqualTo("/me/sendMail"));
    }

    @Test
    void shouldFindEmailsBySubjectWordSenderAndAttachmentNameOnlyWithinTheTenant() {
        Tenant other = connectOutlook("{}");
        Tenant t = connectOutlook("{}");
        String inspection = mail().put("inbox", new Incoming("carla@builders.example", "Carla Builder", List.of(GraphMailSim.ME),
                List.of(), "Roof inspection booked", "<p>Thursday morning</p>", null, List.of(), java.util.Map.of()));
        String invoice = mail().put("inbox", Incoming.of("accounts@supplier.example", "Invoice 2291", "<p>Payment due</p>")
                .withAttachments(AttachmentSpec.of("floorplan-level2.pdf", "application/pdf", new byte[] {1, 2, 3})));
        notifyHub(t, "inbox", "created", invoice);
        awaitEmail(t, inspection, r -> true);
        awaitEmail(t, invoice, r -> true);

        assertThat(search(t, "inspection")).containsExactly(inspection);
        assertThat(search(t, "inspections")).as("stemmed").containsExactly(inspection);
        assertThat(search(t, "carla@builders.example")).containsExactly(inspection);
        assertThat(search(t, "Carla")).containsExactly(inspection);
        assertThat(search(t, "floorplan")).containsExactly(invoice);
        assertThat(search(t, "floorplan-level2.pdf")).containsExactly(invoice);
        assertThat(search(t, "payment")).containsExactly(invoice);
        assertThat(search(t, "zeppelin")).isEmpty();

        // The other tenant's connection reads the same mailbox but was never told of these mails.
        assertThat(search(other, "inspection")).isEmpty();
        assertThat(hub.get(t.connectionPath() + "/records/email?q=inspection", other.key()).status()).isEqualTo(404);

        HubClient.Response wrongModel = hub.get(t.connectionPath() + "/records/file?q=inspection", t.key());
        assertThat(wrongModel.status()).isEqualTo(400);
        assertThat(wrongModel.json().path("errors").get(0).path("field").asText()).isEqualTo("q");
    }

    @Test
    void shouldMarkTheRecordOfADeletedMessageDeleted() {
        Tenant t = connectOutlook("{}");
        String id = mail().put("inbox", Incoming.of("someone@client.example", "To be deleted", "<p>x</p>"));
        notifyHub(t, "inbox", "created", id);
        awaitEmail(t, id, r -> !r.path("deleted").asBoolean());

        mail().delete(id);
        notifyHub(t, "inbox", "deleted", id);
        awaitEmail(t, id, r -> r.path("deleted").asBoolean());
        assertThat(search(t, "deleted")).isEmpty();
    }

    @Test
    void shouldWaitOutA429DuringDeltaAndCaptureAfterwards() {
        Tenant t = connectOutlook("{}");
        String id = mail().put("inbox", Incoming.of("someone@client.example", "Throttled but captured", "<p>x</p>"));
        MICROSOFT.graph().clearCalls();
        MICROSOFT.graph().failNext("GET", "/me/mailFolders/inbox/messages/delta", 1, Reply.throttled(1));
        notifyHub(t, "inbox", "created", id);
        awaitEmail(t, id, r -> true);
        List<Integer> statuses = MICROSOFT.calls().stream().filter(c -> c.path().equals("/me/mailFolders/inbox/messages/delta"))
                .map(GraphSimulator.Call::status).toList();
        assertThat(statuses.subList(0, 2)).containsExactly(429, 200);
    }

    @Test
    void shouldReadAFolderAfreshWhenItsDeltaTokenExpired() {
        Tenant t = connectOutlook("{}");
        String id = mail().put("inbox", Incoming.of("someone@client.example", "After the token expired", "<p>x</p>"));
        mail().expireDeltaTokens();
        MICROSOFT.graph().clearCalls();
        notifyHub(t, "inbox", "created", id);
        awaitEmail(t, id, r -> true);
        List<GraphSimulator.Call> delta = MICROSOFT.calls().stream()
                .filter(c -> c.path().equals("/me/mailFolders/inbox/messages/delta")).toList();
        assertThat(delta.get(0).status()).isEqualTo(410);
        assertThat(delta.get(1).rawQuery()).startsWith("$select=").contains("receivedDateTime%20ge");
        JsonNode runs = hub.get(t.connectionPath() + "/syncs", t.key()).json();
        assertThat(runs.get(0).path("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void shouldCaptureAConfiguredFolderToo() {
        String projects = mail().addFolder("Projects");
        String job = job();
        Tenant t = connectOutlook("{\"mail\":{\"folders\":[\"" + projects + "\"]}}");
        await().atMost(WAIT).until(() -> activeSubscriptions(t).size() == 3);
        String id = mail().put(projects, Incoming.of("pm@client.example", "Schedule [" + job + "]", "<p>x</p>"));
        notifyHub(t, projects, "created", id);
        JsonNode email = awaitEmail(t, id, r -> true).path("data");
        assertThat(email.path("folder").asText()).isEqualTo(projects);
        assertThat(email.path("jobRef").asText()).isEqualTo(job);
    }

    @Test
    void shouldRefuseCaptureRulesThatCannotWork() {
        String key = newTenantKey();
        HubClient.Response noGroup = hub.post("/api/v1/connections", key,
                "{\"provider\":\"outlook\",\"config\":{\"mail\":{\"jobPattern\":\"JOB-\\\\d+\"}}}");
        assertThat(noGroup.status()).isEqualTo(422);
        assertThat(noGroup.json().path("errors").get(0).path("field").asText()).isEqualTo("/config/mail/jobPattern");

        Tenant t = connectOutlook("{}");
        HubClient.Response bad = hub.patch(t.connectionPath(), t.key(), "{\"config\":{\"mail\":{\"jobPattern\":\"([\","
                + "\"jobAddresses\":{\"nobody\":\"JOB-1\"},\"folders\":[\"in box/..\"]}}}");
        assertThat(bad.status()).as(bad.body()).isEqualTo(422);
        assertThat(bad.json().path("errors").toString()).contains("/config/mail/jobPattern", "/config/mail/jobAddresses/nobody",
                "/config/mail/folders/0");
        HubClient.Response unknown = hub.patch(t.connectionPath(), t.key(), "{\"config\":{\"mail\":{\"bcc\":true}}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("errors").get(0).path("field").asText()).isEqualTo("/config/mail/bcc");

        HubClient.Response custom = hub.patch(t.connectionPath(), t.key(),
                "{\"config\":{\"mail\":{\"jobPattern\":\"#(\\\\d{4})\\\\b\"}}}");
        assertThat(custom.status()).isEqualTo(200);
        String id = mail().put("inbox", Incoming.of("someone@client.example", "Job #4321 progress", "<p>x</p>"));
        notifyHub(t, "inbox", "created", id);
        assertThat(awaitEmail(t, id, r -> true).path("data").path("jobRef").asText()).isEqualTo("4321");
    }

    @Test
    void shouldCaptureWithATenantPatternThatWouldBacktrackForeverAndRefuseUnsupportedSyntax() {
        String key = newTenantKey();
        HubClient.Response lookahead = hub.post("/api/v1/connections", key,
                "{\"provider\":\"outlook\",\"config\":{\"mail\":{\"jobPattern\":\"(JOB-\\\\d+)(?=\\\\])\"}}}");
        assertThat(lookahead.status()).as(lookahead.body()).isEqualTo(422);
        assertThat(lookahead.json().path("errors").get(0).path("field").asText()).isEqualTo("/config/mail/jobPattern");

        // Exponential for a backtracking engine (see OutlookMailRulesTest): the worker must not hang on it.
        Tenant t = connectOutlook("{\"mail\":{\"jobPattern\":\"" + OutlookMailRulesTest.CATASTROPHIC.replace("\\", "\\\\")
                + "\"}}");
        String evil = mail().put("inbox", Incoming.of("someone@client.example", "a".repeat(60) + "!", "<p>x</p>"));
        notifyHub(t, "inbox", "created", evil);
        assertThat(awaitEmail(t, evil, r -> true).path("data").path("jobRef").isNull()).isTrue();
        String job = mail().put("inbox", Incoming.of("someone@client.example", "aaaa", "<p>x</p>"));
        notifyHub(t, "inbox", "created", job);
        assertThat(awaitEmail(t, job, r -> true).path("data").path("jobRef").asText()).isEqualTo("aaaa");
    }

    @Test
    void simulatorShouldAnswerSendMailAsGraphDocumentsIt() {
        Tenant t = connect("outlook");
        GraphClient.Session session = graphClient.session("outlook", t.id(), t.connectionId());
        ObjectNode bad = MAPPER.createObjectNode();
        ObjectNode message = bad.putObject("message").put("subject", "x");
        message.putArray("toRecipients").addObject().putObject("emailAddress").put("address", "a@client.example");
        ArrayNode attachments = message.putArray("attachments");
        attachments.addObject().put("@odata.type", "#microsoft.graph.fileAttachment").put("name", "a.txt")
                .put("contentBytes", "%%%");
        GraphClient.Reply refused = session.send(GraphClient.Request.of("POST", session.url("/me/sendMail")).json(bad),
                status -> status == 400);
        assertThat(refused.errorCode()).isEqualTo("ErrorMimeContentInvalidBase64String");

        GraphClient.Reply mimeRefused = session.send(GraphClient.Request.of("POST", session.url("/me/sendMail"))
                .bytes("not*base64!".getBytes(StandardCharsets.US_ASCII), "text/plain"), status -> status == 400);
        assertThat(mimeRefused.errorCode()).isEqualTo("ErrorMimeContentInvalidBase64String");

        String mime = Base64.getEncoder().encodeToString(("To: <" + GraphMailSim.ME + ">\r\nSubject: note to self\r\n\r\n"
                + "remember the ladder").getBytes(StandardCharsets.UTF_8));
        GraphClient.Reply accepted = session.send(GraphClient.Request.of("POST", session.url("/me/sendMail"))
                .bytes(mime.getBytes(StandardCharsets.US_ASCII), "text/plain"));
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.body()).isEmpty();
        assertThat(mail().messages("sentitems")).singleElement().satisfies(m -> assertThat(m.path("subject").asText())
                .isEqualTo("note to self"));
        assertThat(mail().messages("inbox")).singleElement().satisfies(m -> assertThat(m.path("bodyPreview").asText())
                .isEqualTo("remember the ladder"));
    }

    @Autowired
    GraphClient graphClient;
}
