package io.integrationhub.platform.sync;

import java.util.Map;

/**
 * Free-text search over one unified model's records ({@code GET …/records/{model}?q=}), supplied by the family
 * that knows the model's fields. The search narrows the ordinary listing (same order, cursor and
 * {@code modifiedAfter}); a model without one answers {@code 400} to {@code q}.
 */
public interface RecordSearch {

    /** The unified model searched, e.g. {@code email}. */
    String model();

    /**
     * A condition over columns of {@code records} ANDed to the listing's own (which scopes tenant, connection and
     * model), and its parameters — named with a prefix of the implementation's own so they cannot clash.
     * {@code q} is 1 to 200 characters, trimmed.
     */
    Filter filter(String q);

    record Filter(String sql, Map<String, Object> params) {
    }
}
