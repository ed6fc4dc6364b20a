package io.integrationhub.platform.sync;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.resilience.ProviderHttp;
import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * Push: runs an action through the provider family's {@link PushTarget}, honouring Idempotency-Key,
 * keeping the {@code localRef ↔ externalId} link, and applying the connection's conflict policy when
 * the provider object changed since the hub last pushed it.
 */
@Service
public class ActionService {

    public static final List<String> POLICIES = List.of("last-write-wins", "prefer-local", "prefer-remote", "manual");

    private final ConnectionService connections;
    private final ProviderCatalog catalog;
    private final ObjectProvider<PushTarget> targets;
    private final ProviderHttp http;
    private final RecordStore records;
    private final TenantJdbc jdbc;
    private final ObjectMapper mapper;

    private final ObjectProvider<FamilyRoutesSpi> families;

    public ActionService(ConnectionService connections, ProviderCatalog catalog, ObjectProvider<PushTarget> targets,
            ProviderHttp http, RecordStore records, TenantJdbc jdbc, ObjectMapper mapper,
            ObjectProvider<FamilyRoutesSpi> families) {
        this.families = families;
        this.connections = connections;
        this.catalog = catalog;
        this.targets = targets;
        this.http = http;
        this.records = records;
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /** The answer of an action: HTTP status and body, as replayed for a repeated Idempotency-Key. */
    public record Outcome(int status, JsonNode body) {
    }

    public Outcome run(UUID tenantId, UUID connectionId, String action, JsonNode body, String idempotencyKey) {
        Connection connection = connections.get(tenantId, connectionId);
        ProviderDefinition provider = catalog.find(connection.provider()).orElseThrow();
        if (!provider.actions().contains(action)) {
            throw ProblemException.notFound("Action '" + action + "' of " + provider.key());
        }
        PushTarget target = targets.orderedStream().filter(t -> t.provider().equals(provider.key())
                && t.action().equals(action)).findFirst().or(() -> familyTarget(provider.key(), action)).orElseThrow(() -> ProblemException.unprocessable(
                        "This hub cannot run " + provider.key() + " " + action + " yet.",
                        new FieldError("action", "no push target installed")));
        if (connection.status() != ConnectionStatus.ACTIVE) {
            throw ProblemException.unprocessable("The connection is " + connection.status().wire() + ".",
                    new FieldError("/status", connection.status().wire()));
        }
        String requestHash = sha256(action + "\n" + canonical(body));
        if (idempotencyKey != null) {
            Optional<Outcome> replay = claimKey(tenantId, connectionId, idempotencyKey, action, requestHash);
            if (replay.isPresent()) {
                return replay.get();
            }
        }
        Outcome outcome;
        try {
            outcome = push(tenantId, connection, target, body);
        } catch (RuntimeException e) {
            if (idempotencyKey != null) {
                releaseKey(tenantId, connectionId, idempotencyKey);
            }
            throw e;
        }
        if (idempotencyKey != null) {
            completeKey(tenantId, connectionId, idempotencyKey, outcome);
        }
        return outcome;
    }

    private Optional<PushTarget> familyTarget(String provider, String action) {
        FamilyRoutesSpi routes = families.getIfAvailable();
        return routes == null ? Optional.empty() : routes.target(provider, action);
    }

    private Outcome push(UUID tenantId, Connection connection, PushTarget target, JsonNode body) {
        String localRef = body.path("localRef").asText(null);
        if (target.kind() == PushTarget.Kind.DELETE) {
            return delete(tenantId, connection, target, localRef);
        }
        JsonNode data = body.has("data") ? body.get("data") : body;
        String dataHash = records.hash(data.isObject() ? (ObjectNode) data : mapper.createObjectNode());
        Optional<Map<String, Object>> link = localRef == null ? Optional.empty() : link(tenantId, connection.id(),
                target.model(), localRef);
        PushTarget.Link existing = link.map(l -> new PushTarget.Link((String) l.get("external_id"), (String) l.get("version")))
                .orElse(null);

        if (existing != null && dataHash.equals(link.get().get("last_pushed_hash"))) {
            // Nothing changed locally since the last push: the provider object is left alone.
            return new Outcome(200, result(existing.externalId(), existing.version(), localRef, "unchanged", null));
        }
        if (existing != null && existing.externalId() != null) {
            Optional<RemoteChange> remote = remoteChangeSincePush(tenantId, connection.id(), target.model(), existing.externalId(),
                    (Timestamp) link.get().get("updated_at"));
            if (remote.isPresent()) {
                Outcome decided = conflict(tenantId, connection, target, body, data, localRef, existing,
                        remote.get().data(), remote.get().remoteUpdatedAt(), null);
                if (decided != null) {
                    return decided;
                }
            }
        }
        PushTarget.Result result;
        try {
            result = callTarget(tenantId, connection, target, data, existing);
        } catch (PushTarget.StaleVersion stale) {
            if (existing == null) {
                throw ProblemException.conflict("The provider refused to create the object: " + stale.getMessage());
            }
            // The provider refused the version the hub sent (a stale ETag): the same policy as a change seen by a sync,
            // and a winning local side is pushed once more against the version the provider has now.
            Outcome decided = conflict(tenantId, connection, target, body, data, localRef, existing, stale.remote(),
                    stale.remoteUpdatedAt(), stale.version());
            if (decided != null) {
                return decided;
            }
            try {
                result = callTarget(tenantId, connection, target, data, new PushTarget.Link(existing.externalId(),
                        stale.version()));
            } catch (PushTarget.StaleVersion again) {
                throw ProblemException.conflict("The provider object changed again while it was being pushed; push again.");
            }
        }
        // An object written whose push is not complete (the provider's answer says `retryable`, e.g. HubSpot
        // associations that failed after the write): the link is kept, but not as "pushed with this data", so the same
        // request sent again pushes it again (an update of the same object) instead of answering "unchanged".
        boolean incomplete = result.response() != null && result.response().path("retryable").asBoolean(false);
        saveLink(tenantId, connection.id(), target.model(), localRef, result, incomplete ? null : dataHash,
                target.resyncable() ? data : null);
        // A linked object that was gone at the provider may have been created again under a new id.
        boolean created = existing == null || !Objects.equals(existing.externalId(), result.externalId());
        ObjectNode answer = (ObjectNode) result(result.externalId(), result.version(), localRef,
                created ? "created" : "updated", null);
        if (result.response() != null && !result.response().isNull() && !result.response().isMissingNode()) {
            answer.set("response", result.response());
        }
        return new Outcome(200, answer);
    }

    /**
     * A conflict between the local data and the provider's {@code remote} version under the connection's policy for
     * the model: the conflict row (both versions), then the outcome when the remote side is kept or the policy is
     * manual, or null when the local side wins (the caller pushes). {@code remoteVersion}: the provider's version
     * when it refused a stale one (remembered with the link, so a later push or resolution sends it).
     */
    private Outcome conflict(UUID tenantId, Connection connection, PushTarget target, JsonNode body, JsonNode data,
            String localRef, PushTarget.Link existing, JsonNode remote, Instant remoteUpdatedAt, String remoteVersion) {
        String policy = policy(connection, target.model());
        Instant localAt = instant(body.get("modifiedAt"));
        boolean localWins = switch (policy) {
            case "prefer-local" -> true;
            case "prefer-remote", "manual" -> false;
            default -> localAt == null || remoteUpdatedAt == null || !localAt.isBefore(remoteUpdatedAt);
        };
        UUID conflictId = recordConflict(tenantId, connection.id(), target.model(), existing.externalId(), localRef,
                data, remote, policy, "manual".equals(policy) ? null : localWins ? "local" : "remote");
        if (remoteVersion != null && !localWins && localRef != null) {
            jdbc.update(tenantId, "UPDATE record_links SET version = :version WHERE tenant_id = :tenantId AND "
                    + "connection_id = :connectionId AND model = :model AND local_ref = :localRef", Map.of("version",
                            remoteVersion, "connectionId", connection.id(), "model", target.model(), "localRef", localRef));
        }
        if ("manual".equals(policy)) {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", "https://integration-hub.dev/problems/sync-conflict");
            problem.put("title", "Conflict");
            problem.put("status", 409);
            problem.put("detail", "The provider object changed since it was last pushed; resolve conflict " + conflictId);
            problem.put("conflictId", conflictId);
            return new Outcome(409, mapper.valueToTree(problem));
        }
        if (!localWins) {
            touchLink(tenantId, connection.id(), target.model(), localRef);
            return new Outcome(200, result(existing.externalId(), remoteVersion != null ? remoteVersion : existing.version(),
                    localRef, "remote-kept", conflictId));
        }
        return null;
    }

    /** Removes the provider object of a local reference and forgets the link; an object already gone counts as removed. */
    private Outcome delete(UUID tenantId, Connection connection, PushTarget target, String localRef) {
        if (localRef == null || localRef.isBlank()) {
            throw ProblemException.badRequest("'localRef' names the object to delete", new FieldError("/localRef", "required"));
        }
        Map<String, Object> link = link(tenantId, connection.id(), target.model(), localRef)
                .orElseThrow(() -> ProblemException.notFound("Nothing pushed for localRef '" + localRef + "'"));
        String externalId = (String) link.get("external_id");
        if (externalId != null) {
            PushTarget.Link existing = new PushTarget.Link(externalId, (String) link.get("version"));
            providerCall(() -> {
                target.delete(context(tenantId, connection, target), existing);
                return null;
            });
        }
        jdbc.update(tenantId, "DELETE FROM record_links WHERE tenant_id = :tenantId AND connection_id = :connectionId "
                + "AND model = :model AND local_ref = :localRef", Map.of("connectionId", connection.id(), "model",
                        target.model(), "localRef", localRef));
        return new Outcome(200, result(externalId, null, localRef, "deleted", null));
    }

    PushTarget.Result callTarget(UUID tenantId, Connection connection, PushTarget target, JsonNode data,
            PushTarget.Link existing) {
        return providerCall(() -> target.push(context(tenantId, connection, target), data, existing));
    }

    private SyncContext context(UUID tenantId, Connection connection, PushTarget target) {
        return new SyncContext(tenantId, connection.id(), null, connection.provider(), target.model(),
                "push", null, null, null, connection.config(), http.scope(connection.provider(), tenantId, connection.id()));
    }

    /** A provider call of an action: what the provider refused or could not do becomes a 502 problem. */
    private <T> T providerCall(Callable<T> call) {
        try {
            return call.call();
        } catch (PushTarget.StaleVersion e) {
            throw e;
        } catch (ProviderCallException e) {
            throw new ProblemException(Problem.of(502, "provider-failed", "The provider did not accept the action",
                    e.getMessage()));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ProblemException(Problem.of(502, "provider-failed", "The provider did not accept the action",
                    e.getClass().getSimpleName()));
        }
    }

    // --- conflicts ---

    public List<Map<String, Object>> conflicts(UUID tenantId, UUID connectionId, String status) {
        connections.get(tenantId, connectionId);
        Map<String, Object> p = new HashMap<>();
        p.put("connectionId", connectionId);
        p.put("status", status);
        return jdbc.query(tenantId, "SELECT id, model, external_id, local_ref, local_data, remote_data, policy, status, "
                + "resolution, created_at, resolved_at FROM conflicts WHERE tenant_id = :tenantId AND connection_id = "
                + ":connectionId AND (CAST(:status AS VARCHAR) IS NULL OR status = :status) ORDER BY created_at DESC LIMIT 200",
                p, (rs, n) -> {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("id", rs.getObject("id", UUID.class));
                    c.put("model", rs.getString("model"));
                    c.put("externalId", rs.getString("external_id"));
                    c.put("localRef", rs.getString("local_ref"));
                    c.put("local", read(rs.getString("local_data")));
                    c.put("remote", read(rs.getString("remote_data")));
                    c.put("policy", rs.getString("policy"));
                    c.put("status", rs.getString("status"));
                    c.put("resolution", rs.getString("resolution"));
                    c.put("createdAt", rs.getTimestamp("created_at").toInstant());
                    Timestamp resolved = rs.getTimestamp("resolved_at");
                    c.put("resolvedAt", resolved == null ? null : resolved.toInstant());
                    return c;
                });
    }

    /** Resolves an open manual conflict: {@code local} pushes the local version, {@code remote} keeps the provider's. */
    public Map<String, Object> resolve(UUID tenantId, UUID connectionId, UUID conflictId, String resolution) {
        Connection connection = connections.get(tenantId, connectionId);
        Map<String, Object> conflict = conflicts(tenantId, connectionId, null).stream()
                .filter(c -> c.get("id").equals(conflictId)).findFirst()
                .orElseThrow(() -> ProblemException.notFound("Conflict " + conflictId));
        if (!"local".equals(resolution) && !"remote".equals(resolution)) {
            throw ProblemException.unprocessable("resolution must be 'local' or 'remote'",
                    new FieldError("/resolution", "must be local or remote"));
        }
        // Claim the conflict first, conditionally: of two concurrent resolutions exactly one gets the row, the
        // other is 409 and pushes nothing. No lock is held while the provider is called.
        int claimed = jdbc.update(tenantId, "UPDATE conflicts SET status = 'resolved', resolution = :resolution, "
                + "resolved_at = :now WHERE tenant_id = :tenantId AND id = :id AND status = 'open'",
                Map.of("id", conflictId, "resolution", resolution, "now", Timestamp.from(Instant.now())));
        if (claimed == 0) {
            throw ProblemException.conflict("Conflict " + conflictId + " is already resolved.");
        }
        try {
            if ("local".equals(resolution)) {
                String model = (String) conflict.get("model");
                PushTarget target = targets.orderedStream().filter(t -> t.provider().equals(connection.provider())
                        && t.model().equals(model) && t.kind() == PushTarget.Kind.UPSERT).findFirst()
                        .or(() -> Optional.ofNullable(families.getIfAvailable()).flatMap(f -> f.targets(connection.provider())
                                .filter(t -> t.model().equals(model) && t.kind() == PushTarget.Kind.UPSERT).findFirst()))
                        .orElseThrow(() -> ProblemException.unprocessable("No push target for " + model + "."));
                JsonNode local = (JsonNode) conflict.get("local");
                String localRef = (String) conflict.get("localRef");
                Map<String, Object> link = link(tenantId, connectionId, model, localRef).orElseThrow();
                PushTarget.Result result;
                try {
                    result = callTarget(tenantId, connection, target, local,
                            new PushTarget.Link((String) link.get("external_id"), (String) link.get("version")));
                } catch (PushTarget.StaleVersion stale) {
                    throw ProblemException.conflict("The provider object changed again since this conflict was recorded.");
                }
                saveLink(tenantId, connectionId, model, localRef, result, records.hash((ObjectNode) local),
                        target.resyncable() ? local : null);
            } else if (conflict.get("localRef") != null) {
                touchLink(tenantId, connectionId, (String) conflict.get("model"), (String) conflict.get("localRef"));
            }
        } catch (RuntimeException | Error e) {
            // Nothing was resolved: open again, so it can be retried or resolved the other way.
            jdbc.update(tenantId, "UPDATE conflicts SET status = 'open', resolution = NULL, resolved_at = NULL "
                    + "WHERE tenant_id = :tenantId AND id = :id AND status = 'resolved'", Map.of("id", conflictId));
            throw e;
        }
        return conflicts(tenantId, connectionId, null).stream().filter(c -> c.get("id").equals(conflictId)).findFirst()
                .orElseThrow();
    }

    private record RemoteChange(JsonNode data, Instant remoteUpdatedAt) {
    }

    /** The hub saw the provider object change (a sync wrote it) after the hub last pushed it. */
    private Optional<RemoteChange> remoteChangeSincePush(UUID tenantId, UUID connectionId, String model, String externalId,
            Timestamp pushedAt) {
        return jdbc.queryOne(tenantId, "SELECT data, remote_updated_at FROM records WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND model = :model AND external_id = :externalId AND updated_at > :pushedAt",
                Map.of("connectionId", connectionId, "model", model, "externalId", externalId, "pushedAt", pushedAt),
                (rs, n) -> {
                    Timestamp remote = rs.getTimestamp("remote_updated_at");
                    return new RemoteChange(read(rs.getString("data")), remote == null ? null : remote.toInstant());
                });
    }

    private String policy(Connection connection, String model) {
        JsonNode policy = connection.config().path("conflicts").get(model);
        return policy != null && policy.isTextual() ? policy.asText() : "last-write-wins";
    }

    private UUID recordConflict(UUID tenantId, UUID connectionId, String model, String externalId, String localRef,
            JsonNode local, JsonNode remote, String policy, String resolution) {
        UUID id = UUID.randomUUID();
        Map<String, Object> p = new HashMap<>();
        p.put("id", id);
        p.put("connectionId", connectionId);
        p.put("model", model);
        p.put("externalId", externalId);
        p.put("localRef", localRef);
        p.put("local", canonical(local));
        p.put("remote", canonical(remote));
        p.put("policy", policy);
        p.put("status", resolution == null ? "open" : "resolved");
        p.put("resolution", resolution);
        Timestamp now = Timestamp.from(Instant.now());
        p.put("now", now);
        p.put("resolvedAt", resolution == null ? null : now);
        jdbc.update(tenantId, "INSERT INTO conflicts (id, tenant_id, connection_id, model, external_id, local_ref, local_data, "
                + "remote_data, policy, status, resolution, created_at, resolved_at) VALUES (:id, :tenantId, :connectionId, "
                + ":model, :externalId, :localRef, :local, :remote, :policy, :status, :resolution, :now, :resolvedAt)", p);
        return id;
    }

    // --- links ---

    private Optional<Map<String, Object>> link(UUID tenantId, UUID connectionId, String model, String localRef) {
        return jdbc.queryOne(tenantId, "SELECT external_id, version, last_pushed_hash, updated_at FROM record_links "
                + "WHERE tenant_id = :tenantId AND connection_id = :connectionId AND model = :model AND local_ref = :localRef",
                Map.of("connectionId", connectionId, "model", model, "localRef", localRef), (rs, n) -> {
                    Map<String, Object> row = new HashMap<>();
                    row.put("external_id", rs.getString("external_id"));
                    row.put("version", rs.getString("version"));
                    row.put("last_pushed_hash", rs.getString("last_pushed_hash"));
                    row.put("updated_at", rs.getTimestamp("updated_at"));
                    return row;
                });
    }

    private void saveLink(UUID tenantId, UUID connectionId, String model, String localRef, PushTarget.Result result,
            String hash, JsonNode data) {
        if (localRef == null) {
            return;
        }
        Map<String, Object> p = new HashMap<>();
        p.put("id", UUID.randomUUID());
        p.put("connectionId", connectionId);
        p.put("model", model);
        p.put("localRef", localRef);
        p.put("externalId", result.externalId());
        p.put("version", result.version());
        p.put("hash", hash);
        // Kept for targets push runs may resend (a full resync without asking the host application again).
        p.put("data", data == null ? null : canonical(data));
        p.put("now", Timestamp.from(Instant.now()));
        int n = jdbc.update(tenantId, "UPDATE record_links SET external_id = :externalId, version = :version, "
                + "last_pushed_hash = :hash, last_pushed_data = :data, updated_at = :now WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND model = :model AND local_ref = :localRef", p);
        if (n == 0) {
            jdbc.update(tenantId, "INSERT INTO record_links (id, tenant_id, connection_id, model, local_ref, external_id, "
                    + "version, last_pushed_hash, last_pushed_data, created_at, updated_at) VALUES (:id, :tenantId, "
                    + ":connectionId, :model, :localRef, :externalId, :version, :hash, :data, :now, :now)", p);
        }
    }

    /** The remote version was accepted: later remote changes are measured from now. */
    private void touchLink(UUID tenantId, UUID connectionId, String model, String localRef) {
        jdbc.update(tenantId, "UPDATE record_links SET updated_at = :now WHERE tenant_id = :tenantId AND connection_id = "
                + ":connectionId AND model = :model AND local_ref = :localRef", Map.of("connectionId", connectionId,
                        "model", model, "localRef", localRef, "now", Timestamp.from(Instant.now())));
    }

    // --- idempotency keys ---

    /** Takes the key for this request, or returns the first request's outcome (or refuses a different body). */
    private Optional<Outcome> claimKey(UUID tenantId, UUID connectionId, String key, String action, String requestHash) {
        try {
            jdbc.update(tenantId, "INSERT INTO idempotency_keys (connection_id, idem_key, tenant_id, action, request_hash, "
                    + "status, created_at) VALUES (:connectionId, :key, :tenantId, :action, :hash, 'in_progress', :now)",
                    Map.of("connectionId", connectionId, "key", key, "action", action, "hash", requestHash,
                            "now", Timestamp.from(Instant.now())));
            return Optional.empty();
        } catch (DuplicateKeyException e) {
            Map<String, Object> first = jdbc.queryOne(tenantId, "SELECT request_hash, status, response_status, response_body "
                    + "FROM idempotency_keys WHERE tenant_id = :tenantId AND connection_id = :connectionId AND idem_key = :key",
                    Map.of("connectionId", connectionId, "key", key), (rs, n) -> {
                        Map<String, Object> row = new HashMap<>();
                        row.put("hash", rs.getString(1));
                        row.put("status", rs.getString(2));
                        row.put("responseStatus", rs.getInt(3));
                        row.put("responseBody", rs.getString(4));
                        return row;
                    }).orElseThrow(() -> ProblemException.conflict("Idempotency-Key belongs to another tenant's request."));
            if (!requestHash.equals(first.get("hash"))) {
                throw ProblemException.unprocessable("This Idempotency-Key was used with a different request body.",
                        new FieldError("Idempotency-Key", "reused with a different body"));
            }
            if (!"done".equals(first.get("status"))) {
                throw ProblemException.conflict("A request with this Idempotency-Key is still being processed.");
            }
            return Optional.of(new Outcome((Integer) first.get("responseStatus"), read((String) first.get("responseBody"))));
        }
    }

    private void completeKey(UUID tenantId, UUID connectionId, String key, Outcome outcome) {
        jdbc.update(tenantId, "UPDATE idempotency_keys SET status = 'done', response_status = :status, response_body = :body "
                + "WHERE tenant_id = :tenantId AND connection_id = :connectionId AND idem_key = :key",
                Map.of("connectionId", connectionId, "key", key, "status", outcome.status(), "body", canonical(outcome.body())));
    }

    private void releaseKey(UUID tenantId, UUID connectionId, String key) {
        jdbc.update(tenantId, "DELETE FROM idempotency_keys WHERE tenant_id = :tenantId AND connection_id = :connectionId "
                + "AND idem_key = :key AND status = 'in_progress'", Map.of("connectionId", connectionId, "key", key));
    }

    // --- helpers ---

    private JsonNode result(String externalId, String version, String localRef, String outcome, UUID conflictId) {
        ObjectNode r = mapper.createObjectNode();
        r.put("externalId", externalId);
        r.put("localRef", localRef);
        r.put("version", version);
        r.put("outcome", outcome);
        if (conflictId != null) {
            r.put("conflictId", conflictId.toString());
        }
        return r;
    }

    private static Instant instant(JsonNode v) {
        if (v == null || !v.isTextual()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(v.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("'modifiedAt' must be an RFC 3339 date-time",
                    new FieldError("/modifiedAt", "must be an RFC 3339 date-time"));
        }
    }

    private String canonical(JsonNode node) {
        try {
            return mapper.writer().with(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.WRITE_PROPERTIES_SORTED)
                    .writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode read(String json) {
        try {
            return json == null ? null : mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
