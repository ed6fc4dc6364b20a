package io.integrationhub.platform.connections;

import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Families whose grant reaches several organisations and whose config chooses one (Xero's {@code config.tenantId}):
 * after a config change the organisation in use becomes the connection's {@code account}, which is what webhooks are
 * matched by ({@code connections.account_id}), so events of the chosen organisation reach the connection and those of
 * the one left behind do not.
 */
public interface ConnectionAccountChoice {

    /**
     * The account a connection works on with {@code config}: empty when its family offers no choice (or the connection
     * has no grant yet); a {@link io.integrationhub.platform.problem.ProblemException} (422) when the config names an
     * organisation the grant does not reach.
     */
    Optional<Connection.Account> chosen(UUID tenantId, Connection connection, JsonNode config);
}
