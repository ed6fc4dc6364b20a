package io.integrationhub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.provider.microsoft.calendar.OutlookCalendarConfig;
import io.integrationhub.provider.microsoft.calendar.OutlookCalendarEvents;
import io.integrationhub.provider.microsoft.calendar.OutlookCalendarProperties;

/**
 * The Google Calendar family's routes (routes/google-calendar) without Spring Boot: the Calendar requests the
 * actions send through the provider endpoint (a recording test route answering like Google), the event mapping
 * (time zones, all-day dates, transparency and colour by status, the hub's marker) and the results.
 */
class GoogleCalendarRoutesTest extends FamilyRoutesTestSupport {

    static final String API = "https://calendar.test";
    static final String EVENTS = API + "/calendar/v3/calendars/primary/events";
    static final String CONNECTION = "c0ffee00-1111-4222-8333-944445555666";

    final Deque<Object[]> answers = new ArrayDeque<>();
    final List<String> calls = new ArrayList<>();
    final List<Map<String, Object>> requests = new ArrayList<>();

    @Override
    protected List<String> routeFiles() {
        return List.of("google-calendar/calendar.camel.yaml", "google-calendar/identity.camel.yaml");
    }

    @Override
    protected Properties familyProperties() {
        Properties properties = new Properties();
        properties.setProperty("hub.providers.google-calendar.api-url", API);
        return properties;
    }

