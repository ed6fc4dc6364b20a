package io.integrationhub.platform.oauth;

import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionLifecycleListener;
import io.integrationhub.platform.vault.CredentialStore;
import io.integrationhub.platform.vault.Credentials;

/**
 * On disconnect: revokes the grant at the provider where it has a revocation endpoint, then deletes the
 * credentials and pending authorization states whatever the provider said. Runs after the listeners that
 * still need the token (webhook subscription removal).
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
public class CredentialRevoker implements ConnectionLifecycleListener {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialRevoker.class);

    private final CredentialStore store;
    private final AuthorizationStates states;
    private final ProviderCatalog catalog;
    private final ProviderProfiles profiles;
    private final OAuthHttp http;

    public CredentialRevoker(CredentialStore store, AuthorizationStates states, ProviderCatalog catalog,
            ProviderProfiles profiles, OAuthHttp http) {
        this.store = store;
        this.states = states;
        this.catalog = catalog;
        this.profiles = profiles;
        this.http = http;
    }

    @Override
    public String onDisconnect(Connection connection) {
        throw new UnsupportedOperationException("credentials are tenant data: use onDisconnect(tenantId, connection)");
    }

    @Override
    public String onDisconnect(UUID tenantId, Connection connection) {
        String problem = null;
        Optional<Credentials> credentials = Optional.empty();
        try {
            credentials = store.find(tenantId, connection.id());
        } catch (RuntimeException e) {
            problem = "stored credentials could not be read (" + e.getClass().getSimpleName() + "); deleted without revoking";
        }
        if (credentials.isPresent() && credentials.get().apiKey() == null) {
            problem = revoke(connection, credentials.get());
        }
        store.delete(tenantId, connection.id());
        states.deleteFor(tenantId, connection.id());
        return problem;
    }

    private String revoke(Connection connection, Credentials credentials) {
        ProviderDefinition definition = catalog.find(connection.provider()).orElse(null);
        if (definition == null) {
            return null;
        }
        ProviderProfile.Revocation revocation = profiles.get(definition.key()).revocation();
        if (revocation == null) {
            return null;
        }
        String failed;
        try {
            failed = revocation.revoke(http, catalog.settings(definition, connection.config()), credentials);
        } catch (ProviderUnavailableException e) {
            failed = e.getMessage();
        }
        if (failed != null) {
            LOG.warn("Revoking connection {} at {} failed: {}; local credentials deleted anyway", connection.id(),
                    definition.key(), failed);
            return "revocation at " + definition.key() + " failed: " + failed;
        }
        return null;
    }
}
