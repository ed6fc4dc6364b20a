package io.integrationhub.provider.microsoft;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.sync.PushTarget;
import io.integrationhub.platform.sync.SyncContext;

/**
 * Action {@code upsert-event} of {@code outlook-calendar}: the first push of a {@code localRef} creates the Outlook
 * event, later ones update it; push runs of {@code calendar_event} send every linked event again and list the
 * events the hub created to remove those no longer linked.
 */
@Component
public class OutlookCalendarUpsert implements PushTarget {

    private final OutlookCalendarEvents events;

    public OutlookCalendarUpsert(OutlookCalendarEvents events) {
        this.events = events;
    }

    @Override
    public String provider() {
        return OutlookCalendarConfig.PROVIDER;
    }

    @Override
    public String action() {
        return "upsert-event";
    }

    @Override
    public String model() {
        return OutlookCalendarEvents.MODEL;
    }

    @Override
    public boolean resyncable() {
        return true;
    }

    @Override
    public Result push(SyncContext context, JsonNode data, Link existing) {
        return events.upsert(context, data, existing);
    }

    @Override
    public PushedPage pushedObjects(SyncContext context, String cursor) {
        return events.pushed(context, cursor);
    }
}
