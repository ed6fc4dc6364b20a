package io.integrationhub.platform.connections;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.quartz.CronExpression;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.catalog.ProviderDefinition;

/**
 * Checks a connection's config before it is stored. {@code schedules} maps an entity of the provider
 * to an ISO-8601 interval ({@code PT15M}, at least one minute) or a Quartz cron expression (firing at most once a
 * minute: its seconds field is a single second).
 */
@Component
public class ConnectionConfigValidator {

    static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    /**
     * A cron expression fires at most once a minute exactly when its seconds field names one second: two firings
     * at the same second of different minutes are at least a minute apart, and any list, range, step or wildcard
     * in that field fires twice within some minute.
     */
    private static final Pattern SINGLE_SECOND = Pattern.compile("[0-5]?[0-9]");

    private final ObjectProvider<ConnectionConfigCheck> checks;

    public ConnectionConfigValidator(ObjectProvider<ConnectionConfigCheck> checks) {
        this.checks = checks;
    }

    public void validate(ProviderDefinition provider, JsonNode config) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode schedules = config.get("schedules");
        if (schedules != null && !schedules.isNull()) {
            if (!schedules.isObject()) {
                errors.add(new FieldError("/config/schedules", "must be an object of entity → interval or cron"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = schedules.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = it.next();
                    String field = "/config/schedules/" + entry.getKey();
                    if (!provider.entities().contains(entry.getKey())) {
                        errors.add(new FieldError(field, "'" + provider.key() + "' has no entity '" + entry.getKey()
                                + "'; known: " + String.join(", ", provider.entities())));
                    } else if (!entry.getValue().isNull()) {
                        String problem = scheduleProblem(entry.getValue());
                        if (problem != null) {
                            errors.add(new FieldError(field, problem));
                        }
                    }
                }
            }
        }
        checks.orderedStream().forEach(check -> errors.addAll(check.check(provider, config)));
        if (!errors.isEmpty()) {
            throw ProblemException.unprocessable("The connection config is not valid.", errors.toArray(FieldError[]::new));
        }
    }

    /** What is wrong with one {@code config.schedules} value, or null when it can be scheduled. */
    public static String scheduleProblem(JsonNode value) {
        if (!value.isTextual() || value.asText().isBlank()) {
            return "must be an ISO-8601 interval such as PT15M or a Quartz cron expression";
        }
        String text = value.asText().trim();
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                Duration interval = Duration.parse(text);
                return interval.compareTo(MIN_INTERVAL) < 0 ? "interval must be at least PT1M" : null;
            } catch (DateTimeParseException e) {
                return "'" + text + "' is not an ISO-8601 duration";
            }
        }
        if (!CronExpression.isValidExpression(text)) {
            return "'" + text + "' is not a valid Quartz cron expression";
        }
        return SINGLE_SECOND.matcher(text.split("\\s+")[0]).matches() ? null
                : "a cron schedule may fire at most once a minute (as an interval must be at least PT1M): its seconds "
                        + "field must be one second such as 0";
    }
}
