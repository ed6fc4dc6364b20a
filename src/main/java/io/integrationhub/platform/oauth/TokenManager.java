package io.integrationhub.platform.oauth;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.oauth.OAuthHttp.Response;
import io.integrationhub.platform.oauth.TokenEndpoint.Tokens;
import io.integrationhub.platform.tenancy.TenantAuthFilter;
import io.integrationhub.platform.vault.CredentialStore;
import io.integrationhub.platform.vault.Credentials;

/**
 * Hands any route a valid bearer token for a connection.
 * <ul>
 * <li>Refreshes {@code hub.oauth.refresh-skew} before expiry, and once after a provider 401.</li>
 * <li>Single flight across instances: a refresh runs in a transaction holding the credentials row lock
 * ({@code SELECT ... FOR UPDATE}); callers queued on the lock re-read the row and reuse the new token
 * instead of calling the provider again. The new tokens (a rotated refresh token included) are committed
 * before any caller gets the access token.</li>
 * <li>{@code invalid_grant}: the connection becomes {@code reauth_required} (event on hub.connections) inside the
 * same locked transaction, so queued callers fail fast and the provider sees one call, not a storm.</li>
 * <li>5xx, 429 or timeout: retried with exponential back-off while holding the lock; the status is not touched.
 * After the retries are spent the connection cools down briefly on this instance before the next attempt.</li>
 * </ul>
 */
@Component
public class TokenManager {

    private static final Logger LOG = LoggerFactory.getLogger(TokenManager.class);
    public static final String CONNECTION_HEADER = "HubConnectionId";

    private final CredentialStore store;
    private final TransactionTemplate tx;
    private final ConnectionRepository connections;
    private final ConnectionService connectionService;
    private final ProviderCatalog catalog;
    private final ProviderProfiles profiles;
    private final TokenEndpoint endpoint;
    private final OAuthProperties properties;
    private final Map<UUID, Instant> coolDown = new ConcurrentHashMap<>();

    public TokenManager(CredentialStore store, TransactionTemplate tx, ConnectionRepository connections,
            ConnectionService connectionService, ProviderCatalog catalog, ProviderProfiles profiles, TokenEndpoint endpoint,
            OAuthProperties properties) {
        this.store = store;
        this.tx = tx;
        this.connections = connections;
        this.connectionService = connectionService;
        this.catalog = catalog;
        this.profiles = profiles;
        this.endpoint = endpoint;
        this.properties = properties;
    }

    /** A bearer token valid for at least the configured skew (an API key connection answers its key). */
    public String accessToken(UUID tenantId, UUID connectionId) {
        Connection connection = usable(tenantId, connectionId);
        Credentials current = store.find(tenantId, connectionId)
                .orElseThrow(() -> new ReauthRequiredException(connectionId, "connection has no credentials"));
        if (current.apiKey() != null) {
            return current.apiKey();
        }
        long skew = properties.getRefreshSkew().toSeconds();
        if (current.accessValidFor(Instant.now(), skew)) {
            return current.accessToken();
        }
        return refresh(tenantId, connection, c -> !c.accessValidFor(Instant.now(), skew)).accessToken();
    }

    /**
     * Runs a provider call with a valid token; when the provider answers 401 the token is refreshed once
     * (unless another caller already did) and the call is retried once.
     */
    public Response call(UUID tenantId, UUID connectionId, Function<String, Response> providerCall) {
        String token = accessToken(tenantId, connectionId);
        Response response = providerCall.apply(token);
        if (response.status() != 401) {
            return response;
        }
        Optional<String> retried = refreshRejected(tenantId, connectionId, token);
        return retried.isPresent() ? providerCall.apply(retried.get()) : response;
    }

    /**
     * After a provider answered 401 to {@code rejected}: a fresh access token, refreshed once even when
     * several callers (on any instance) report the same rejected token. Empty when the credentials
     * cannot be refreshed (an API key, or no refresh token).
     */
    public Optional<String> refreshRejected(UUID tenantId, UUID connectionId, String rejected) {
        Connection connection = usable(tenantId, connectionId);
        Credentials current = store.find(tenantId, connectionId).orElseThrow(
                () -> new ReauthRequiredException(connectionId, "connection has no credentials"));
        if (current.apiKey() != null || current.refreshToken() == null) {
            return Optional.empty();
        }
        return Optional.of(refresh(tenantId, connection, c -> Objects.equals(c.accessToken(), rejected)
                || !c.accessValidFor(Instant.now(), properties.getRefreshSkew().toSeconds())).accessToken());
    }

    /** For routes: sets {@code Authorization: Bearer ...} from the exchange's HubTenantId and HubConnectionId headers. */
    public void authorize(Exchange exchange) {
        UUID tenant = UUID.fromString(exchange.getMessage().getHeader(TenantAuthFilter.TENANT_HEADER, String.class));
        UUID connection = UUID.fromString(exchange.getMessage().getHeader(CONNECTION_HEADER, String.class));
        exchange.getMessage().setHeader("Authorization", "Bearer " + accessToken(tenant, connection));
    }

