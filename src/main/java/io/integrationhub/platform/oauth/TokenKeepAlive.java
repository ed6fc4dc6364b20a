package io.integrationhub.platform.oauth;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionStatus;

/**
 * Refreshes refresh tokens that would otherwise die unused (Xero 60 days, Microsoft 90 days idle) once
 * they come within {@code hub.oauth.keep-alive-lead} of their horizon. Run by the route {@code oauth.keep-alive}.
 * Safe on several instances: each refresh re-checks the horizon under the row lock.
 */
@Component("tokenKeepAlive")
public class TokenKeepAlive {

    private static final Logger LOG = LoggerFactory.getLogger(TokenKeepAlive.class);

    private final NamedParameterJdbcTemplate jdbc;
    private final ConnectionRepository connections;
    private final ProviderCatalog catalog;
    private final TokenManager tokens;
    private final OAuthProperties properties;

    public TokenKeepAlive(NamedParameterJdbcTemplate jdbc, ConnectionRepository connections, ProviderCatalog catalog,
            TokenManager tokens, OAuthProperties properties) {
        this.jdbc = jdbc;
        this.connections = connections;
        this.catalog = catalog;
        this.tokens = tokens;
        this.properties = properties;
    }

    private record Due(UUID tenantId, UUID connectionId) {
    }

    /** Returns how many connections were refreshed. */
    public int run() {
        Instant until = Instant.now().plus(properties.getKeepAliveLead());
        // Cross-tenant by nature (a platform job): reads ids only; each refresh then runs in its tenant's scope.
        List<Due> due = jdbc.query("SELECT tenant_id, connection_id FROM credentials WHERE refresh_token_ct IS NOT NULL "
                + "AND refresh_expires_at IS NOT NULL AND refresh_expires_at < :until",
                Map.of("until", Timestamp.from(until)),
                (rs, i) -> new Due(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)));
        int refreshed = 0;
        for (Due d : due) {
            Connection connection = connections.find(d.tenantId(), d.connectionId()).orElse(null);
            if (connection == null || connection.status() != ConnectionStatus.ACTIVE) {
                continue;
            }
            String settingsKey = catalog.find(connection.provider()).map(p -> p.settingsKey()).orElse("");
            if (properties.getRefreshTokenAbsoluteLifetime().containsKey(settingsKey)) {
                continue; // refreshing cannot extend a fixed lifetime
            }
            try {
                tokens.refresh(d.tenantId(), connection, c -> c.refreshExpiresAt() != null && c.refreshExpiresAt().isBefore(until));
                refreshed++;
            } catch (RuntimeException e) {
                LOG.warn("Keep-alive refresh of connection {} ({}) failed: {}", connection.id(), connection.provider(),
                        e.getMessage());
            }
        }
        return refreshed;
    }
}
