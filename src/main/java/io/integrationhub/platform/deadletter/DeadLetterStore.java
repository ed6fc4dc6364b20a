package io.integrationhub.platform.deadletter;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.events.EventPublisher;
import io.integrationhub.platform.events.HubTopics;
import io.integrationhub.platform.events.Outbox;
import io.integrationhub.platform.events.OutboxMessage;
import io.integrationhub.platform.tenancy.TenantAuthFilter;

/**
 * Keeps a failed message: the original body, its headers minus anything secret-looking, the
 * exception and the route it failed in, with the CloudEvent announcing it on {@code hub.dead-letters}
 * in the outbox (same transaction). The message becomes that CloudEvent.
 */
@Component("deadLetterStore")
public class DeadLetterStore {

    public static final String CONNECTION_HEADER = "HubConnectionId";
    public static final String SOURCE_TYPE_HEADER = "HubSourceType";
    public static final String SOURCE_ID_HEADER = "HubSourceId";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);
    /** A header whose name (any case) contains one of these is never stored: its value may be a credential. */
    private static final List<String> SECRET_WORDS = List.of("authorization", "token", "secret", "signature", "password",
            "passwd", "apikey", "api-key", "api_key", "cookie", "credential", "code_verifier", "hmac");
    private static final int MAX_TEXT = 4000;

    private final NamedParameterJdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final EventPublisher events;
    private final Outbox outbox;
    private final TransactionTemplate tx;

    public DeadLetterStore(NamedParameterJdbcTemplate jdbc, ObjectMapper mapper, EventPublisher events, Outbox outbox,
            TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.events = events;
        this.outbox = outbox;
        this.tx = tx;
    }

    public static boolean isSecretHeader(String name) {
        // a loop over words, not a regex: every stored webhook checks each of its headers
        String lower = name.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (lower.contains(word)) {
                return true;
            }
        }
        return false;
    }

    public void store(Exchange exchange) throws JsonProcessingException {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String routeId = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        String endpoint = exchange.getProperty(Exchange.FAILURE_ENDPOINT, String.class);
        Map<String, Object> safeHeaders = new LinkedHashMap<>();
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            if (!isSecretHeader(name) && value != null && (value instanceof CharSequence || value instanceof Number
                    || value instanceof Boolean)) {
                safeHeaders.put(name, value.toString());
            }
        });
        UUID id = UUID.randomUUID();
        UUID tenantId = uuid(exchange.getMessage().getHeader(TenantAuthFilter.TENANT_HEADER, String.class));
        UUID connectionId = uuid(exchange.getMessage().getHeader(CONNECTION_HEADER, String.class));
        String body = exchange.getMessage().getBody(String.class);

        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("tenantId", tenantId);
        row.put("connectionId", connectionId);
        row.put("routeId", routeId);
        row.put("endpoint", truncate(endpoint, 2048));
        row.put("sourceType", exchange.getMessage().getHeader(SOURCE_TYPE_HEADER, String.class));
        row.put("sourceId", exchange.getMessage().getHeader(SOURCE_ID_HEADER, String.class));
        row.put("exceptionType", cause == null ? null : cause.getClass().getName());
        row.put("exceptionMessage", cause == null ? null : truncate(cause.getMessage(), MAX_TEXT));
        row.put("body", body);
        row.put("headers", mapper.writeValueAsString(safeHeaders));
        row.put("now", Timestamp.from(Instant.now()));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("deadLetterId", id.toString());
        data.put("routeId", routeId);
        data.put("connectionId", connectionId == null ? null : connectionId.toString());
        data.put("exceptionType", cause == null ? null : cause.getClass().getName());
        String event = events.envelope(id, "dead_letter.created", "dead-letters/" + id, tenantId, connectionId, data);
        String key = connectionId != null ? connectionId.toString() : id.toString();

        // The dead letter and its announcement on hub.dead-letters commit together (joining the caller's
        // transaction if there is one, e.g. a sync page).
        tx.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO dead_letters (id, tenant_id, connection_id, route_id, endpoint_uri, source_type, source_id, "
                    + "exception_type, exception_message, body, headers, status, created_at) VALUES (:id, :tenantId, "
                    + ":connectionId, :routeId, :endpoint, :sourceType, :sourceId, :exceptionType, :exceptionMessage, :body, "
                    + ":headers, 'failed', :now)", row);
            outbox.enqueue(new OutboxMessage(id, HubTopics.DEAD_LETTERS, key, event,
                    Map.of(EventPublisher.CONTENT_TYPE_HEADER, EventPublisher.CLOUDEVENTS_JSON)));
        });
        LOG.warn("Dead letter {} from route {}: {}", id, routeId, cause == null ? "no exception" : cause.getClass().getSimpleName());

        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(KafkaConstants.KEY, key);
        exchange.getMessage().setBody(event);
    }

    private static UUID uuid(String value) {
        try {
            return value == null ? null : UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
