package io.integrationhub.provider.microsoft.mail;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;

/**
 * The input check of action {@code send-mail {to, cc?, subject, body, attachments?, jobRef?}} of {@code outlook}, a
 * step of the action route {@code outlook.action.send-mail} (routes/microsoft/mail.camel.yaml), which shapes Graph's
 * {@code POST /me/sendMail} ({@code saveToSentItems: true}; {@code 202}, no body, providers.md §1.4) with the mapping
 * file {@code routes/microsoft/mappings/send-mail.jsonata} and sends it through the provider endpoint.
 *
 * <p>Graph answers a send with no id, so the hub stamps the message with its own single-value extended property
 * {@value #HUB_PROPERTY} = {@code {"sendId", "jobRef"}} — Microsoft's documented way to find a sent message again.
 * Unlike an internet header it stays on the copy in Sent Items, where the capture of the Sent Items folder reads it
 * ({@code $expand=singleValueExtendedProperties}) and files the message under the job like an inbound one (rule
 * {@code sent}); replies then follow through the conversation. The action's {@code externalId} is that
 * {@code sendId}, which the captured record carries too.
 *
 * <p>Input that is missing or of the wrong type is {@code 400}; well-formed but impossible input (an address that is
 * not one, attachments over {@code hub.microsoft.mail.max-send-attachment-bytes}) is {@code 422}.
 */
@Component("outlookSendMail")
public class OutlookSendMail {

