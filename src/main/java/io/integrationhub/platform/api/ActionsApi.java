package io.integrationhub.platform.api;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.sync.ActionService;
import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;

/** REST operations for actions (push) and conflicts (route beans named by operationId). */
@Component("actionsApi")
public class ActionsApi {

    private final ApiExchange api;
    private final ActionService actions;

    public ActionsApi(ApiExchange api, ActionService actions) {
        this.api = api;
        this.actions = actions;
    }

    public void runAction(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID connectionId = api.uuidParam(exchange, "id");
        String action = exchange.getMessage().getHeader("action", String.class);
        String key = exchange.getMessage().getHeader("Idempotency-Key", String.class);
        if (key != null && (key.isBlank() || key.length() > 255)) {
            throw ProblemException.badRequest("Idempotency-Key must be 1 to 255 characters",
                    new FieldError("Idempotency-Key", "1 to 255 characters"));
        }
        ActionService.Outcome outcome = actions.run(tenant, connectionId, action, api.body(exchange), key);
        api.respond(exchange, outcome.status(), outcome.body());
        if (outcome.status() >= 400) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, Problem.MEDIA_TYPE);
        }
    }

    public void listConflicts(Exchange exchange) {
        api.respond(exchange, 200, actions.conflicts(api.tenant(exchange), api.uuidParam(exchange, "id"),
                api.queryParam(exchange, "status")));
    }

    public void resolveConflict(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        api.respond(exchange, 200, actions.resolve(tenant, api.uuidParam(exchange, "id"),
                api.uuidParam(exchange, "conflictId"), api.body(exchange).path("resolution").asText()));
    }
}
