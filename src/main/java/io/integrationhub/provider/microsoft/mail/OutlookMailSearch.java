package io.integrationhub.provider.microsoft.mail;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import javax.sql.DataSource;

import org.springframework.stereotype.Component;

import io.integrationhub.platform.sync.RecordSearch;

/**
 * {@code GET …/records/email?q=}: on PostgreSQL a full-text search ({@code websearch_to_tsquery}, English
 * stemming) over subject, sender, attachment names and body, served by the GIN index of migration V8_1; on H2
 * (the zero-setup profile) every word of {@code q} must occur, case-insensitively, somewhere in the record.
 * Deleted emails are not found.
 */
@Component
public class OutlookMailSearch implements RecordSearch {

    /** Must stay exactly the indexed expression of {@code ix_records_email_search}, or the index is not used. */
    static final String DOCUMENT = "to_tsvector('english', outlook_mail_search_text(data))";

    private final DataSource dataSource;
    private volatile Boolean postgres;

    public OutlookMailSearch(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public String model() {
        return "email";
    }

    @Override
    public Filter filter(String q) {
        if (postgres()) {
            return new Filter("model = 'email' AND deleted = FALSE AND " + DOCUMENT
                    + " @@ websearch_to_tsquery('english', :mailSearchQuery)", Map.of("mailSearchQuery", q));
        }
        StringBuilder sql = new StringBuilder("deleted = FALSE");
        Map<String, Object> params = new HashMap<>();
        int i = 0;
        for (String word : q.toLowerCase(Locale.ROOT).split("\\s+")) {
            String w = word.replace("\"", "");
            if (w.isEmpty() || i >= 20) {
                continue;
            }
            String name = "mailSearchWord" + i++;
            sql.append(" AND LOWER(data) LIKE :").append(name).append(" ESCAPE '\\'");
            params.put(name, "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        return new Filter(sql.toString(), params);
    }

    private boolean postgres() {
        Boolean known = postgres;
        if (known == null) {
            try (Connection c = dataSource.getConnection()) {
                known = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
            } catch (SQLException e) {
                throw new IllegalStateException("database not reachable", e);
            }
            postgres = known;
        }
        return known;
    }
}
