package io.integrationhub.platform.config;

import java.sql.DatabaseMetaData;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

import javax.sql.DataSource;

import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

/**
 * Which database a data source is: PostgreSQL (production) or H2 in PostgreSQL mode (the zero-setup profile).
 * Set-based statements PostgreSQL alone speaks ({@code unnest}, {@code ON CONFLICT … RETURNING}) are chosen by it;
 * H2 keeps a portable path. Asked once per data source.
 */
public final class DatabaseKind {

    private static final Map<DataSource, Boolean> POSTGRES = Collections.synchronizedMap(new WeakHashMap<>());

    private DatabaseKind() {
    }

    public static boolean postgres(DataSource dataSource) {
        return POSTGRES.computeIfAbsent(dataSource, ds -> {
            try {
                return JdbcUtils.extractDatabaseMetaData(ds, DatabaseMetaData::getDatabaseProductName)
                        .toLowerCase(Locale.ROOT).contains("postgres");
            } catch (MetaDataAccessException e) {
                throw new IllegalStateException("database not reachable", e);
            }
        });
    }
}
