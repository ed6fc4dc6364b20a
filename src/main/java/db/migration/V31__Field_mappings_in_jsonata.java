package db.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.sync.LegacyFieldMappings;

/**
 * Per-connection mapping overrides ({@code connections.config → mappings.<entity>}) move from the former rule language
 * (an object of target field → rule) to a JSONata expression (a string): each stored rule object is rewritten into
 * the JSONata that gives the same records ({@link LegacyFieldMappings}). A Java migration because the rewrite is a
 * small compiler (paths, constants, transforms, lookups, defaults → JSONata text) over JSON kept in a {@code VARCHAR}:
 * not something SQL can say portably for PostgreSQL and H2. Connections without rule objects are left as they are;
 * running it again changes nothing. Numbered 30 to stay clear of other branches' migrations.
 */
public class V31__Field_mappings_in_jsonata extends BaseJavaMigration {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void migrate(Context context) throws Exception {
        rewrite(context.getConnection());
    }

    /** Rewrites every stored config with rule objects; answers how many connections changed. */
    public static int rewrite(Connection connection) throws SQLException {
        List<Object[]> changed = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id, config FROM connections WHERE config LIKE '%\"mappings\"%'");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                String rewritten = rewrite(rows.getString(2));
                if (rewritten != null) {
                    changed.add(new Object[] {rows.getObject(1), rewritten});
                }
            }
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE connections SET config = ? WHERE id = ?")) {
            for (Object[] row : changed) {
                update.setString(1, (String) row[1]);
                update.setObject(2, row[0]);
                update.addBatch();
            }
            if (!changed.isEmpty()) {
                update.executeBatch();
            }
        }
        return changed.size();
    }

    /** The config with its rule objects rewritten, or null when it has none (or is not JSON: left alone). */
    static String rewrite(String config) {
        JsonNode root;
        try {
            root = JSON.readTree(config);
        } catch (JsonProcessingException e) {
            return null;
        }
        JsonNode mappings = root == null ? null : root.get("mappings");
        if (mappings == null || !mappings.isObject()) {
            return null;
        }
        boolean changed = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = mappings.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entity = it.next();
            if (LegacyFieldMappings.isLegacy(entity.getValue())) {
                entity.setValue(JSON.getNodeFactory().textNode(LegacyFieldMappings.toJsonata(entity.getValue())));
                changed = true;
            }
        }
        return changed ? root.toString() : null;
    }
}