    /** Named property in the hub's own property set (a GUID of its own, as Graph requires for custom properties). */
    public static final String HUB_PROPERTY = "String {4b0a4c1e-6f2d-4f7e-9d3a-1c5e8b7a2f90} Name IntegrationHubSend";
    private static final Set<String> FIELDS = Set.of("to", "cc", "subject", "body", "attachments", "jobRef", "localRef",
            "modifiedAt");
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>(),;:\"\\[\\]]{1,64}@[A-Za-z0-9.-]{1,253}\\.[A-Za-z0-9-]{1,63}");
    static final int MAX_RECIPIENTS = 100;

    private final OutlookMailProperties properties;
    private final ObjectMapper mapper;

    public OutlookSendMail(OutlookMailProperties properties, ObjectMapper mapper) {
        this.properties = properties;
        this.mapper = mapper;
    }

    /**
     * Route step: the action's {@code {data, link, config}} → the input of send-mail.jsonata: the checked fields, a
     * fresh {@code sendId}, the {@code jobRef} (null when none) and {@code hubTag}, the hub's extended property.
     */
    public String check(String action) throws java.io.IOException {
        JsonNode data = mapper.readTree(action).path("data");
        ObjectNode input = checked(data);
        String sendId = UUID.randomUUID().toString();
        String jobRef = data.path("jobRef").asText(null);
        ObjectNode tag = mapper.createObjectNode().put("sendId", sendId).put("jobRef", jobRef);
        input.put("sendId", sendId);
        input.put("jobRef", jobRef);
        input.putObject("hubTag").put("id", HUB_PROPERTY).put("value", tag.toString());
        return input.toString();
    }

    /**
     * The request checked, every problem found reported at once: the mapping's input, the action's fields with each
     * recipient as {@code {address (trimmed), name?}}. Its shape for Graph is the mapping file's.
     */
    ObjectNode checked(JsonNode data) {
        List<FieldError> malformed = new ArrayList<>();
        List<FieldError> impossible = new ArrayList<>();
        if (!data.isObject()) {
            throw ProblemException.badRequest("send-mail takes an object", new FieldError("/", "must be an object"));
        }
        for (Iterator<String> it = data.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                malformed.add(new FieldError("/" + field, "unknown field; send-mail takes to, cc, subject, body, attachments, "
                        + "jobRef"));
            }
        }
        JsonNode subject = data.get("subject");
        if (subject == null || !subject.isTextual()) {
            malformed.add(new FieldError("/subject", "required, a string"));
        } else if (subject.asText().length() > 998) {
            impossible.add(new FieldError("/subject", "at most 998 characters"));
        }
        JsonNode body = data.get("body");
        if (body == null || body.isNull()) {
            malformed.add(new FieldError("/body", "required: {contentType: html|text, content} or a text"));
        } else if (body.isTextual()) {
            // a text body
        } else if (body.isObject() && body.path("content").isTextual()) {
            String type = body.path("contentType").asText("text");
            if (!"html".equalsIgnoreCase(type) && !"text".equalsIgnoreCase(type)) {
                malformed.add(new FieldError("/body/contentType", "html or text"));
            }
        } else {
            malformed.add(new FieldError("/body", "must be {contentType: html|text, content} or a text"));
        }
        ArrayNode to = recipients(data.get("to"), "/to", true, malformed, impossible);
        ArrayNode cc = recipients(data.get("cc"), "/cc", false, malformed, impossible);
        ObjectNode checked = data.deepCopy();
        checked.set("to", to);
        checked.set("cc", cc);
        if (to.size() + cc.size() > MAX_RECIPIENTS) {
            impossible.add(new FieldError("/to", "at most " + MAX_RECIPIENTS + " recipients in to and cc together"));
        }
        JsonNode jobRef = data.get("jobRef");
        if (jobRef != null && !jobRef.isNull()) {
            if (!jobRef.isTextual()) {
                malformed.add(new FieldError("/jobRef", "must be a string"));
            } else if (jobRef.asText().isBlank() || jobRef.asText().length() > OutlookMailRules.MAX_JOB_REF) {
                impossible.add(new FieldError("/jobRef", "1 to " + OutlookMailRules.MAX_JOB_REF + " characters"));
            }
        }
        checkAttachments(data.get("attachments"), malformed, impossible);
        if (!malformed.isEmpty()) {
            malformed.addAll(impossible);
            throw ProblemException.badRequest("The send-mail request is not well-formed.", malformed.toArray(FieldError[]::new));
        }
        if (!impossible.isEmpty()) {
            throw ProblemException.unprocessable("The mail cannot be sent as requested.", impossible.toArray(FieldError[]::new));
        }
        return checked;
    }

    private ArrayNode recipients(JsonNode list, String field, boolean required, List<FieldError> malformed,
            List<FieldError> impossible) {
        ArrayNode out = mapper.createArrayNode();
        if (list == null || list.isNull()) {
            if (required) {
                malformed.add(new FieldError(field, "required: at least one address"));
            }
            return out;
        }
        if (!list.isArray() || required && list.isEmpty()) {
            malformed.add(new FieldError(field, required ? "an array of at least one address" : "an array of addresses"));
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode r = list.get(i);
            String address = r.isTextual() ? r.asText() : r.isObject() && r.path("address").isTextual()
                    ? r.get("address").asText() : null;
            if (address == null) {
                malformed.add(new FieldError(field + "/" + i, "an address, or {address, name}"));
                continue;
            }
            if (!ADDRESS.matcher(address.trim()).matches()) {
                impossible.add(new FieldError(field + "/" + i, "not an email address"));
                continue;
            }
            ObjectNode recipient = out.addObject().put("address", address.trim());
            if (r.isObject() && r.path("name").isTextual()) {
                recipient.put("name", r.get("name").asText());
            }
        }
        return out;
    }

    private void checkAttachments(JsonNode list, List<FieldError> malformed, List<FieldError> impossible) {
        if (list == null || list.isNull()) {
            return;
        }
        if (!list.isArray()) {
            malformed.add(new FieldError("/attachments", "an array of {name, contentType?, contentBytes}"));
            return;
        }
        long total = 0;
        for (int i = 0; i < list.size(); i++) {
            JsonNode a = list.get(i);
            String field = "/attachments/" + i;
            if (!a.isObject() || !a.path("name").isTextual() || a.path("name").asText().isBlank()
                    || !a.path("contentBytes").isTextual()) {
                malformed.add(new FieldError(field, "{name, contentType?, contentBytes (base64)}"));
                continue;
            }
            byte[] content;
            try {
                content = Base64.getDecoder().decode(a.get("contentBytes").asText());
            } catch (IllegalArgumentException e) {
                malformed.add(new FieldError(field + "/contentBytes", "not valid base64"));
                continue;
            }
            total += content.length;
        }
        if (total > properties.getMaxSendAttachmentBytes()) {
            impossible.add(new FieldError("/attachments", "together at most " + properties.getMaxSendAttachmentBytes()
                    + " bytes (Graph takes larger files only through an upload session)"));
        }
    }
}
