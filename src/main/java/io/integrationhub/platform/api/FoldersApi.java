package io.integrationhub.platform.api;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.FolderBrowser;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;

/** {@code GET /api/v1/connections/{id}/folders}: the provider's folders, for a folder picker. */
@Component("foldersApi")
public class FoldersApi {

    private final ApiExchange api;
    private final ConnectionService connections;
    private final ObjectProvider<FolderBrowser> browsers;

    public FoldersApi(ApiExchange api, ConnectionService connections, ObjectProvider<FolderBrowser> browsers) {
        this.api = api;
        this.connections = connections;
        this.browsers = browsers;
    }

    public void listFolders(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        Connection connection = connections.get(tenant, api.uuidParam(exchange, "id"));
        FolderBrowser browser = browsers.orderedStream().filter(b -> b.provider().equals(connection.provider())).findFirst()
                .orElseThrow(() -> ProblemException.unprocessable("A " + connection.provider()
                        + " connection has no folders to browse.", new FieldError("provider", connection.provider())));
        if (connection.status() != ConnectionStatus.ACTIVE) {
            throw ProblemException.unprocessable("The connection is " + connection.status().wire() + ".",
                    new FieldError("/status", connection.status().wire()));
        }
        api.respond(exchange, 200, browser.list(tenant, connection, api.queryParam(exchange, "parentId"),
                api.queryParam(exchange, "cursor")));
    }
}
