package io.integrationhub.platform.connections;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.events.EventPublisher;
import io.integrationhub.platform.events.HubTopics;

/** Connection use cases behind the REST API, always for one tenant. */
@Service
public class ConnectionService {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionService.class);

    private final ConnectionRepository repository;
    private final ProviderCatalog catalog;
    private final ConnectionConfigValidator validator;
    private final EventPublisher events;
    private final ObjectProvider<ConnectionLifecycleListener> listeners;
    private final ObjectMapper mapper;
    private final ApplicationEventPublisher applicationEvents;
    private final TransactionTemplate tx;
    private final ObjectProvider<ConnectionAccountChoice> accountChoice;

    public ConnectionService(ConnectionRepository repository, ProviderCatalog catalog, ConnectionConfigValidator validator,
            EventPublisher events, ObjectProvider<ConnectionLifecycleListener> listeners, ObjectMapper mapper,
            ApplicationEventPublisher applicationEvents, TransactionTemplate tx,
            ObjectProvider<ConnectionAccountChoice> accountChoice) {
        this.tx = tx;
        this.accountChoice = accountChoice;
        this.repository = repository;
        this.catalog = catalog;
        this.validator = validator;
        this.events = events;
        this.listeners = listeners;
        this.mapper = mapper;
        this.applicationEvents = applicationEvents;
    }

    public List<Connection> list(UUID tenantId, String provider, String status, String endUserId) {
        return repository.list(tenantId, provider, status, endUserId);
    }

    /** The tenant's connection, or 404 — also for another tenant's id, which must look exactly like a missing one. */
    public Connection get(UUID tenantId, UUID id) {
        return repository.find(tenantId, id).orElseThrow(() -> ProblemException.notFound("Connection " + id));
    }

    public ProviderDefinition provider(String key) {
        return catalog.find(key).orElseThrow(() -> ProblemException.unprocessable(
                "Unknown provider '" + key + "'.", new FieldError("/provider", "must be one of the catalog keys: "
                        + String.join(", ", catalog.all().stream().map(ProviderDefinition::key).toList()))));
    }

    /**
     * Applies {@code name} and a JSON merge patch (RFC 7386) of {@code config}. Where the config chooses one of the
     * grant's organisations ({@link ConnectionAccountChoice}, Xero's {@code tenantId}), the chosen one must be among
     * them (else 422, nothing saved) and becomes the connection's account.
     */
    public Connection patch(UUID tenantId, UUID id, JsonNode body) {
        Connection current = get(tenantId, id);
        String name = current.name();
        JsonNode nameNode = body.get("name");
        if (nameNode != null && !nameNode.isNull()) {
            name = nameNode.asText().trim();
            if (name.isEmpty() || name.length() > 200) {
                throw ProblemException.unprocessable("name must be 1 to 200 characters",
                        new FieldError("/name", "must be 1 to 200 characters"));
            }
        }
        ObjectNode config = current.config().deepCopy();
        JsonNode patch = body.get("config");
        if (patch != null && !patch.isNull()) {
            mergePatch(config, (ObjectNode) patch);
        }
        validator.validate(catalog.find(current.provider()).orElseThrow(), config);
        ConnectionAccountChoice choice = choosesAccount(current, config) ? accountChoice.getIfAvailable() : null;
        Connection.Account account = choice == null ? null : choice.chosen(tenantId, current, config).orElse(null);
        repository.updateNameAndConfig(tenantId, id, name, config);
        if (account != null && (current.account() == null || !account.id().equals(current.account().id()))) {
            repository.updateAccount(tenantId, id, account, current.scopes());
            LOG.info("Connection {} now works on {} account {}", id, current.provider(), account.id());
        }
        applicationEvents.publishEvent(new ConnectionChangedEvent(tenantId, id));
        return get(tenantId, id);
    }

    /** True when the patch changes a config field that picks the connection's organisation (catalog {@code choosesAccount}). */
    private boolean choosesAccount(Connection current, ObjectNode config) {
        return accountFields(current.provider())
                .anyMatch(f -> !java.util.Objects.equals(config.get(f), current.config().get(f)));
    }

    /** The config fields of a provider that pick the grant's organisation (catalog {@code choosesAccount}). */
    private java.util.stream.Stream<String> accountFields(String provider) {
        return catalog.family(provider).stream().flatMap(family -> family.config().values().stream())
                .filter(io.integrationhub.platform.catalog.FamilySpec.ConfigField::choosesAccount)
                .map(io.integrationhub.platform.catalog.FamilySpec.ConfigField::name);
    }

    /**
     * After a consent: the identity names the grant's first organisation as the account; where the config chose
     * another one ({@link ConnectionAccountChoice}) that the new grant still reaches, that one stays the account.
     * Best effort: a choice the new grant does not reach, or a listing that fails, leaves the identity's account.
     */
    public void keepChosenAccount(UUID tenantId, UUID id) {
        Connection connection = get(tenantId, id);
        boolean chosen = connection.config() != null
                && accountFields(connection.provider()).anyMatch(f -> connection.config().hasNonNull(f));
        ConnectionAccountChoice choice = chosen ? accountChoice.getIfAvailable() : null;
        if (choice == null) {
            return;
        }
        try {
            choice.chosen(tenantId, connection, connection.config())
                    .filter(a -> connection.account() == null || !a.id().equals(connection.account().id()))
                    .ifPresent(a -> repository.updateAccount(tenantId, id, a, connection.scopes()));
        } catch (RuntimeException e) {
            LOG.warn("Connection {} keeps the account its consent named: its chosen organisation was not confirmed ({})",
                    id, e.getClass().getSimpleName());
        }
    }

    static void mergePatch(ObjectNode target, ObjectNode patch) {
        patch.fields().forEachRemaining(e -> {
            JsonNode value = e.getValue();
            if (value.isNull()) {
                target.remove(e.getKey());
            } else if (value.isObject() && target.get(e.getKey()) instanceof ObjectNode existing) {
                mergePatch(existing, (ObjectNode) value);
            } else {
                target.set(e.getKey(), value.deepCopy());
            }
        });
    }

    /**
     * Disconnects: every lifecycle listener releases what it holds (revocation, credentials, schedules,
     * subscriptions); the connection row and its synced records stay, with status {@code disconnected}.
     */
    public Connection disconnect(UUID tenantId, UUID id) {
        Connection connection = get(tenantId, id);
        if (connection.status() == ConnectionStatus.DISCONNECTED) {
            return connection;
        }
        List<String> problems = new ArrayList<>();
        listeners.orderedStream().forEach(listener -> {
            try {
                String problem = listener.onDisconnect(tenantId, connection);
                if (problem != null) {
                    problems.add(problem);
                }
            } catch (RuntimeException e) {
                LOG.warn("Disconnect step {} failed for connection {}: {}", listener.getClass().getSimpleName(),
                        connection.id(), e.getClass().getSimpleName());
                problems.add(listener.getClass().getSimpleName() + " failed");
            }
        });
        changeStatus(tenantId, connection, ConnectionStatus.DISCONNECTED,
                problems.isEmpty() ? null : String.join("; ", problems));
        return get(tenantId, id);
    }

    /**
     * Changes status, stores the reason, and tells host applications on {@code hub.connections} (the status
     * and its event commit together, through the outbox).
     */
    public void changeStatus(UUID tenantId, Connection connection, ConnectionStatus status, String reason) {
        tx.executeWithoutResult(s -> updateStatusAndAnnounce(tenantId, connection, status, reason));
        if (connection.status() != status) {
            applicationEvents.publishEvent(new ConnectionChangedEvent(tenantId, connection.id()));
        }
    }

    private void updateStatusAndAnnounce(UUID tenantId, Connection connection, ConnectionStatus status, String reason) {
        repository.updateStatus(tenantId, connection.id(), status, reason);
        if (connection.status() != status) {
            Map<String, Object> data = new java.util.LinkedHashMap<>();
            data.put("connectionId", connection.id().toString());
            data.put("provider", connection.provider());
            data.put("previousStatus", connection.status().wire());
            data.put("status", status.wire());
            if (reason != null) {
                data.put("reason", reason);
            }
            events.publish(HubTopics.CONNECTIONS, connection.id().toString(), "connection.status_changed",
                    "connections/" + connection.id(), tenantId, data);
        }
    }

    public ObjectNode emptyConfig() {
        return mapper.createObjectNode();
    }
}
