package io.integrationhub.platform.family;

import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.catalog.FamilySpec;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.ConnectionConfigCheck;

/**
 * Checks the connection config fields a family declares in its {@code catalog.json} ({@code config}: type and
 * pattern), so that a value a route puts into a provider URL is known to be well-formed before it is stored.
 */
@Component
public class FamilyConfigCheck implements ConnectionConfigCheck {

    private final ProviderCatalog catalog;

    public FamilyConfigCheck(ProviderCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<FieldError> check(ProviderDefinition provider, JsonNode config) {
        FamilySpec family = catalog.family(provider.key()).orElse(null);
        List<FieldError> errors = new ArrayList<>();
        if (family == null) {
            return errors;
        }
        for (FamilySpec.ConfigField field : family.config().values()) {
            JsonNode value = config.get(field.name());
            if (value == null || value.isNull()) {
                continue;
            }
            String pointer = "/config/" + field.name();
            switch (field.type()) {
                case "boolean" -> {
                    if (!value.isBoolean()) {
                        errors.add(new FieldError(pointer, "must be true or false"));
                    }
                }
                case "integer" -> {
                    if (!value.isIntegralNumber()) {
                        errors.add(new FieldError(pointer, "must be a whole number"));
                    }
                }
                default -> {
                    if (!value.isTextual()) {
                        errors.add(new FieldError(pointer, "must be a string"));
                    } else if (field.pattern() != null && !field.pattern().matcher(value.asText()).matches()) {
                        errors.add(new FieldError(pointer, "must match " + field.pattern().pattern()
                                + (field.description().isEmpty() ? "" : " (" + field.description() + ")")));
                    }
                }
            }
        }
        return errors;
    }
}
