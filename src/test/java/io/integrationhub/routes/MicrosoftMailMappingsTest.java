package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Outlook mail mappings (routes/microsoft/mappings/message.jsonata, send-mail.jsonata) through their routes in
 * routes/microsoft/mappings.camel.yaml (send-mail.jsonata as the step of outlook.action.send-mail does), compared field by field — JSON nulls, absent fields, types — with what the
 * Java mapping they replace produced.
 */
class MicrosoftMailMappingsTest extends FamilyRoutesTestSupport {

    /** send-mail.jsonata is a step of the action route outlook.action.send-mail: applied here as that step does. */
    static final String SEND_MAIL = "jsonata:file:{{hub.routes-dir}}/microsoft/mappings/send-mail.jsonata"
            + "?contentCache=false&inputType=JsonString&outputType=JsonString";

    @Override
    protected List<String> routeFiles() {
        return List.of("microsoft/mappings.camel.yaml");
    }

    @BeforeEach
    void start() {
        context.start();
    }

    private JsonNode map(String route, String input) {
        return json(template.requestBody(route, input, String.class));
    }

    @Test
    void shouldMapAFullGraphMessageToAnEmailRecord() {
        JsonNode out = map("direct:microsoft.mail.message-to-record", """
                {"id": "AAMk1", "subject": "Roof [JOB-1]", "bodyPreview": "See", "body": {"contentType": "html", "content": "<p>x</p>"},
                 "from": {"emailAddress": {"name": "Carla", "address": "carla@builders.example"}},
                 "toRecipients": [{"emailAddress": {"name": "Me", "address": "me@hub.example"}}],
                 "ccRecipients": [{"emailAddress": {"address": "office@builders.example"}}],
                 "receivedDateTime": "2026-03-01T10:00:00Z", "sentDateTime": "2026-03-01T09:59:58Z",
                 "conversationId": "conv-1", "internetMessageId": "<m1@builders.example>", "hasAttachments": true,
                 "lastModifiedDateTime": "2026-03-01T10:00:01Z", "webLink": "https://outlook.example/m1",
                 "@hub": {"folder": "inbox", "jobRef": "JOB-1", "jobRule": "subject", "sendId": "s-1",
                          "attachments": [{"id": "att-1", "name": "roof.jpg", "size": 25, "saved": false}],
                          "bodyText": "See the photos", "bodyTruncated": true}}""");
        assertThat(out).isEqualTo(json("""
                {"externalId": "AAMk1", "remoteUpdatedAt": "2026-03-01T10:00:01Z", "deleted": false, "data": {
                  "subject": "Roof [JOB-1]",
                  "from": {"name": "Carla", "address": "carla@builders.example"},
                  "to": [{"name": "Me", "address": "me@hub.example"}],
                  "cc": [{"name": null, "address": "office@builders.example"}],
                  "receivedDateTime": "2026-03-01T10:00:00Z", "sentDateTime": "2026-03-01T09:59:58Z",
                  "bodyPreview": "See", "body": "See the photos", "bodyTruncated": true,
                  "conversationId": "conv-1", "internetMessageId": "<m1@builders.example>", "hasAttachments": true,
                  "attachments": [{"id": "att-1", "name": "roof.jpg", "size": 25, "saved": false}],
                  "jobRef": "JOB-1", "jobRule": "subject", "folder": "inbox", "sendId": "s-1",
                  "webLink": "https://outlook.example/m1"}}"""));
        assertThat(out.path("data").path("attachments").get(0).path("size").isInt()).isTrue();
        List<String> order = new java.util.ArrayList<>();
        out.path("data").fieldNames().forEachRemaining(order::add);
        assertThat(order).containsExactly("subject", "from", "to", "cc", "receivedDateTime", "sentDateTime", "bodyPreview",
                "body", "bodyTruncated", "conversationId", "internetMessageId", "hasAttachments", "attachments", "jobRef",
                "jobRule", "folder", "sendId", "webLink");
    }

    @Test
    void shouldGiveNullsWhereGraphSentNothingAndLeaveOutWhatDoesNotApply() {
        JsonNode out = map("direct:microsoft.mail.message-to-record", """
                {"id": "AAMk2", "subject": null, "toRecipients": [], "@hub": {"folder": "sentitems", "jobRef": null,
                 "sendId": null, "bodyText": ""}}""");
        assertThat(out).isEqualTo(json("""
                {"externalId": "AAMk2", "remoteUpdatedAt": null, "deleted": false, "data": {
                  "subject": "", "from": {"name": null, "address": null}, "to": [], "cc": [],
                  "receivedDateTime": null, "sentDateTime": null, "bodyPreview": "", "body": "",
                  "conversationId": null, "internetMessageId": null, "hasAttachments": false, "attachments": [],
                  "jobRef": null, "jobRule": null, "folder": "sentitems", "webLink": null}}"""));
    }

    @Test
    void shouldShapeACheckedSendMailAsGraphsSendMailRequest() {
        JsonNode out = map(SEND_MAIL, """
                {"subject": "Your quote", "jobRef": "JOB-1", "localRef": "q-7",
                 "body": {"contentType": "HTML", "content": "<p>Quote</p>"},
                 "to": [{"address": "customer@client.example"}], "cc": [{"address": "office@builders.example", "name": "Office"}],
                 "attachments": [{"name": "quote.pdf", "contentType": "application/pdf", "contentBytes": "JVBE"},
                                 {"name": "notes.bin", "contentBytes": "AQI="}],
                 "hubTag": {"id": "String {x} Name IntegrationHubSend", "value": "{\\"sendId\\":\\"s\\",\\"jobRef\\":\\"JOB-1\\"}"}}""");
        assertThat(out).isEqualTo(json("""
                {"message": {
                   "subject": "Your quote",
                   "body": {"contentType": "HTML", "content": "<p>Quote</p>"},
                   "toRecipients": [{"emailAddress": {"address": "customer@client.example"}}],
                   "ccRecipients": [{"emailAddress": {"address": "office@builders.example", "name": "Office"}}],
                   "attachments": [
                     {"@odata.type": "#microsoft.graph.fileAttachment", "name": "quote.pdf", "contentType": "application/pdf", "contentBytes": "JVBE"},
                     {"@odata.type": "#microsoft.graph.fileAttachment", "name": "notes.bin", "contentType": "application/octet-stream", "contentBytes": "AQI="}],
                   "singleValueExtendedProperties": [{"id": "String {x} Name IntegrationHubSend", "value": "{\\"sendId\\":\\"s\\",\\"jobRef\\":\\"JOB-1\\"}"}]},
                 "saveToSentItems": true}"""));

        JsonNode text = map(SEND_MAIL, """
                {"subject": "hi", "body": "plain", "to": [{"address": "a@client.example"}], "cc": [],
                 "hubTag": {"id": "p", "value": "v"}}""");
        assertThat(text.path("message").path("body")).isEqualTo(json("{\"contentType\": \"Text\", \"content\": \"plain\"}"));
        assertThat(text.path("message").path("ccRecipients")).isEqualTo(json("[]"));
        assertThat(text.path("message").path("attachments")).isEqualTo(json("[]"));
        JsonNode textObject = map(SEND_MAIL, """
                {"subject": "hi", "body": {"content": "plain"}, "to": [{"address": "a@client.example"}],
                 "hubTag": {"id": "p", "value": "v"}}""");
        assertThat(textObject.path("message").path("body").path("contentType").asText()).isEqualTo("Text");
    }
}
