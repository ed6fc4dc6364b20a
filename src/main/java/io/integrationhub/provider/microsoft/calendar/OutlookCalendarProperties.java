package io.integrationhub.provider.microsoft.calendar;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * {@code hub.microsoft.calendar.*}: defaults of the Outlook calendar family. A connection overrides the time zone
 * and the categories in its config ({@code config.calendar}, see {@link OutlookCalendarConfig}).
 */
@Validated
@ConfigurationProperties(prefix = "hub.microsoft.calendar")
public class OutlookCalendarProperties {

    /**
     * The time zone events are written in (Graph {@code dateTimeTimeZone.timeZone}): an IANA name Graph supports,
     * e.g. {@code Europe/London}, or {@code UTC}. Start and end given with an offset are converted into it.
     */
    @NotBlank
    private String timeZone = "UTC";

    /**
     * Outlook categories by the event's {@code status} (lower case); {@code default} applies to any status not
     * listed and to events without one. The event's own {@code category} is added to these.
     */
    @NotNull
    private Map<String, List<String>> categories = new LinkedHashMap<>(Map.of(
            "confirmed", List.of("Confirmed"),
            "default", List.of("Tentative")));

    /** Events per page when a push run lists the events the hub created ({@code $top}). */
    @Min(1)
    @Max(1000)
    private int pageSize = 100;

    @AssertTrue(message = "time-zone must be an IANA time zone name such as Europe/London, or UTC")
    public boolean isTimeZoneValid() {
        return zoneOrNull(timeZone) != null;
    }

    /** A region time zone (never a bare offset, which Graph does not take as a time zone name), or null. */
    static ZoneId zoneOrNull(String name) {
        try {
            ZoneId zone = ZoneId.of(name);
            return zone instanceof ZoneOffset || zone.getId().matches("(GMT|UTC|UT)[+-].*") ? null : zone;
        } catch (RuntimeException e) {
            return null;
        }
    }

    public String getTimeZone() { return timeZone; }
    public void setTimeZone(String v) { timeZone = v; }
    public Map<String, List<String>> getCategories() { return categories; }
    public void setCategories(Map<String, List<String>> v) { categories = v; }
    public int getPageSize() { return pageSize; }
    public void setPageSize(int v) { pageSize = v; }
}
