package io.integrationhub.platform.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.oauth.ConnectFlow;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.tenancy.ConnectSession;
import io.integrationhub.platform.tenancy.ConnectSessions;
import io.integrationhub.platform.tenancy.EndUser;

/**
 * Connect sessions (route beans named by operationId): issued and revoked by the host with the tenant key, read
 * by the browser holding the session token.
 */
@Component("connectSessionsApi")
public class ConnectSessionsApi {

    private final ApiExchange api;
    private final ConnectSessions sessions;
    private final ProviderCatalog catalog;
    private final ConnectFlow connectFlow;
    private final HubProperties hub;

    public ConnectSessionsApi(ApiExchange api, ConnectSessions sessions, ProviderCatalog catalog, ConnectFlow connectFlow,
            HubProperties hub) {
        this.api = api;
        this.sessions = sessions;
        this.catalog = catalog;
        this.connectFlow = connectFlow;
        this.hub = hub;
    }

    /** {@code POST /connect-sessions}: {@code 201 {id, token, expiresAt, url, ...}}; the token is shown only here. */
    public void createConnectSession(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        JsonNode body = api.body(exchange);
        EndUser endUser = EndUser.from(body.get("endUser"), "/endUser");
        if (endUser == null) {
            throw ProblemException.badRequest("A connect session is for one end user: endUser {id} is required.",
                    new FieldError("/endUser", "required"));
        }
        List<String> providers = providers(body.get("providers"));
        String returnUrl = connectFlow.checkedReturnUrl(body.path("returnUrl").asText(null));
        ConnectSessions.Created created = sessions.create(tenant, endUser, providers, returnUrl);
        ConnectSession session = created.session();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", session.id());
        answer.put("token", created.token());
        answer.put("expiresAt", session.expiresAt());
        answer.put("url", base() + "/?session=" + URLEncoder.encode(created.token(), StandardCharsets.UTF_8));
        answer.put("endUser", session.endUser());
        if (session.providers() != null) {
            answer.put("providers", session.providers());
        }
        if (session.returnUrl() != null) {
            answer.put("returnUrl", session.returnUrl());
        }
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        api.respond(exchange, 201, answer);
    }

    /** {@code GET /connect-sessions/current}: the session of the token that calls (a tenant key has none: 404). */
    public void getCurrentConnectSession(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID id = api.session(exchange);
        if (id == null) {
            throw ProblemException.notFound("A connect session (this call needs a connect-session token, not the tenant key)");
        }
        api.respond(exchange, 200, sessions.find(tenant, id).orElseThrow());
    }

    /** {@code DELETE /connect-sessions/{sessionId}}: the token stops working at once. */
    public void deleteConnectSession(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID id = api.uuidParam(exchange, "sessionId");
        if (!sessions.revoke(tenant, id)) {
            throw ProblemException.notFound("Connect session " + id);
        }
        api.noContent(exchange);
    }

    private List<String> providers(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        List<String> keys = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String key = node.get(i).asText();
            if (catalog.find(key).isEmpty()) {
                errors.add(new FieldError("/providers/" + i, "not a catalog key: " + key));
            } else if (!keys.contains(key)) {
                keys.add(key);
            }
        }
        if (!errors.isEmpty() || keys.isEmpty()) {
            throw ProblemException.unprocessable("providers must name providers of the catalog (leave it out for all).",
                    errors.isEmpty() ? new FieldError[] {new FieldError("/providers", "must not be empty")}
                            : errors.toArray(FieldError[]::new));
        }
        return keys;
    }

    private String base() {
        String url = hub.getPublicUrl();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
