package io.integrationhub.platform.webhook.subscription;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClient;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.catalog.ProviderCatalog;
import io.integrationhub.platform.config.HubProperties;

/**
 * The provider calls of the subscription lifecycle, on the wire as the providers document them:
 * Graph {@code POST/PATCH/DELETE /subscriptions} and {@code POST /subscriptions/{id}/reauthorize}, Drive {@code changes/startPageToken},
 * {@code changes/watch} and {@code channels/stop}. Base URLs are {@code hub.providers.<key>.api-url}.
 */
@Component
public class SubscriptionClients {

    /** What the provider answered for a created or renewed subscription/channel. */
    public record Created(String externalId, String resourceId, Instant expiresAt) {
    }

    private final RestClient http = RestClient.create();
    private final ProviderCatalog catalog;
    private final HubProperties hub;

    public SubscriptionClients(ProviderCatalog catalog, HubProperties hub) {
        this.catalog = catalog;
        this.hub = hub;
    }

    public String notificationUrl(String provider) {
        String base = hub.getPublicUrl().endsWith("/") ? hub.getPublicUrl().substring(0, hub.getPublicUrl().length() - 1)
                : hub.getPublicUrl();
        return base + "/webhooks/" + provider;
    }

    private String apiUrl(String provider) {
        return catalog.settings(catalog.find(provider).orElseThrow()).getApiUrl();
    }

    public Created createGraph(String provider, String token, String resource, String changeType, String clientState,
            Instant expiration) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("changeType", changeType);
        body.put("notificationUrl", notificationUrl(provider));
        body.put("lifecycleNotificationUrl", notificationUrl(provider));
        body.put("resource", resource);
        body.put("expirationDateTime", expiration.toString());
        body.put("clientState", clientState);
        JsonNode created = http.post().uri(apiUrl(provider) + "/subscriptions").headers(h -> h.setBearerAuth(token))
                .contentType(MediaType.APPLICATION_JSON).body(body).retrieve().body(JsonNode.class);
        return new Created(created.path("id").asText(), null, Instant.parse(created.path("expirationDateTime").asText()));
    }

    /** PATCH renewal; null when Graph no longer knows the subscription (404), which means re-create. */
    public Created renewGraph(String provider, String token, String subscriptionId, Instant expiration) {
        try {
            JsonNode renewed = http.patch().uri(apiUrl(provider) + "/subscriptions/{id}", subscriptionId)
                    .headers(h -> h.setBearerAuth(token)).contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("expirationDateTime", expiration.toString())).retrieve().body(JsonNode.class);
            return new Created(subscriptionId, null, Instant.parse(renewed.path("expirationDateTime").asText()));
        } catch (HttpClientErrorException.NotFound e) {
            return null;
        }
    }

    /**
     * Graph {@code POST /subscriptions/{id}/reauthorize} (no body; 200/204), the documented answer to a
     * {@code reauthorizationRequired} lifecycle notification. False when Graph no longer knows the
     * subscription (404), which means re-create.
     */
    public boolean reauthorizeGraph(String provider, String token, String subscriptionId) {
        try {
            http.post().uri(apiUrl(provider) + "/subscriptions/{id}/reauthorize", subscriptionId)
                    .headers(h -> h.setBearerAuth(token)).retrieve().toBodilessEntity();
            return true;
        } catch (HttpClientErrorException.NotFound e) {
            return false;
        }
    }

    public void deleteGraph(String provider, String token, String subscriptionId) {
        http.delete().uri(apiUrl(provider) + "/subscriptions/{id}", subscriptionId).headers(h -> h.setBearerAuth(token))
                .retrieve().onStatus(HttpStatusCode::is4xxClientError, (req, res) -> { }).toBodilessEntity();
    }

    public Created watchDriveChanges(String token, String channelId, String channelToken, Instant expiration) {
        String api = apiUrl("google-drive");
        JsonNode start = http.get().uri(api + "/drive/v3/changes/startPageToken").headers(h -> h.setBearerAuth(token))
                .retrieve().body(JsonNode.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", channelId);
        body.put("type", "web_hook");
        body.put("address", notificationUrl("google-drive"));
        body.put("token", channelToken);
        body.put("expiration", expiration.toEpochMilli());
        JsonNode channel = http.post().uri(api + "/drive/v3/changes/watch?pageToken={t}", start.path("startPageToken").asText())
                .headers(h -> h.setBearerAuth(token)).contentType(MediaType.APPLICATION_JSON).body(body).retrieve()
                .body(JsonNode.class);
        JsonNode exp = channel.path("expiration");
        return new Created(channel.path("id").asText(channelId), channel.path("resourceId").asText(null),
                exp.isMissingNode() || exp.isNull() ? expiration : Instant.ofEpochMilli(exp.asLong()));
    }

    public void stopDriveChannel(String token, String channelId, String resourceId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", channelId);
        body.put("resourceId", resourceId);
        http.post().uri(apiUrl("google-drive") + "/drive/v3/channels/stop").headers(h -> h.setBearerAuth(token))
                .contentType(MediaType.APPLICATION_JSON).body(body).retrieve()
                .onStatus(HttpStatusCode::is4xxClientError, (req, res) -> { }).toBodilessEntity();
    }
}
