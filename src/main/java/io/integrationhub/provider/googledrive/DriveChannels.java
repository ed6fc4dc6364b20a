package io.integrationhub.provider.googledrive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.resilience.ProviderCalls;
import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls;
import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls.Caller;
import io.integrationhub.platform.webhook.subscription.ProviderSubscriptionCalls.Created;

/**
 * Google Drive change channels for the platform's subscription lifecycle. The calls are the Google Drive family's
 * routes ({@code routes/google-drive/channels.camel.yaml}: {@value #WATCH} and {@value #STOP}, through
 * {@code direct:google-drive.provider}); this class only builds the channel request and reads Drive's answer.
 */
@Component
public class DriveChannels implements ProviderSubscriptionCalls.Drive {

    public static final String WATCH = "direct:google-drive.changes.watch";
    public static final String STOP = "direct:google-drive.channels.stop";

    private final ProducerTemplate producer;
    private final ObjectMapper mapper;

    public DriveChannels(ProducerTemplate producer, ObjectMapper mapper) {
        this.producer = producer;
        this.mapper = mapper;
    }

    @Override
    public Created watchChanges(Caller caller, String channelId, String channelToken, String address, Instant expiration) {
        ObjectNode channel = mapper.createObjectNode();
        channel.put("id", channelId);
        channel.put("type", "web_hook");
        channel.put("address", address);
        channel.put("token", channelToken);
        channel.put("expiration", expiration.toEpochMilli());
        JsonNode answer = call(WATCH, caller, channel);
        JsonNode exp = answer.path("expiration");
        return new Created(answer.path("id").asText(channelId), answer.path("resourceId").asText(null),
                exp.isMissingNode() || exp.isNull() ? expiration : Instant.ofEpochMilli(exp.asLong()));
    }

    @Override
    public void stop(Caller caller, String channelId, String resourceId) {
        ObjectNode body = mapper.createObjectNode();
        body.put("id", channelId);
        body.put("resourceId", resourceId);
        call(STOP, caller, body);
    }

    private JsonNode call(String route, Caller caller, JsonNode body) {
        Exchange result = producer.send(route, exchange -> {
            exchange.setProperty(ProviderCalls.TENANT, caller.tenantId());
            exchange.setProperty(ProviderCalls.CONNECTION, caller.connectionId());
            exchange.setProperty(ProviderCalls.PROVIDER, caller.provider());
            exchange.setProperty(ProviderCalls.BEARER, caller.bearer());
            exchange.getMessage().setBody(body.toString());
        });
        if (result.getException() instanceof RuntimeException failure) {
            throw failure;
        }
        if (result.getException() != null) {
            throw new UncheckedIOException(new IOException("Google Drive call failed ("
                    + result.getException().getClass().getSimpleName() + ")"));
        }
        String answer = result.getMessage().getBody(String.class);
        try {
            return answer == null || answer.isBlank() ? mapper.createObjectNode() : mapper.readTree(answer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