    /**
     * Refreshes under the row lock when {@code stillNeeded} holds for the row as it is once the lock is held;
     * otherwise returns what another caller (on any instance) already stored.
     */
    public Credentials refresh(UUID tenantId, Connection connection, Predicate<Credentials> stillNeeded) {
        Instant cooling = coolDown.get(connection.id());
        if (cooling != null && cooling.isAfter(Instant.now())) {
            throw new ProviderUnavailableException("token endpoint failed recently; cooling down");
        }
        ProviderDefinition definition = catalog.find(connection.provider()).orElseThrow();
        ProviderProfile profile = profiles.get(definition.key());
        String[] deadGrant = new String[1];
        Credentials result;
        try {
            result = tx.execute(status -> {
                Credentials locked = store.lock(tenantId, connection.id())
                        .orElseThrow(() -> new ReauthRequiredException(connection.id(), "connection has no credentials"));
                Connection now = usable(tenantId, connection.id());
                if (!stillNeeded.test(locked)) {
                    return locked;
                }
                if (locked.refreshToken() == null) {
                    deadGrant[0] = "the provider gave no refresh token; authorize again";
                    connectionService.changeStatus(tenantId, now, ConnectionStatus.REAUTH_REQUIRED, deadGrant[0]);
                    return null;
                }
                Tokens tokens;
                try {
                    tokens = withRetries(() -> endpoint.refresh(profile, catalog.settings(definition), locked.refreshToken()));
                } catch (InvalidGrantException e) {
                    deadGrant[0] = "refresh refused: " + e.getMessage();
                    connectionService.changeStatus(tenantId, now, ConnectionStatus.REAUTH_REQUIRED, deadGrant[0]);
                    return null;
                }
                Credentials next = merge(connection.id(), definition, tokens, locked);
                store.save(tenantId, next);
                return next;
            });
        } catch (ProviderUnavailableException e) {
            coolDown.put(connection.id(), Instant.now().plus(properties.getRefreshBackoff().multipliedBy(2)));
            LOG.warn("Token refresh for connection {} ({}) failed for now: {}", connection.id(), connection.provider(),
                    e.getMessage());
            throw e;
        }
        if (result == null) {
            LOG.warn("Connection {} ({}) needs re-authorization: {}", connection.id(), connection.provider(), deadGrant[0]);
            throw new ReauthRequiredException(connection.id(), deadGrant[0]);
        }
        coolDown.remove(connection.id());
        return result;
    }

    private Tokens withRetries(java.util.function.Supplier<Tokens> call) {
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(Math.max(1, properties.getRefreshAttempts()))
                .intervalFunction(IntervalFunction.ofExponentialBackoff(properties.getRefreshBackoff(), 2.0))
                .retryExceptions(ProviderUnavailableException.class)
                .build();
        return Retry.of("oauth-refresh", config).executeSupplier(call);
    }

    /**
     * New credentials from a token answer: a refresh token the provider did not rotate is kept; the refresh
     * horizon comes from the answer, else from the provider's known lifetime (sliding or fixed since consent).
     */
    public Credentials merge(UUID connectionId, ProviderDefinition definition, Tokens tokens, Credentials previous) {
        Instant now = Instant.now();
        String refreshToken = tokens.refreshToken() != null ? tokens.refreshToken()
                : previous == null ? null : previous.refreshToken();
        Instant horizon = tokens.refreshExpiresAt();
        if (horizon == null && refreshToken != null) {
            Duration fixed = properties.getRefreshTokenAbsoluteLifetime().get(definition.settingsKey());
            Duration idle = properties.getRefreshTokenIdleLifetime().get(definition.settingsKey());
            if (fixed != null) {
                horizon = previous != null && previous.refreshExpiresAt() != null && tokens.refreshToken() == null
                        ? previous.refreshExpiresAt() : now.plus(fixed);
            } else if (idle != null) {
                horizon = now.plus(idle);
            } else if (previous != null && tokens.refreshToken() == null) {
                horizon = previous.refreshExpiresAt();
            }
        }
        Map<String, String> data = new HashMap<>(previous == null ? Map.of() : previous.providerData());
        data.putAll(tokens.providerData());
        return new Credentials(connectionId, tokens.accessToken(), refreshToken, null, tokens.tokenType(),
                tokens.expiresAt(), horizon, now, previous == null ? 0 : previous.version(), data);
    }

    private Connection usable(UUID tenantId, UUID connectionId) {
        Optional<Connection> found = connections.find(tenantId, connectionId);
        Connection connection = found.orElseThrow(() -> new ReauthRequiredException(connectionId, "no such connection"));
        if (connection.status() == ConnectionStatus.REAUTH_REQUIRED || connection.status() == ConnectionStatus.DISCONNECTED) {
            throw new ReauthRequiredException(connectionId, "connection is " + connection.status().wire());
        }
        return connection;
    }
}
