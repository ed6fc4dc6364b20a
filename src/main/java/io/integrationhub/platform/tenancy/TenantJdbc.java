package io.integrationhub.platform.tenancy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.config.DatabaseKind;

/**
 * The one place tenant scoping is enforced: every query over tenant data goes through here, must
 * filter on {@code :tenantId}, and gets the caller's tenant bound to it. A statement without the
 * parameter is refused, so a forgotten scope fails loudly in tests instead of leaking data.
 */
@Component
public class TenantJdbc {

    private final NamedParameterJdbcTemplate jdbc;

    public TenantJdbc(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Whether the database is PostgreSQL (else H2 in PostgreSQL mode, the zero-setup profile): for set-based SQL. */
    public boolean postgres() {
        return DatabaseKind.postgres(jdbc.getJdbcTemplate().getDataSource());
    }

    public <T> List<T> query(UUID tenantId, String sql, Map<String, ?> params, RowMapper<T> mapper) {
        return jdbc.query(checked(sql), bind(tenantId, params), mapper);
    }

    public <T> Optional<T> queryOne(UUID tenantId, String sql, Map<String, ?> params, RowMapper<T> mapper) {
        List<T> rows = query(tenantId, sql, params, mapper);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    public int update(UUID tenantId, String sql, Map<String, ?> params) {
        return jdbc.update(checked(sql), bind(tenantId, params));
    }

    /** One statement, many parameter sets (a page of records), all bound to the same tenant. */
    public int[] batchUpdate(UUID tenantId, String sql, List<? extends Map<String, ?>> batch) {
        String checked = checked(sql);
        @SuppressWarnings("unchecked")
        Map<String, ?>[] bound = batch.stream().map(p -> bind(tenantId, p)).toArray(Map[]::new);
        return jdbc.batchUpdate(checked, bound);
    }

    private static String checked(String sql) {
        if (!sql.contains(":tenantId")) {
            throw new IllegalArgumentException("tenant data must be queried with a :tenantId filter: " + sql);
        }
        return sql;
    }

    private static Map<String, Object> bind(UUID tenantId, Map<String, ?> params) {
        if (tenantId == null) {
            throw new IllegalArgumentException("no tenant in scope");
        }
        Map<String, Object> all = new HashMap<>(params);
        all.put("tenantId", tenantId);
        return all;
    }
}
