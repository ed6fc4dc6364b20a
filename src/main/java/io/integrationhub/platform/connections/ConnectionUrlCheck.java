package io.integrationhub.platform.connections;

import java.util.List;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.catalog.FamilySpec;
import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;

/**
 * The base URL of a connection whose family lives at one URL per account ({@code catalog.json} {@code connectionUrl},
 * e.g. a Simpro build): a URL the hub would send a token to, so one outside the family's hosts and the operator's
 * {@code hub.providers.<key>.allowed-hosts} is refused as a bad request ({@code 400}) before anything is stored.
 * It is required while the provider's endpoints need it ({@code {connectionUrl}} in them; not in the sandbox). An
 * optional API root ({@code connectionUrl.root}, a Business Central on-premises service root) is refused with
 * {@code 422} and the field's error instead.
 */
@Component
public class ConnectionUrlCheck implements ConnectionConfigCheck {

    private final ProviderCatalog catalog;

    public ConnectionUrlCheck(ProviderCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public List<FieldError> check(ProviderDefinition provider, JsonNode config) {
        FamilySpec family = catalog.family(provider.key()).orElse(null);
        if (family == null || family.connectionUrl() == null) {
            return List.of();
        }
        String field = "/config/" + family.connectionUrl().config();
        JsonNode value = config.get(family.connectionUrl().config());
        if (value == null || value.isNull()) {
            String api = catalog.settings(provider).getApiUrl();
            return api != null && api.contains(ProviderCatalog.CONNECTION_URL)
                    ? List.of(new FieldError(field, "required: the base URL of the account, such as https://acme.simprosuite.com"))
                    : List.of();
        }
        String problem = value.isTextual() ? catalog.connectionUrlProblem(provider, value.asText().trim()) : "must be a string";
        if (problem != null && family.connectionUrl().root()) {
            // An optional API root (BC on-premises): one more config field the hub refuses, 422 like the others.
            return List.of(new FieldError(field, problem));
        }
        if (problem != null) {
            throw ProblemException.badRequest("The connection's " + family.connectionUrl().config() + " is refused: " + problem
                    + ".", new FieldError(field, problem));
        }
        return List.of();
    }
}
