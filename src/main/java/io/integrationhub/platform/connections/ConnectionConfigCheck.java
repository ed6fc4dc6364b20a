package io.integrationhub.platform.connections;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.catalog.ProviderDefinition;

/** A section of a connection's config owned by another part of the hub (mappings, conflict policies…). */
public interface ConnectionConfigCheck {

    /** Problems with the config, each naming its field as a JSON pointer ({@code /config/...}); empty when fine. */
    List<FieldError> check(ProviderDefinition provider, JsonNode config);
}
