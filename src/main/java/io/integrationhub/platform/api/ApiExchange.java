package io.integrationhub.platform.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.tenancy.TenantAuthFilter;

/** Reading requests and writing responses of REST routes, the same way for every operation. */
@Component
public class ApiExchange {

    private final ObjectMapper mapper;
    private final ApiJson json;

    public ApiExchange(ObjectMapper mapper, ApiJson json) {
        this.mapper = mapper;
        this.json = json;
    }

    /** The tenant the auth filter resolved; API routes are unreachable without one. */
    public UUID tenant(Exchange exchange) {
        String id = reserved(exchange, TenantAuthFilter.TENANT_HEADER);
        if (id == null) {
            throw new IllegalStateException("API route reached without an authenticated tenant");
        }
        return UUID.fromString(id);
    }

    /**
     * The end user a connect session acts for, or null when the caller holds the tenant API key. Every bean that
     * lists or creates connections narrows to it (the auth filter already refused everything else).
     */
    public String endUser(Exchange exchange) {
        return reserved(exchange, TenantAuthFilter.END_USER_HEADER);
    }

    /** The connect session of the call, or null when the caller holds the tenant API key. */
    public UUID session(Exchange exchange) {
        String id = reserved(exchange, TenantAuthFilter.SESSION_HEADER);
        return id == null ? null : UUID.fromString(id);
    }

    /** A header only the auth filter sets. */
    private static String reserved(Exchange exchange, String name) {
        Object raw = exchange.getMessage().getHeader(name);
        if (raw instanceof java.util.Collection<?>) {
            // Camel adds query and form parameters to the headers: the caller sent one with this reserved name.
            throw ProblemException.badRequest("'" + name + "' is reserved", new FieldError(name, "reserved name"));
        }
        return raw == null ? null : raw.toString();
    }

    public UUID uuidParam(Exchange exchange, String name) {
        String value = exchange.getMessage().getHeader(name, String.class);
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw ProblemException.badRequest("'" + name + "' must be a UUID", new FieldError(name, "must be a UUID"));
        }
    }

    public String queryParam(Exchange exchange, String name) {
        String value = exchange.getMessage().getHeader(name, String.class);
        return value == null || value.isBlank() ? null : value;
    }

    /** The {@code limit} query parameter: {@code fallback} when absent, else 1 to {@code max} or a 400. */
    public int limitParam(Exchange exchange, int fallback, int max) {
        String value = queryParam(exchange, "limit");
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.badRequest("'limit' must be 1 to " + max, new FieldError("limit", "must be 1 to " + max));
    }

    public JsonNode body(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        try {
            JsonNode node;
            if (body == null) {
                node = null;
            } else if (body instanceof InputStream in) {
                node = json.readTree(in);
            } else {
                node = json.readTree(exchange.getMessage().getBody(String.class));
            }
            if (node == null || node.isMissingNode() || !node.isObject()) {
                throw ProblemException.badRequest("The request body must be a JSON object.");
            }
            return node;
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw ProblemException.badRequest("The request body is beyond this hub's JSON limits: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProblemException.badRequest("The request body could not be read.");
        }
    }

    public void respond(Exchange exchange, int status, Object payload) {
        try {
            // Request headers (Authorization among them) would otherwise be echoed into the response.
            exchange.getMessage().removeHeaders("*");
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE,
                    payload instanceof Problem ? Problem.MEDIA_TYPE : "application/json");
            exchange.getMessage().setBody(mapper.writeValueAsString(payload));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response cannot be serialised", e);
        }
    }

    public void noContent(Exchange exchange) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        exchange.getMessage().setBody(null);
    }
}
