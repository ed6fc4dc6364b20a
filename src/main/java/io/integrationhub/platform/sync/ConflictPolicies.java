package io.integrationhub.platform.sync;

import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.ConnectionConfigCheck;

/** {@code config.conflicts: {model: policy}} with the policies of {@link ActionService#POLICIES}. */
@Component
public class ConflictPolicies implements ConnectionConfigCheck {

    @Override
    public List<FieldError> check(ProviderDefinition provider, JsonNode config) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode conflicts = config.get("conflicts");
        if (conflicts == null || conflicts.isNull()) {
            return errors;
        }
        if (!conflicts.isObject()) {
            errors.add(new FieldError("/config/conflicts", "must be an object of entity → policy"));
            return errors;
        }
        conflicts.fields().forEachRemaining(e -> {
            String field = "/config/conflicts/" + e.getKey();
            if (!provider.entities().contains(e.getKey())) {
                errors.add(new FieldError(field, "'" + provider.key() + "' has no entity '" + e.getKey() + "'"));
            } else if (!e.getValue().isNull() && !ActionService.POLICIES.contains(e.getValue().asText())) {
                errors.add(new FieldError(field, "unknown policy; known: " + String.join(", ", ActionService.POLICIES)));
            }
        });
        return errors;
    }
}
