package io.integrationhub.platform.problem;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.camel.Body;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Lets a family's route end with a problem for the caller, which a YAML {@code throwException} cannot build
 * ({@link ProblemException} has no message constructor): a step {@code bean: {ref: routeProblems, method: raise}}
 * with a JSON body {@code {status, detail, errors: [{field, message}]}}, usually made by the family's mapping of the
 * provider's refusal (e.g. a Xero ValidationException → 422 naming Xero's messages). Only 4xx answers that say the
 * caller's object is at fault (400, 404, 409, 422): the provider's own failures stay the endpoint's business.
 */
@Component("routeProblems")
public class RouteProblems {

    private static final Set<Integer> STATUSES = Set.of(400, 404, 409, 422);

    private final ObjectMapper mapper;

    public RouteProblems(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public void raise(@Body String json) {
        JsonNode problem;
        try {
            problem = mapper.readTree(json == null ? "{}" : json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a route's problem is not JSON", e);
        }
        int status = problem.path("status").asInt(422);
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("a route's problem must be 400, 404, 409 or 422, not " + status);
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        problem.path("errors").forEach(e -> errors.add(new Problem.FieldError(e.path("field").asText(null),
                e.path("message").asText(null))));
        String kind = switch (status) {
            case 400 -> "bad-request";
            case 404 -> "not-found";
            case 409 -> "conflict";
            default -> "unprocessable";
        };
        String title = switch (status) {
            case 400 -> "Bad request";
            case 404 -> "Not found";
            case 409 -> "Conflict";
            default -> "Request cannot be carried out";
        };
        throw new ProblemException(Problem.of(status, kind, title, problem.path("detail").asText(title)).withErrors(errors));
    }
}
