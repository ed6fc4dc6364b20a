package io.integrationhub.platform.tenancy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;

/**
 * An end user of a tenant's host application, named by the host's own id: whose a connection is, and whom a
 * connect session acts for. The hub keeps what the host says and never checks it against anything else.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndUser(String id, String email, String displayName) {

    public static final int MAX_ID = 200;
    public static final int MAX_EMAIL = 320;
    public static final int MAX_DISPLAY_NAME = 200;
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+$");

    /**
     * The end user of a request body's {@code endUser} member (at JSON pointer {@code pointer}), or null when
     * absent; anything malformed is a 400 naming each field at fault.
     */
    public static EndUser from(JsonNode node, String pointer) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw ProblemException.badRequest("endUser must be an object with an id.",
                    new FieldError(pointer, "must be an object {id, email?, displayName?}"));
        }
        List<FieldError> errors = new ArrayList<>();
        String id = text(node, "id", pointer, MAX_ID, true, errors);
        String email = text(node, "email", pointer, MAX_EMAIL, false, errors);
        String displayName = text(node, "displayName", pointer, MAX_DISPLAY_NAME, false, errors);
        if (email != null && !EMAIL.matcher(email).matches()) {
            errors.add(new FieldError(pointer + "/email", "must be an e-mail address"));
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!List.of("id", "email", "displayName").contains(name)) {
                errors.add(new FieldError(pointer + "/" + name, "unknown member (allowed: id, email, displayName)"));
            }
        });
        if (!errors.isEmpty()) {
            throw new ProblemException(ProblemException.badRequest("endUser is not valid.").problem().withErrors(errors));
        }
        return new EndUser(id, email, displayName);
    }

    private static String text(JsonNode node, String name, String pointer, int max, boolean required, List<FieldError> errors) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(new FieldError(pointer + "/" + name, "required"));
            }
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > max) {
            errors.add(new FieldError(pointer + "/" + name, "must be a non-blank string of at most " + max + " characters"));
            return null;
        }
        return value.asText().trim();
    }
}
