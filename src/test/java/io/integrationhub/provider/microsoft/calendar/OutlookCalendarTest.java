package io.integrationhub.provider.microsoft.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.provider.microsoft.sandbox.GraphCalendarSim;
import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Reply;
import io.integrationhub.support.HubClient;
import io.integrationhub.support.KafkaProbe;
import io.integrationhub.provider.microsoft.graph.GraphClient;
import io.integrationhub.provider.microsoft.MicrosoftTestBase;

/**
 * Outlook calendar push over HTTP against the Graph simulator: upsert-event / delete-event through the actions API
 * (links, Idempotency-Key, all-day boundaries, time zones, status → showAs and categories, 429/503/404 as Graph
 * answers them) and the push run {@code {entity: calendar_event, direction: push, mode: full}}.
 */
class OutlookCalendarTest extends MicrosoftTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    GraphClient graph;

    @Autowired
    NamedParameterJdbcTemplate jdbc;

    @Value("${hub.kafka.bootstrap-servers}")
    String kafka;

    @BeforeEach
    void forgetCalls() {
        MICROSOFT.graph().clearCalls();
    }

    private static GraphCalendarSim outlook() {
        return MICROSOFT.graph().part(GraphCalendarSim.class);
    }

    private static ObjectNode timed(String localRef, String subject) {
        return JSON.createObjectNode().put("localRef", localRef).put("subject", subject)
                .put("start", "2026-03-10T09:00:00+01:00").put("end", "2026-03-10T10:30:00+01:00").put("status", "confirmed");
    }

    private static ObjectNode allDay(String localRef, String first, String last) {
        return JSON.createObjectNode().put("localRef", localRef).put("subject", "Install " + localRef)
                .put("start", first).put("end", last).put("allDay", true);
    }

    private HubClient.Response upsert(Tenant t, ObjectNode event) {
        return action(t, "upsert-event", event.toString());
    }

    private HubClient.Response upsert(Tenant t, ObjectNode event, String idempotencyKey) {
        return hub.send(hub.request(t.connectionPath() + "/actions/upsert-event", t.key())
                .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(event.toString())).build());
    }

    private HubClient.Response deleteEvent(Tenant t, String localRef) {
        return action(t, "delete-event", "{\"localRef\":\"" + localRef + "\"}");
    }

    private static String created(HubClient.Response r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("externalId").asText();
    }

    /** Graph calls on the events collection or one event, as "METHOD path status". */
    private static List<String> eventCalls(String... ids) {
        List<String> paths = Arrays.stream(ids).map(id -> "/me/events/" + id).toList();
        return MICROSOFT.calls().stream()
                .filter(c -> (c.path().equals("/me/events") && c.method().equals("POST")) || paths.contains(c.path()))
                .map(c -> c.method() + " " + c.path() + " " + c.status()).toList();
    }

    private GraphClient.Session outlookUser(Tenant t) {
        return graph.session("outlook-calendar", t.id(), t.connectionId());
    }

    @Test
    void shouldCreateOncePatchOnceAndDeleteOnceForOneLocalRef() {
        Tenant t = connect("outlook-calendar");

        HubClient.Response first = upsert(t, timed("job-1", "Site visit"));
        String id = created(first);
        HubClient.Response second = upsert(t, timed("job-1", "Site visit (moved)").put("end", "2026-03-10T11:00:00+01:00"));
        HubClient.Response removed = deleteEvent(t, "job-1");

        assertThat(first.json().path("outcome").asText()).isEqualTo("created");
        assertThat(first.json().path("localRef").asText()).isEqualTo("job-1");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().path("outcome").asText()).isEqualTo("updated");
        assertThat(second.json().path("externalId").asText()).isEqualTo(id);
        assertThat(removed.status()).as(removed.body()).isEqualTo(200);
        assertThat(removed.json().path("outcome").asText()).isEqualTo("deleted");
        assertThat(removed.json().path("externalId").asText()).isEqualTo(id);
        assertThat(eventCalls(id)).containsExactly("POST /me/events 201", "PATCH /me/events/" + id + " 200",
                "DELETE /me/events/" + id + " 204");
        assertThat(outlook().event(id)).isNull();

        HubClient.Response again = deleteEvent(t, "job-1");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.contentType()).startsWith("application/problem+json");
    }

    @Test
    void shouldSendNothingForAnUnchangedUpsert() {
        Tenant t = connect("outlook-calendar");
        String id = created(upsert(t, timed("job-2", "Quote review")));
        MICROSOFT.graph().clearCalls();

        HubClient.Response same = upsert(t, timed("job-2", "Quote review"));

        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().path("outcome").asText()).isEqualTo("unchanged");
        assertThat(same.json().path("externalId").asText()).isEqualTo(id);
        assertThat(MICROSOFT.calls()).noneMatch(c -> c.path().startsWith("/me/events"));
    }

    @Test
    void shouldReplayAnIdempotencyKeyWithoutCallingGraphAgain() {
        Tenant t = connect("outlook-calendar");
        String key = "assign-" + UUID.randomUUID();

        HubClient.Response first = upsert(t, timed("job-3", "Delivery"), key);
        HubClient.Response replay = upsert(t, timed("job-3", "Delivery"), key);
        HubClient.Response otherBody = upsert(t, timed("job-3", "Delivery at noon"), key);

        String id = created(first);
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json()).isEqualTo(first.json());
        assertThat(otherBody.status()).isEqualTo(422);
        assertThat(eventCalls(id)).containsExactly("POST /me/events 201");
    }

    @Test
    void shouldWriteAllDayEventsWithMidnightBoundariesAndAnExclusiveEnd() {
        Tenant t = connect("outlook-calendar", "{\"calendar\":{\"timeZone\":\"Europe/London\"}}");

        JsonNode threeDays = outlook().event(created(upsert(t, allDay("install-1", "2026-03-10", "2026-03-12"))));
        JsonNode oneDay = outlook().event(created(upsert(t, allDay("install-2", "2026-03-14", "2026-03-14"))));

        assertThat(threeDays.path("isAllDay").asBoolean()).isTrue();
        assertThat(threeDays.path("start").path("dateTime").asText()).isEqualTo("2026-03-10T00:00:00.0000000");
        assertThat(threeDays.path("end").path("dateTime").asText()).isEqualTo("2026-03-13T00:00:00.0000000");
        assertThat(threeDays.path("start").path("timeZone").asText()).isEqualTo("Europe/London");
        assertThat(threeDays.path("end").path("timeZone").asText()).isEqualTo("Europe/London");
        assertThat(oneDay.path("start").path("dateTime").asText()).isEqualTo("2026-03-14T00:00:00.0000000");
        assertThat(oneDay.path("end").path("dateTime").asText()).isEqualTo("2026-03-15T00:00:00.0000000");
    }

    @Test
    void shouldConvertOffsetsIntoTheConnectionsTimeZone() {
        Tenant utc = connect("outlook-calendar");
        Tenant newYork = connect("outlook-calendar", "{\"calendar\":{\"timeZone\":\"America/New_York\"}}");

        JsonNode inUtc = outlook().event(created(upsert(utc, timed("tz-1", "Call"))));
        JsonNode inNewYork = outlook().event(created(upsert(newYork, timed("tz-1", "Call"))));

        assertThat(inUtc.path("start").path("dateTime").asText()).isEqualTo("2026-03-10T08:00:00.0000000");
        assertThat(inUtc.path("end").path("dateTime").asText()).isEqualTo("2026-03-10T09:30:00.0000000");
        assertThat(inUtc.path("start").path("timeZone").asText()).isEqualTo("UTC");
        assertThat(inUtc.path("isAllDay").asBoolean()).isFalse();
        // New York is on daylight time (UTC-4) from 8 March 2026.
        assertThat(inNewYork.path("start").path("dateTime").asText()).isEqualTo("2026-03-10T04:00:00.0000000");
        assertThat(inNewYork.path("start").path("timeZone").asText()).isEqualTo("America/New_York");
    }

    @Test
    void shouldRefuseBadEventsWithProblemsAndWithoutCallingGraph() {
        Tenant t = connect("outlook-calendar");

        HubClient.Response endBeforeStart = upsert(t, timed("bad-1", "x").put("end", "2026-03-10T08:00:00+01:00"));
        HubClient.Response lastDayBeforeFirst = upsert(t, allDay("bad-2", "2026-03-12", "2026-03-10"));
        HubClient.Response allDayWithTime = upsert(t, allDay("bad-3", "2026-03-10T00:00:00Z", "2026-03-11"));
        HubClient.Response noOffset = upsert(t, timed("bad-4", "x").put("start", "2026-03-10T09:00:00"));
        HubClient.Response unknownField = upsert(t, timed("bad-5", "x").put("allday", true));
        HubClient.Response noSubject = upsert(t, (ObjectNode) timed("bad-6", "x").without("subject"));
        HubClient.Response badBody = upsert(t, timed("bad-7", "x").set("body", JSON.createObjectNode().put("contentType", "rtf")
                .put("content", "{\\rtf1}")));
        HubClient.Response noLocalRef = deleteEvent(t, "");

        assertThat(endBeforeStart.status()).isEqualTo(422);
        assertThat(endBeforeStart.json().path("errors").get(0).path("field").asText()).isEqualTo("/end");
        assertThat(lastDayBeforeFirst.status()).isEqualTo(422);
        assertThat(allDayWithTime.status()).isEqualTo(400);
        assertThat(allDayWithTime.json().path("errors").get(0).path("field").asText()).isEqualTo("/start");
        assertThat(noOffset.status()).isEqualTo(400);
        assertThat(noOffset.json().path("errors").get(0).path("message").asText()).contains("offset");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().path("errors").get(0).path("field").asText()).isEqualTo("/allday");
        assertThat(noSubject.status()).isEqualTo(400);
        assertThat(badBody.status()).isEqualTo(400);
        assertThat(noLocalRef.status()).isEqualTo(400);
        for (HubClient.Response r : List.of(endBeforeStart, lastDayBeforeFirst, allDayWithTime, noOffset, unknownField,
                noSubject, badBody, noLocalRef)) {
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        assertThat(MICROSOFT.calls()).noneMatch(c -> c.path().startsWith("/me/events"));
    }

    @Test
    void shouldShowConfirmedAsBusyOthersAsTentativeWithCategoriesByStatus() {
        Tenant defaults = connect("outlook-calendar");
        Tenant own = connect("outlook-calendar", "{\"calendar\":{\"categories\":{\"confirmed\":[\"Booked\"],"
                + "\"pencilled\":\"Hold\",\"default\":[]}}}");

        JsonNode confirmed = outlook().event(created(upsert(defaults, timed("st-1", "Fit kitchen").put("category", "Plumbing")
                .set("body", JSON.createObjectNode().put("contentType", "html").put("content", "<p>Bring <b>tiles</b></p>")))));
        JsonNode pencilled = outlook().event(created(upsert(defaults, timed("st-2", "Fit kitchen").put("status", "pencilled")
                .put("category", "Plumbing"))));
        JsonNode ownConfirmed = outlook().event(created(upsert(own, timed("st-1", "Fit kitchen"))));
        JsonNode ownPencilled = outlook().event(created(upsert(own, timed("st-2", "Fit kitchen").put("status", "Pencilled"))));
        JsonNode ownOther = outlook().event(created(upsert(own, timed("st-3", "Fit kitchen").put("status", "quoted"))));

        assertThat(confirmed.path("showAs").asText()).isEqualTo("busy");
        assertThat(confirmed.path("categories")).extracting(JsonNode::asText).containsExactly("Confirmed", "Plumbing");
        assertThat(confirmed.path("body").path("contentType").asText()).isEqualTo("html");
        assertThat(confirmed.path("body").path("content").asText()).isEqualTo("<p>Bring <b>tiles</b></p>");
        assertThat(pencilled.path("showAs").asText()).isEqualTo("tentative");
        assertThat(pencilled.path("categories")).extracting(JsonNode::asText).containsExactly("Tentative", "Plumbing");
        assertThat(ownConfirmed.path("categories")).extracting(JsonNode::asText).containsExactly("Booked");
        assertThat(ownPencilled.path("showAs").asText()).isEqualTo("tentative");
        assertThat(ownPencilled.path("categories")).extracting(JsonNode::asText).containsExactly("Hold");
        assertThat(ownOther.path("categories")).isEmpty();
    }

    @Test
    void shouldRefuseAnInvalidCalendarConfig() {
        String key = newTenantKey();
        HubClient.Response badZone = hub.post("/api/v1/connections", key,
                "{\"provider\":\"outlook-calendar\",\"config\":{\"calendar\":{\"timeZone\":\"+02:00\"}}}");
        Tenant t = connect("outlook-calendar");
        HubClient.Response badCategories = hub.patch(t.connectionPath(), t.key(),
                "{\"config\":{\"calendar\":{\"categories\":{\"confirmed\":[1]},\"colour\":\"red\"}}}");

        assertThat(badZone.status()).isEqualTo(422);
        assertThat(badZone.json().path("errors").get(0).path("field").asText()).isEqualTo("/config/calendar/timeZone");
        assertThat(badCategories.status()).isEqualTo(422);
        assertThat(badCategories.json().path("errors")).extracting(e -> e.path("field").asText())
                .containsExactlyInAnyOrder("/config/calendar/colour", "/config/calendar/categories/confirmed");
    }

    @Test
    void shouldWaitOutThrottlingAndRetryUnavailabilityOnCreateWithoutDuplicates() {
        Tenant t = connect("outlook-calendar");
        String subject = "Survey " + UUID.randomUUID();
        MICROSOFT.graph().failNext("POST", "/me/events", 1, Reply.throttled(1));
        MICROSOFT.graph().failNext("POST", "/me/events", 1, Reply.error(503, "ServiceUnavailable", "Try again later"));

        long start = System.nanoTime();
        String id = created(upsert(t, timed("job-4", subject)));

        assertThat(System.nanoTime() - start).as("waited Retry-After: 1").isGreaterThanOrEqualTo(900_000_000L);
        assertThat(eventCalls(id)).containsExactly("POST /me/events 429", "POST /me/events 503", "POST /me/events 201");
        assertThat(outlook().events()).filteredOn(e -> e.path("subject").asText().equals(subject)).hasSize(1);
    }

    @Test
    void shouldAnswerGraphsRefusalOfAnActionAsAProblem() {
        Tenant t = connect("outlook-calendar");
        MICROSOFT.graph().failNext("POST", "/me/events", 1, Reply.error(400, "ErrorInvalidRequest", "Your request can't be completed."));

        HubClient.Response refused = upsert(t, timed("job-5", "Refused"));

        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().path("detail").asText()).contains("ErrorInvalidRequest");
        // Nothing was linked: the next upsert creates.
        assertThat(upsert(t, timed("job-5", "Refused")).json().path("outcome").asText()).isEqualTo("created");
    }

    @Test
    void shouldCountAnEventDeletedInOutlookAsDeletedAndCreateAVanishedOneAgainOnUpsert() {
        Tenant t = connect("outlook-calendar");
        String gone = created(upsert(t, timed("job-6", "Gone")));
        String vanished = created(upsert(t, timed("job-7", "Vanished")));
        outlookUser(t).delete("/me/events/" + gone);
        outlookUser(t).delete("/me/events/" + vanished);

        HubClient.Response removed = deleteEvent(t, "job-6");
        HubClient.Response recreated = upsert(t, timed("job-7", "Vanished, then moved").put("start", "2026-03-10T09:30:00+01:00"));

        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().path("outcome").asText()).isEqualTo("deleted");
        assertThat(eventCalls(gone)).containsSubsequence("DELETE /me/events/" + gone + " 204",
                "DELETE /me/events/" + gone + " 404");
        assertThat(deleteEvent(t, "job-6").status()).isEqualTo(404);
        assertThat(recreated.json().path("outcome").asText()).isEqualTo("created");
        String newId = recreated.json().path("externalId").asText();
        assertThat(newId).isNotEqualTo(vanished);
        assertThat(eventCalls(vanished)).contains("PATCH /me/events/" + vanished + " 404");
        assertThat(outlook().event(newId).path("subject").asText()).isEqualTo("Vanished, then moved");
    }

    @Test
    void shouldMarkCreatedEventsAndHonourGraphsTransactionIdInTheSimulator() {
        Tenant t = connect("outlook-calendar");
        String id = created(upsert(t, timed("job-8", "Marked")));
        GraphClient.Session session = outlookUser(t);

        JsonNode expanded = session.get("/me/events/" + id + "?$expand=" + URLEncoder.encode(
                "singleValueExtendedProperties($filter=id eq '" + OutlookCalendarEvents.MARKER + "')", StandardCharsets.UTF_8)
                .replace("+", "%20"));
        assertThat(expanded.path("singleValueExtendedProperties").get(0).path("value").asText())
                .isEqualTo(t.connectionId().toString());
        assertThat(outlook().event(id).path("transactionId").asText()).isNotBlank();

        ObjectNode body = JSON.createObjectNode().put("subject", "Retried").put("transactionId", "tx-" + UUID.randomUUID());
        body.putObject("start").put("dateTime", "2026-04-01T09:00:00").put("timeZone", "UTC");
        body.putObject("end").put("dateTime", "2026-04-01T10:00:00").put("timeZone", "UTC");
        assertThat(session.post("/me/events", body).path("id").asText()).isEqualTo(session.post("/me/events", body)
                .path("id").asText());

        ObjectNode notMidnight = body.deepCopy().put("isAllDay", true);
        notMidnight.remove("transactionId");
        assertThatThrownBy(() -> session.post("/me/events", notMidnight)).isInstanceOfSatisfying(
                GraphClient.GraphException.class, e -> assertThat(e.code()).isEqualTo("ErrorInvalidRequest"));
        ObjectNode sameDay = notMidnight.deepCopy();
        sameDay.putObject("start").put("dateTime", "2026-04-01T00:00:00").put("timeZone", "UTC");
        sameDay.putObject("end").put("dateTime", "2026-04-01T00:00:00").put("timeZone", "UTC");
        assertThatThrownBy(() -> session.post("/me/events", sameDay)).hasMessageContaining("at least 24 hours");
    }

    @Test
    void shouldResyncEveryLinkedEventRecreateAVanishedOneAndRemoveAnOrphan() {
        Tenant t = connect("outlook-calendar");
        Tenant other = connect("outlook-calendar");
        String vanished = created(upsert(t, timed("resync-A", "Alpha")));
        String kept = created(upsert(t, timed("resync-B", "Bravo")));
        String orphan = created(upsert(t, timed("resync-C", "Charlie")));
        String othersEvent = created(upsert(other, timed("resync-C", "Other connection's")));
        GraphClient.Session user = outlookUser(t);
        ObjectNode own = JSON.createObjectNode().put("subject", "Dentist");
        own.putObject("start").put("dateTime", "2026-03-11T15:00:00").put("timeZone", "UTC");
        own.putObject("end").put("dateTime", "2026-03-11T16:00:00").put("timeZone", "UTC");
        String usersOwn = user.post("/me/events", own).path("id").asText();
        user.delete("/me/events/" + vanished);
        // The hub lost the link of C (say it crashed between Graph's answer and saving the link).
        jdbc.update("DELETE FROM record_links WHERE connection_id = :c AND local_ref = 'resync-C'",
                Map.of("c", t.connectionId()));
        // Slows the run down so a second request finds it active.
        MICROSOFT.graph().failNext("PATCH", "/me/events/" + kept, 1, Reply.throttled(1));
        MICROSOFT.graph().clearCalls();

        JsonNode finished;
        try (KafkaProbe syncs = new KafkaProbe(kafka, "hub.syncs")) {
            HubClient.Response queued = hub.post(t.connectionPath() + "/syncs", t.key(),
                    "{\"entity\":\"calendar_event\",\"direction\":\"push\",\"mode\":\"full\"}");
            assertThat(queued.status()).as(queued.body()).isEqualTo(202);
            String runId = queued.json().path("id").asText();
            HubClient.Response second = hub.post(t.connectionPath() + "/syncs", t.key(),
                    "{\"entity\":\"calendar_event\",\"direction\":\"push\"}");
            assertThat(second.status()).isEqualTo(409);
            assertThat(second.json().path("runId").asText()).isEqualTo(runId);

            finished = awaitRun(t, runId, "succeeded");
            JsonNode event = syncs.await(t.connectionId().toString(),
                    e -> e.path("type").asText().equals("io.integrationhub.sync.finished")
                            && e.path("data").path("syncRunId").asText().equals(runId));
            assertThat(event.path("data").path("direction").asText()).isEqualTo("push");
            assertThat(event.path("data").path("deleted").asInt()).isEqualTo(1);
        }

        assertThat(finished.path("direction").asText()).isEqualTo("push");
        assertThat(finished.path("mode").asText()).isEqualTo("full");
        assertThat(finished.path("recordsTotal").asLong()).isEqualTo(2);
        assertThat(finished.path("recordsProcessed").asLong()).isEqualTo(2);
        assertThat(finished.path("created").asLong()).as("A created again").isEqualTo(1);
        assertThat(finished.path("updated").asLong()).as("B pushed again").isEqualTo(1);
        assertThat(finished.path("deleted").asLong()).as("C removed").isEqualTo(1);
        assertThat(finished.path("errors")).isEmpty();

        List<ObjectNode> alphas = outlook().events().stream().filter(e -> e.path("subject").asText().equals("Alpha")).toList();
        assertThat(alphas).hasSize(1);
        String recreated = alphas.get(0).path("id").asText();
        assertThat(recreated).isNotEqualTo(vanished);
        assertThat(eventCalls(vanished, kept, orphan)).contains("PATCH /me/events/" + vanished + " 404", "POST /me/events 201",
                "PATCH /me/events/" + kept + " 429", "PATCH /me/events/" + kept + " 200", "DELETE /me/events/" + orphan + " 204");
        assertThat(outlook().event(orphan)).isNull();
        assertThat(outlook().event(kept)).isNotNull();
        assertThat(outlook().event(othersEvent)).as("another connection's event").isNotNull();
        assertThat(outlook().event(usersOwn)).as("the user's own event").isNotNull();

        // The link follows the re-created event: the next change of A patches it.
        MICROSOFT.graph().clearCalls();
        HubClient.Response moved = upsert(t, timed("resync-A", "Alpha (moved)"));
        assertThat(moved.json().path("outcome").asText()).isEqualTo("updated");
        assertThat(moved.json().path("externalId").asText()).isEqualTo(recreated);
        assertThat(eventCalls(recreated)).containsExactly("PATCH /me/events/" + recreated + " 200");
    }

    @Test
    void shouldDeadLetterAnEventGraphRefusesDuringAPushRunAndGoOn() {
        Tenant t = connect("outlook-calendar");
        String refused = created(upsert(t, timed("dl-1", "Refused in the run")));
        String fine = created(upsert(t, timed("dl-2", "Fine")));
        MICROSOFT.graph().failNext("PATCH", "/me/events/" + refused, 1,
                Reply.error(400, "ErrorInvalidRequest", "Your request can't be completed."));

        HubClient.Response queued = hub.post(t.connectionPath() + "/syncs", t.key(),
                "{\"entity\":\"calendar_event\",\"direction\":\"push\",\"mode\":\"full\"}");
        String runId = queued.json().path("id").asText();
        JsonNode run = awaitRun(t, runId, "succeeded");

        assertThat(run.path("updated").asLong()).isEqualTo(1);
        assertThat(run.path("recordsProcessed").asLong()).isEqualTo(2);
        assertThat(run.path("errors")).hasSize(1);
        assertThat(run.path("errors").get(0).path("externalId").asText()).isEqualTo(refused);
        assertThat(run.path("errors").get(0).path("localRef").asText()).isEqualTo("dl-1");
        assertThat(run.path("errors").get(0).path("deadLettered").asBoolean()).isTrue();
        assertThat(eventCalls(fine)).contains("PATCH /me/events/" + fine + " 200");
        JsonNode letters = hub.get("/api/v1/dead-letters", t.key()).json().path("deadLetters");
        assertThat(letters).anySatisfy(letter -> {
            assertThat(letter.path("sourceType").asText()).isEqualTo("sync");
            assertThat(letter.path("sourceId").asText()).isEqualTo(runId);
            assertThat(letter.path("routeId").asText()).isEqualTo("sync.run");
            assertThat(letter.path("connectionId").asText()).isEqualTo(t.connectionId().toString());
            assertThat(letter.path("exceptionMessage").asText()).contains("ErrorInvalidRequest");
        });
    }

    @Test
    void shouldRefusePushRunsThatCannotBeDone() {
        Tenant t = connect("outlook-calendar");
        Tenant drive = connect("onedrive");

        HubClient.Response incremental = hub.post(t.connectionPath() + "/syncs", t.key(),
                "{\"entity\":\"calendar_event\",\"direction\":\"push\",\"mode\":\"incremental\"}");
        HubClient.Response ranged = hub.post(t.connectionPath() + "/syncs", t.key(),
                "{\"entity\":\"calendar_event\",\"direction\":\"push\",\"from\":\"2026-01-01T00:00:00Z\"}");
        HubClient.Response noTarget = hub.post(drive.connectionPath() + "/syncs", drive.key(),
                "{\"entity\":\"file\",\"direction\":\"push\"}");

        assertThat(incremental.status()).isEqualTo(422);
        assertThat(incremental.json().path("errors").get(0).path("field").asText()).isEqualTo("/mode");
        assertThat(ranged.status()).isEqualTo(422);
        assertThat(noTarget.status()).isEqualTo(422);
        assertThat(noTarget.json().path("errors").get(0).path("field").asText()).isEqualTo("/entity");
    }

    private JsonNode awaitRun(Tenant t, String runId, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                status.equals(hub.get("/api/v1/syncs/" + runId, t.key()).json().path("status").asText()));
        return hub.get("/api/v1/syncs/" + runId, t.key()).json();
    }
}
