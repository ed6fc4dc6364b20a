package io.integrationhub.platform.oauth;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionRepository;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.oauth.OAuthHttp.Response;
import io.integrationhub.platform.oauth.TokenEndpoint.Tokens;
import io.integrationhub.platform.config.HubProperties.ProviderSettings;
import io.integrationhub.platform.tenancy.TenantAuthFilter;
import io.integrationhub.platform.vault.CredentialStore;
import io.integrationhub.platform.vault.Credentials;

/**
 * Hands any route a valid bearer token for a connection.
 * <ul>
 * <li>Refreshes {@code hub.oauth.refresh-skew} before expiry, and once after a provider 401.</li>
 * <li>Single flight: callers on one instance share one refresh per connection (waiting in memory, holding no
 * database connection); across instances a lease on the credentials row (taken and released in short
 * {@code SELECT ... FOR UPDATE} transactions) lets one instance call the token endpoint while the others poll for
 * its result. The new tokens (a rotated refresh token included) are committed before any caller gets the access
 * token. No row lock or pooled connection is held while the token endpoint is called, so a slow endpoint cannot
 * drain the pool; the whole refresh is bounded by {@code hub.oauth.refresh-deadline}.</li>
 * <li>{@code invalid_grant}: the connection becomes {@code reauth_required} (event on hub.connections), and every
 * caller waiting on that refresh fails fast: the provider sees one call, not a storm.</li>
 * <li>5xx, 429 or timeout: retried with exponential back-off within the deadline; the status is not touched.
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
    /** Refreshes in flight on this instance, one per connection; other callers wait on them. */
    private final Map<UUID, CompletableFuture<Credentials>> flights = new ConcurrentHashMap<>();
    private static final Duration LEASE_POLL = Duration.ofMillis(100);

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
        long skew = Math.max(properties.getRefreshSkew().toSeconds(), profiles.refreshLead(connection.provider()).toSeconds());
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
     * Refreshes when {@code stillNeeded} holds for the stored row; otherwise returns what another caller (on any
     * instance) already stored. Single flight: callers of this instance share one refresh per connection (waiting
     * in memory, without a database connection); across instances a lease on the credentials row lets one refresh
     * while the others wait for its result. The row lock is held only to decide and to store, never while the token
     * endpoint is called; the whole refresh, retries included, is bounded by {@code hub.oauth.refresh-deadline}.
     */
    public Credentials refresh(UUID tenantId, Connection connection, Predicate<Credentials> stillNeeded) {
        Instant deadline = Instant.now().plus(properties.getRefreshDeadline());
        while (true) {
            Instant cooling = coolDown.get(connection.id());
            if (cooling != null && cooling.isAfter(Instant.now())) {
                throw new ProviderUnavailableException("token endpoint failed recently; cooling down");
            }
            CompletableFuture<Credentials> mine = new CompletableFuture<>();
            CompletableFuture<Credentials> running = flights.putIfAbsent(connection.id(), mine);
            if (running == null) {
                try {
                    Credentials result = refreshLeased(tenantId, connection, stillNeeded, deadline);
                    mine.complete(result);
                    return result;
                } catch (RuntimeException | Error e) {
                    mine.completeExceptionally(e);
                    throw e;
                } finally {
                    flights.remove(connection.id(), mine);
                }
            }
            Credentials shared = awaitFlight(running, connection.id(), deadline);
            if (!stillNeeded.test(shared)) {
                return shared;
            }
            // The refresh that just ended does not satisfy this caller (it saw an even newer rejection): go again.
        }
    }

    private Credentials awaitFlight(CompletableFuture<Credentials> running, UUID connectionId, Instant deadline) {
        try {
            return running.get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new ProviderUnavailableException("token refresh failed");
        } catch (TimeoutException e) {
            throw new ProviderUnavailableException("token refresh still running after " + properties.getRefreshDeadline());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderUnavailableException("interrupted while waiting for a token refresh");
        }
    }

    private sealed interface Step permits Done, Wait, Go {
    }

    private record Done(Credentials credentials) implements Step {
    }

    private record Wait() implements Step {
    }

    private record Go(Credentials locked, Connection connection) implements Step {
    }

    /** One refresh across instances: take the row's lease (short transaction), call the endpoint, store (short). */
    private Credentials refreshLeased(UUID tenantId, Connection connection, Predicate<Credentials> stillNeeded,
            Instant deadline) {
        ProviderDefinition definition = catalog.find(connection.provider()).orElseThrow();
        ProviderProfile profile = profiles.get(definition.key());
        String owner = UUID.randomUUID().toString();
        String[] deadGrant = new String[1];
        Go go;
        while (true) {
            Step step = tx.execute(status -> {
                Credentials locked = store.lock(tenantId, connection.id())
                        .orElseThrow(() -> new ReauthRequiredException(connection.id(), "connection has no credentials"));
                Connection now = usable(tenantId, connection.id());
                if (!stillNeeded.test(locked)) {
                    return new Done(locked);
                }
                if (locked.refreshToken() == null) {
                    deadGrant[0] = "the provider gave no refresh token; authorize again";
                    connectionService.changeStatus(tenantId, now, ConnectionStatus.REAUTH_REQUIRED, deadGrant[0]);
                    return new Done(null);
                }
                if (store.lease(tenantId, connection.id()).liveAt(Instant.now())) {
                    return new Wait();
                }
                store.takeLease(tenantId, connection.id(), owner, deadline);
                return new Go(locked, now);
            });
            if (step instanceof Done done) {
                if (done.credentials() == null) {
                    LOG.warn("Connection {} ({}) needs re-authorization: {}", connection.id(), connection.provider(),
                            deadGrant[0]);
                    throw new ReauthRequiredException(connection.id(), deadGrant[0]);
                }
                return done.credentials();
            }
            if (step instanceof Go g) {
                go = g;
                break;
            }
            // Another instance is refreshing: wait for its result without holding a connection.
            if (Instant.now().isAfter(deadline)) {
                throw new ProviderUnavailableException("another instance's token refresh is still running");
            }
            sleep(LEASE_POLL);
        }
        Tokens tokens;
        try {
            tokens = withRetries(() -> renew(profile, catalog.settings(definition, go.connection().config()), go.locked()),
                    deadline);
        } catch (InvalidGrantException e) {
            deadGrant[0] = "refresh refused: " + e.getMessage();
            tx.executeWithoutResult(status -> {
                store.lock(tenantId, connection.id());
                store.releaseLease(tenantId, connection.id(), owner);
                connectionService.changeStatus(tenantId, usable(tenantId, connection.id()), ConnectionStatus.REAUTH_REQUIRED,
                        deadGrant[0]);
            });
            LOG.warn("Connection {} ({}) needs re-authorization: {}", connection.id(), connection.provider(), deadGrant[0]);
            throw new ReauthRequiredException(connection.id(), deadGrant[0]);
        } catch (RuntimeException e) {
            tx.executeWithoutResult(status -> store.releaseLease(tenantId, connection.id(), owner));
            if (e instanceof ProviderUnavailableException unavailable) {
                coolDown.put(connection.id(), Instant.now().plus(properties.getRefreshBackoff().multipliedBy(2)));
                LOG.warn("Token refresh for connection {} ({}) failed for now: {}", connection.id(), connection.provider(),
                        unavailable.getMessage());
            }
            throw e;
        }
        Credentials stored = tx.execute(status -> {
            Credentials locked = store.lock(tenantId, connection.id())
                    .orElseThrow(() -> new ReauthRequiredException(connection.id(), "connection has no credentials"));
            store.releaseLease(tenantId, connection.id(), owner);
            if (!Objects.equals(locked.refreshToken(), go.locked().refreshToken())) {
                // Our lease ran out and another refresh stored newer tokens meanwhile: keep theirs.
                return locked;
            }
            Credentials next = merge(connection.id(), definition, tokens, locked);
            store.save(tenantId, next);
            return next;
        });
        coolDown.remove(connection.id());
        return stored;
    }

    /** providerData of a connection made with the tenant's own key pair: {@code grant = client_credentials}. */
    public static final String GRANT = "grant";
    public static final String CLIENT_CREDENTIALS = "client_credentials";

    /**
     * The tenant's key pair as the vault keeps it, sealed where a refresh token would be (such a connection has
     * none): client id and secret, each Base64.
     */
    public static String keyPair(String clientId, String clientSecret) {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        return b64.encodeToString(clientId.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ":"
                + b64.encodeToString(clientSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A new access token: the refresh grant, or the client credentials grant again with the tenant's key pair. */
    private Tokens renew(ProviderProfile profile, ProviderSettings settings, Credentials locked) {
        if (!CLIENT_CREDENTIALS.equals(locked.providerData().get(GRANT))) {
            return endpoint.refresh(profile, settings, locked.refreshToken());
        }
        String[] pair = locked.refreshToken().split(":", 2);
        java.util.Base64.Decoder b64 = java.util.Base64.getDecoder();
        Tokens t = endpoint.clientCredentials(profile, settings,
                new String(b64.decode(pair[0]), java.nio.charset.StandardCharsets.UTF_8),
                new String(b64.decode(pair[1]), java.nio.charset.StandardCharsets.UTF_8));
        // The key pair stays where it is (merge keeps the previous "refresh token" when the answer has none).
        return new Tokens(t.accessToken(), null, t.tokenType(), t.expiresAt(), null, t.scopes(), t.providerData());
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderUnavailableException("interrupted while waiting for a token refresh");
        }
    }

    /** Up to {@code refresh-attempts} calls with exponential back-off, never starting one past {@code deadline}. */
    private Tokens withRetries(java.util.function.Supplier<Tokens> call, Instant deadline) {
        int attempts = Math.max(1, properties.getRefreshAttempts());
        Duration backoff = properties.getRefreshBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (ProviderUnavailableException e) {
                if (attempt >= attempts || Instant.now().plus(backoff).isAfter(deadline)) {
                    throw e;
                }
                sleep(backoff);
                backoff = backoff.multipliedBy(2);
            }
        }
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