    @BeforeEach
    void prepareRoutes() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        OutlookCalendarProperties defaults = new OutlookCalendarProperties();
        context.getRegistry().bind("outlookCalendarEvents",
                new OutlookCalendarEvents(new OutlookCalendarConfig(defaults), mapper));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:google-calendar.provider").routeId("test.google").process(this::answer);
            }

            private void answer(Exchange exchange) {
                var message = exchange.getMessage();
                calls.add(message.getHeader("ProviderMethod") + " " + message.getHeader("ProviderUrl"));
                Map<String, Object> request = new HashMap<>(message.getHeaders());
                request.put("body", message.getBody(String.class));
                requests.add(request);
                Object[] answer = answers.isEmpty() ? new Object[] {200, "{}"} : answers.poll();
                message.getHeaders().clear();
                message.setHeader("ProviderStatus", answer[0]);
                message.setBody(answer[1]);
            }
        });
        context.start();
    }

    private Exchange send(String route, String input, Map<String, Object> properties) {
        return template.send(route, e -> {
            e.setProperty("HubConnectionId", CONNECTION);
            properties.forEach(e::setProperty);
            e.getMessage().setBody(input);
        });
    }

    private static JsonNode out(Exchange exchange) {
        assertThat(exchange.getException()).isNull();
        return json(exchange.getMessage().getBody(String.class));
    }

    private JsonNode sent(int call) {
        return json((String) requests.get(call).get("body"));
    }

    static final String TIMED = """
            {"data": {"localRef": "job-1", "subject": "Tasting", "body": "Bring knives", "start": "2026-03-10T09:00:00+01:00",
             "end": "2026-03-10T10:00:00+01:00", "status": "confirmed"}, "link": null,
             "config": {"calendar": {"timeZone": "Europe/Paris"}}}""";
    static final String ALL_DAY = """
            {"data": {"localRef": "job-2", "subject": "Market", "start": "2026-03-10", "end": "2026-03-11", "allDay": true,
             "status": "Tentative"}, "link": null, "config": {}}""";
    static final String EVENT_ANSWER = "{\"id\": \"abc123def\", \"etag\": \"\\\"e1\\\"\", \"summary\": \"Tasting\"}";

    @Test
    void anUnlinkedEventIsInsertedWithAnIdTheHubChoseAndItsMarker() {
        answers.add(new Object[] {200, EVENT_ANSWER});

        JsonNode out = out(send("direct:google-calendar.action.upsert-event", TIMED, Map.of()));

        assertThat(calls).containsExactly("POST " + EVENTS);
        JsonNode event = sent(0);
        assertThat(event.path("id").asText()).matches("[a-v0-9]{32}");
        assertThat(event.path("summary").asText()).isEqualTo("Tasting");
        assertThat(event.path("description").asText()).isEqualTo("Bring knives");
        assertThat(event.path("start").path("dateTime").asText()).isEqualTo("2026-03-10T09:00:00");
        assertThat(event.path("start").path("timeZone").asText()).isEqualTo("Europe/Paris");
        assertThat(event.path("start").path("date").isNull()).isTrue();
        assertThat(event.path("transparency").asText()).isEqualTo("opaque");
        assertThat(event.path("colorId").asText()).isEqualTo("10");
        assertThat(event.path("extendedProperties").path("private").path("integrationHubConnection").asText())
                .isEqualTo(CONNECTION);
        assertThat(requests.get(0).get("ProviderPassThrough")).isEqualTo("409");
        assertThat(out.path("externalId").asText()).isEqualTo("abc123def");
        assertThat(out.path("version").asText()).isEqualTo("\"e1\"");
        assertThat(out.path("response").path("summary").asText()).isEqualTo("Tasting");
    }

    @Test
    void anAllDayEventTakesDatesWithTheDayAfterTheLastAsEndAndIsTransparentUnlessConfirmed() {
        answers.add(new Object[] {200, EVENT_ANSWER});

        out(send("direct:google-calendar.action.upsert-event", ALL_DAY, Map.of()));

        JsonNode event = sent(0);
        assertThat(event.path("start").path("date").asText()).isEqualTo("2026-03-10");
        assertThat(event.path("end").path("date").asText()).isEqualTo("2026-03-12");
        assertThat(event.path("start").path("dateTime").isNull()).as("cleared, so a PATCH switches kinds").isTrue();
        assertThat(event.path("transparency").asText()).isEqualTo("transparent");
        assertThat(event.path("colorId").asText()).isEqualTo("5");
    }

    @Test
    void aLinkedEventIsPatchedInPlace() {
        answers.add(new Object[] {200, EVENT_ANSWER});

        JsonNode out = out(send("direct:google-calendar.action.upsert-event", TIMED, Map.of("HubLinkId", "abc123def")));

        assertThat(calls).containsExactly("PATCH " + EVENTS + "/abc123def");
        assertThat(requests.get(0).get("ProviderPassThrough")).isEqualTo("404,410");
        assertThat(sent(0).has("id")).as("a patch sends no id").isFalse();
        assertThat(sent(0).has("extendedProperties")).isFalse();
        assertThat(out.path("externalId").asText()).isEqualTo("abc123def");
    }

    @Test
    void aLinkedEventGoogleDeletedIsInsertedAgain() {
        answers.add(new Object[] {410, "{\"error\":{\"code\":410,\"message\":\"Resource has been deleted\"}}"});
        answers.add(new Object[] {200, "{\"id\": \"new12345\", \"etag\": \"e2\"}"});

        JsonNode out = out(send("direct:google-calendar.action.upsert-event", TIMED, Map.of("HubLinkId", "abc123def")));

        assertThat(calls).containsExactly("PATCH " + EVENTS + "/abc123def", "POST " + EVENTS);
        assertThat(out.path("externalId").asText()).isEqualTo("new12345");
    }

    @Test
    void anInsertThatAlreadyHappenedIsReadBackNotMadeTwice() {
        answers.add(new Object[] {409, "{\"error\":{\"code\":409,\"message\":\"The requested identifier already exists.\"}}"});
        answers.add(new Object[] {200, EVENT_ANSWER});

        JsonNode out = out(send("direct:google-calendar.action.upsert-event", TIMED, Map.of()));

        String id = sent(0).path("id").asText();
        assertThat(calls).containsExactly("POST " + EVENTS, "GET " + EVENTS + "/" + id);
        assertThat(out.path("externalId").asText()).isEqualTo("abc123def");
    }

    @Test
    void aLinkIdGoogleNeverHandsOutIsRefusedBeforeAnyCall() {
        Exchange failed = send("direct:google-calendar.action.delete-event", "{\"data\":null}", Map.of("HubLinkId", "../../x"));

        assertThat(failed.getException()).hasMessageContaining("not one Google hands out");
        assertThat(calls).isEmpty();
    }

    @Test
    void deleteCountsAnEventAlreadyGoneAsDeleted() {
        answers.add(new Object[] {410, "{\"error\":{\"code\":410}}"});

        JsonNode out = out(send("direct:google-calendar.action.delete-event", "{\"data\":null}", Map.of("HubLinkId", "abc123def")));

        assertThat(calls).containsExactly("DELETE " + EVENTS + "/abc123def");
        assertThat(requests.get(0).get("ProviderPassThrough")).isEqualTo("404,410");
        assertThat(out.path("externalId").asText()).isEqualTo("abc123def");
    }

    @Test
    void pushRunsListTheEventsTheHubMadeByItsMarkerPageByPage() {
        answers.add(new Object[] {200, "{\"items\": [{\"id\": \"e1\", \"created\": \"2026-03-01T10:00:00.000Z\"}],"
                + " \"nextPageToken\": \"CiAKGjBpNDd2\"}"});
        answers.add(new Object[] {200, "{\"items\": []}"});

        JsonNode first = out(send("direct:google-calendar.action.upsert-event.pushed", "{}", Map.of()));
        JsonNode second = out(send("direct:google-calendar.action.upsert-event.pushed", "{}", Map.of("HubCursor", "CiAKGjBpNDd2")));

        assertThat(calls.get(0)).isEqualTo("GET " + EVENTS + "?privateExtendedProperty=integrationHubConnection%3D"
                + CONNECTION + "&maxResults=250");
        assertThat(calls.get(1)).endsWith("&pageToken=CiAKGjBpNDd2");
        assertThat(first.path("items").get(0).path("externalId").asText()).isEqualTo("e1");
        assertThat(first.path("items").get(0).path("createdAt").asText()).isEqualTo("2026-03-01T10:00:00.000Z");
        assertThat(first.path("nextCursor").asText()).isEqualTo("CiAKGjBpNDd2");
        assertThat(second.path("items")).isEmpty();
        assertThat(second.has("nextCursor")).isFalse();

        Exchange odd = send("direct:google-calendar.action.upsert-event.pushed", "{}", Map.of("HubCursor", "x&q=1"));
        assertThat(odd.getException()).hasMessageContaining("page token");
    }

    @Test
    void identityIsThePrimaryCalendarsOwner() {
        answers.add(new Object[] {200, "{\"id\": \"chef@example.com\", \"summary\": \"Chef\"}"});

        JsonNode out = out(send("direct:google-calendar.identity", "", Map.of()));

        assertThat(calls).containsExactly("GET " + API + "/calendar/v3/calendars/primary");
        assertThat(out.path("id").asText()).isEqualTo("chef@example.com");
        assertThat(out.path("email").asText()).isEqualTo("chef@example.com");
        assertThat(out.path("name").asText()).isEqualTo("Chef");
    }
}
