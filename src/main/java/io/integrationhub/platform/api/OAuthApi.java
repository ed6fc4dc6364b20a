package io.integrationhub.platform.api;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import org.springframework.web.util.HtmlUtils;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.oauth.ConnectFlow;
import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.vault.VaultRotation;

/** REST operations of the connect flow and the vault (route bean {@code oauthApi}), and the OAuth callback. */
@Component("oauthApi")
public class OAuthApi {

    private final ApiExchange api;
    private final ConnectFlow flow;
    private final VaultRotation rotation;

    public OAuthApi(ApiExchange api, ConnectFlow flow, VaultRotation rotation) {
        this.api = api;
        this.flow = flow;
        this.rotation = rotation;
    }

    public void reauthorizeConnection(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID id = api.uuidParam(exchange, "id");
        api.respond(exchange, 200, flow.reauthorize(tenant, id, optionalBody(exchange)));
    }

    public void checkConnection(Exchange exchange) {
        api.respond(exchange, 200, flow.check(api.tenant(exchange), api.uuidParam(exchange, "id")));
    }

    public void reencryptVault(Exchange exchange) {
        api.respond(exchange, 200, rotation.reencryptAll());
    }

    private JsonNode optionalBody(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        String text = body instanceof InputStream ? exchange.getMessage().getBody(String.class)
                : body == null ? null : exchange.getMessage().getBody(String.class);
        if (text == null || text.isBlank()) {
            return null;
        }
        exchange.getMessage().setBody(text);
        return api.body(exchange);
    }

    /**
     * The browser's return from the provider. Answers 302 to the connection's returnUrl with
     * {@code connectionId} and {@code status}, or, without a returnUrl, a small page that tells the
     * window that opened the popup and closes it. A bad state is a 400 problem document.
     */
    public void callback(Exchange exchange) {
        String provider = exchange.getMessage().getHeader("provider", String.class);
        Map<String, String> query = new LinkedHashMap<>();
        for (String name : new String[] {"code", "state", "error", "error_description"}) {
            String value = exchange.getMessage().getHeader(name, String.class);
            if (value != null) {
                query.put(name, value);
            }
        }
        ConnectFlow.Outcome outcome;
        try {
            outcome = flow.callback(provider, query);
        } catch (ProblemException e) {
            api.respond(exchange, e.problem().status(), e.problem().withInstance("/oauth/callback/" + provider));
            return;
        }
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader("Cache-Control", "no-store");
        message.setHeader("Referrer-Policy", "no-referrer");
        if (outcome.returnUrl() != null) {
            String url = outcome.returnUrl() + (outcome.returnUrl().contains("?") ? "&" : "?")
                    + "connectionId=" + outcome.connectionId() + "&status=" + outcome.status();
            message.setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
            message.setHeader("Location", url);
            message.setBody("");
            return;
        }
        String id = HtmlUtils.htmlEscape(outcome.connectionId().toString());
        String status = HtmlUtils.htmlEscape(outcome.status());
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        message.setBody(("<!doctype html><html><head><meta charset=\"utf-8\"><title>integration-hub</title></head><body>"
                + "<p>Connection " + id + ": <strong>" + status + "</strong>. You can close this window.</p>"
                + "<script>(function(){var m={type:'integration-hub.connection',connectionId:'" + id + "',status:'"
                + status + "'};if(window.opener){window.opener.postMessage(m,'*');window.close();}})();</script>"
                + "</body></html>").getBytes(StandardCharsets.UTF_8));
    }

}
