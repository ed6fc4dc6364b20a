package io.integrationhub.provider.microsoft;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.sync.PushTarget;
import io.integrationhub.platform.sync.SyncContext;

/** Action {@code delete-event} of {@code outlook-calendar}: deletes the Outlook event linked to a {@code localRef}. */
@Component
public class OutlookCalendarDelete implements PushTarget {

    private final OutlookCalendarEvents events;

    public OutlookCalendarDelete(OutlookCalendarEvents events) {
        this.events = events;
    }

    @Override
    public String provider() {
        return OutlookCalendarConfig.PROVIDER;
    }

    @Override
    public String action() {
        return "delete-event";
    }

    @Override
    public String model() {
        return OutlookCalendarEvents.MODEL;
    }

    @Override
    public Kind kind() {
        return Kind.DELETE;
    }

    @Override
    public Result push(SyncContext context, JsonNode data, Link existing) {
        throw new UnsupportedOperationException("delete-event deletes; it does not push");
    }

    @Override
    public void delete(SyncContext context, Link existing) {
        events.delete(context, existing);
    }
}
