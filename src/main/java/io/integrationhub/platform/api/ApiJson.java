package io.integrationhub.platform.api;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Parses JSON request bodies under Jackson stream-read constraints ({@code hub.api.max-json-depth},
 * {@code hub.api.max-json-string-length}, numbers of at most 100 digits), so a small body cannot make the hub
 * recurse deeply or build huge values. Provider responses are not parsed here: they keep Jackson's defaults.
 */
@Component
public class ApiJson {

    private final ObjectMapper mapper;

    public ApiJson(ApiProperties properties) {
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(properties.getMaxJsonDepth())
                .maxStringLength(properties.getMaxJsonStringLength())
                .maxNumberLength(100)
                .build()).build();
        this.mapper = JsonMapper.builder(factory).build();
    }

    public JsonNode readTree(InputStream in) throws IOException {
        return mapper.readTree(in);
    }

    public JsonNode readTree(String body) throws IOException {
        return mapper.readTree(body);
    }

    /**
     * Streams through a body without building anything: the problem when it breaks a constraint, or null
     * (also for JSON that is otherwise malformed, which the schema validation reports itself).
     */
    public String constraintProblem(String body) {
        try (JsonParser parser = mapper.getFactory().createParser(body)) {
            while (parser.nextToken() != null) {
                if (parser.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING
                        || parser.currentToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    parser.getText();
                } else if (parser.currentToken().isNumeric()) {
                    parser.getNumberValue();
                }
            }
            return null;
        } catch (StreamConstraintsException e) {
            return e.getOriginalMessage();
        } catch (IOException e) {
            return null;
        }
    }
}
