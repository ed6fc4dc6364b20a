package io.integrationhub.platform.connections;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import io.integrationhub.platform.events.EndUserDirectory;
import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * The end user of a connection for events. A connection's end user is set when it is created and never changes, so
 * answers are remembered (a sync page publishes one event per record, all of the same connection).
 */
@Component
public class ConnectionEndUsers implements EndUserDirectory {

    private static final int MAX_REMEMBERED = 10_000;
    private final TenantJdbc jdbc;
    private final Map<UUID, Optional<String>> remembered = new ConcurrentHashMap<>();

    public ConnectionEndUsers(TenantJdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String endUserId(UUID tenantId, UUID connectionId) {
        Optional<String> known = remembered.get(connectionId);
        if (known != null) {
            return known.orElse(null);
        }
        Optional<Optional<String>> row = jdbc.queryOne(tenantId, "SELECT end_user_id FROM connections WHERE tenant_id = :tenantId "
                + "AND id = :id", Map.of("id", connectionId), (rs, i) -> Optional.ofNullable(rs.getString(1)));
        if (row.isEmpty()) {
            return null;
        }
        if (remembered.size() >= MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(connectionId, row.get());
        return row.get().orElse(null);
    }
}
