package io.integrationhub.provider.microsoft.calendar;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.ConnectionConfigCheck;

/**
 * The {@code calendar} section of an {@code outlook-calendar} connection's config, checked when the connection is
 * created or patched:
 * <pre>
 * "calendar": {
 *   "timeZone": "Europe/London",                         // IANA name or UTC; default hub.microsoft.calendar.time-zone
 *   "categories": {                                      // by status (lower case); "default" for the others
 *     "confirmed": ["Booked"], "default": "Pencilled"    // a name or a list of names; [] for none
 *   }
 * }
 * </pre>
 * A status missing here falls back to the same status in {@code hub.microsoft.calendar.categories}, then to this
 * section's {@code default}, then to the properties' {@code default}.
 */
@Component
public class OutlookCalendarConfig implements ConnectionConfigCheck {

    static final String PROVIDER = "outlook-calendar";
    /** Keys whose events the shared check normalises with this section (Google Calendar: routes/google-calendar/). */
    static final Set<String> PROVIDERS = Set.of(PROVIDER, "google-calendar");
    static final String DEFAULT = "default";
    private static final Set<String> KEYS = Set.of("timeZone", "categories");

    private final OutlookCalendarProperties properties;

    public OutlookCalendarConfig(OutlookCalendarProperties properties) {
        this.properties = properties;
    }

    /** The settings one connection writes events with. */
    public record Settings(ZoneId zone, Map<String, List<String>> connectionCategories,
            Map<String, List<String>> defaultCategories) {

        /** The categories of an event in {@code status} (null: none given). */
        public List<String> categories(String status) {
            String key = status == null ? DEFAULT : status.toLowerCase(Locale.ROOT);
            List<String> found = connectionCategories.get(key);
            if (found == null) {
                found = defaultCategories.get(key);
            }
            if (found == null) {
                found = connectionCategories.get(DEFAULT);
            }
            if (found == null) {
                found = defaultCategories.getOrDefault(DEFAULT, List.of());
            }
            return found;
        }
    }

    /** Settings from a config already checked on the way in. */
    public Settings settings(JsonNode config) {
        JsonNode section = config == null ? null : config.path("calendar");
        ZoneId zone = OutlookCalendarProperties.zoneOrNull(properties.getTimeZone());
        Map<String, List<String>> categories = new HashMap<>();
        if (section != null && section.isObject()) {
            if (section.path("timeZone").isTextual()) {
                ZoneId own = OutlookCalendarProperties.zoneOrNull(section.get("timeZone").asText());
                zone = own != null ? own : zone;
            }
            section.path("categories").fields().forEachRemaining(e -> categories.put(e.getKey().toLowerCase(Locale.ROOT),
                    names(e.getValue())));
        }
        Map<String, List<String>> defaults = new HashMap<>();
        properties.getCategories().forEach((k, v) -> defaults.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        return new Settings(zone, categories, defaults);
    }

    @Override
    public List<FieldError> check(ProviderDefinition provider, JsonNode config) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode section = config.get("calendar");
        if (!PROVIDERS.contains(provider.key()) || section == null || section.isNull()) {
            return errors;
        }
        if (!section.isObject()) {
            errors.add(new FieldError("/config/calendar", "must be an object with timeZone and/or categories"));
            return errors;
        }
        for (Iterator<String> it = section.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                errors.add(new FieldError("/config/calendar/" + key, "unknown; known: timeZone, categories"));
            }
        }
        JsonNode zone = section.get("timeZone");
        if (zone != null && !zone.isNull() && (!zone.isTextual() || OutlookCalendarProperties.zoneOrNull(zone.asText()) == null)) {
            errors.add(new FieldError("/config/calendar/timeZone", "must be an IANA time zone name such as Europe/London, or UTC"));
        }
        JsonNode categories = section.get("categories");
        if (categories != null && !categories.isNull()) {
            if (!categories.isObject()) {
                errors.add(new FieldError("/config/calendar/categories", "must be an object of status → category name(s)"));
            } else {
                categories.fields().forEachRemaining(e -> {
                    if (!validNames(e.getValue())) {
                        errors.add(new FieldError("/config/calendar/categories/" + e.getKey(),
                                "must be a category name or a list of names (1 to 255 characters each)"));
                    }
                });
            }
        }
        return errors;
    }

    private static boolean validNames(JsonNode value) {
        if (value.isTextual()) {
            return validName(value.asText());
        }
        if (!value.isArray()) {
            return false;
        }
        for (JsonNode name : value) {
            if (!name.isTextual() || !validName(name.asText())) {
                return false;
            }
        }
        return true;
    }

    private static boolean validName(String name) {
        return !name.isBlank() && name.length() <= 255;
    }

    private static List<String> names(JsonNode value) {
        Set<String> names = new LinkedHashSet<>();
        if (value.isTextual()) {
            names.add(value.asText());
        } else {
            value.forEach(n -> names.add(n.asText()));
        }
        return List.copyOf(names);
    }
}
