package io.integrationhub.platform.family;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.sync.SyncSource.Mapped;

/**
 * How a family's Java (where a family still has some) applies its mapping files: through a route of the family
 * whose step is the mapping ({@code to: jsonata:file:…/mappings/<name>.jsonata?contentCache=false}), so the mapping
 * is a file in the family's folder, changed without a rebuild or restart, and seen in Hawtio as a route step.
 */
@Component
public class FamilyMappings {

    private final ProducerTemplate producer;
    private final ObjectMapper mapper;

    public FamilyMappings(ProducerTemplate producer, ObjectMapper mapper) {
        this.producer = producer;
        this.mapper = mapper;
    }

    /** JSON in, JSON out, through the mapping route {@code route}. */
    public JsonNode apply(String route, JsonNode input) {
        return call(route, input, exchange -> { });
    }

    /**
     * JSON in, JSON out, through a family route, with exchange properties set by {@code properties} first (the
     * platform's context for the route: tenant, connection, config). A route's failure is rethrown as it is.
     */
    public JsonNode call(String route, JsonNode input, java.util.function.Consumer<Exchange> properties) {
        Exchange result = producer.send(route, exchange -> {
            properties.accept(exchange);
            exchange.getMessage().setBody(input.toString());
        });
        if (result.getException() instanceof RuntimeException e) {
            throw e;
        }
        if (result.getException() != null) {
            throw new IllegalStateException(route + " failed: " + result.getException().getMessage(), result.getException());
        }
        String text = result.getMessage().getBody(String.class);
        try {
            return text == null || text.isBlank() ? mapper.nullNode() : mapper.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(route + " did not answer JSON", e);
        }
    }

    /** A provider object through a record mapping that answers {@code {externalId, data, remoteUpdatedAt, deleted}}. */
    public Mapped record(String route, JsonNode raw) {
        JsonNode out = apply(route, raw);
        JsonNode data = out.path("data");
        String id = out.path("externalId").asText(null);
        boolean deleted = out.path("deleted").asBoolean(false);
        if (!deleted && !data.isObject()) {
            throw new IllegalArgumentException("the mapping gave no data object");
        }
        return new Mapped(id, data.isObject() ? (ObjectNode) data : mapper.createObjectNode(),
                instant(out.path("remoteUpdatedAt").asText(null)), deleted);
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
