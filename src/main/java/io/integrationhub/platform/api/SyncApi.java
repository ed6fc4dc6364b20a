package io.integrationhub.platform.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.sync.SyncRun;
import io.integrationhub.platform.sync.SyncService;
import io.integrationhub.platform.sync.SyncRunRepository;
import io.integrationhub.platform.sync.RecordSearch;
import io.integrationhub.platform.sync.RecordStore;
import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.connections.ConnectionService;

/** REST operations on sync runs and records (route beans named by operationId). */
@Component("syncApi")
public class SyncApi {

    private final ApiExchange api;
    private final SyncService syncs;
    private final SyncRunRepository runs;
    private final RecordStore records;
    private final ConnectionService connections;
    private final ObjectProvider<RecordSearch> searches;

    public SyncApi(ApiExchange api, SyncService syncs, SyncRunRepository runs, RecordStore records,
            ConnectionService connections, ObjectProvider<RecordSearch> searches) {
        this.api = api;
        this.syncs = syncs;
        this.runs = runs;
        this.records = records;
        this.connections = connections;
        this.searches = searches;
    }

    public void createSync(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID connectionId = api.uuidParam(exchange, "id");
        try {
            SyncRun run = syncs.request(tenant, connectionId, api.body(exchange));
            api.respond(exchange, 202, Map.of("id", run.id(), "status", run.status()));
        } catch (SyncRunRepository.AlreadyActive e) {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", "https://integration-hub.dev/problems/sync-already-active");
            problem.put("title", "Conflict");
            problem.put("status", 409);
            problem.put("detail", "A sync of this entity is already queued or running: " + e.runId());
            problem.put("runId", e.runId());
            api.respond(exchange, 409, problem);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, Problem.MEDIA_TYPE);
        }
    }

    public void getSync(Exchange exchange) {
        api.respond(exchange, 200, syncs.get(api.tenant(exchange), api.uuidParam(exchange, "syncId")));
    }

    public void listSyncs(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID connectionId = api.uuidParam(exchange, "id");
        connections.get(tenant, connectionId);
        api.respond(exchange, 200, runs.list(tenant, connectionId, api.limitParam(exchange, 20, 200)));
    }

    public void cancelSync(Exchange exchange) {
        api.respond(exchange, 200, syncs.cancel(api.tenant(exchange), api.uuidParam(exchange, "syncId")));
    }

    public void listRecords(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        UUID connectionId = api.uuidParam(exchange, "id");
        connections.get(tenant, connectionId);
        String model = api.queryParam(exchange, "model");
        Instant modifiedAfter = null;
        String after = api.queryParam(exchange, "modifiedAfter");
        if (after != null) {
            try {
                modifiedAfter = OffsetDateTime.parse(after).toInstant();
            } catch (DateTimeParseException e) {
                throw ProblemException.badRequest("'modifiedAfter' must be an RFC 3339 date-time",
                        new FieldError("modifiedAfter", "must be an RFC 3339 date-time"));
            }
        }
        RecordStore.RecordPage page = records.list(tenant, connectionId, model, modifiedAfter,
                api.queryParam(exchange, "cursor"), api.limitParam(exchange, 100, 1000), search(model, api.queryParam(exchange, "q")));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("records", page.records());
        body.put("nextCursor", page.nextCursor());
        api.respond(exchange, 200, body);
    }

    /** {@code q}: the model's free-text search; models without one refuse it rather than ignore it. */
    private RecordSearch.Filter search(String model, String q) {
        if (q == null) {
            return null;
        }
        String text = q.trim();
        if (text.isEmpty() || text.length() > 200) {
            throw ProblemException.badRequest("'q' must be 1 to 200 characters", new FieldError("q", "1 to 200 characters"));
        }
        List<RecordSearch> all = searches.orderedStream().toList();
        return all.stream().filter(s -> s.model().equals(model)).findFirst()
                .orElseThrow(() -> ProblemException.badRequest("Records of model '" + model + "' cannot be searched; 'q' "
                        + "is supported for: " + String.join(", ", all.stream().map(RecordSearch::model).sorted().toList()),
                        new FieldError("q", "not supported for model " + model)))
                .filter(text);
    }
}
