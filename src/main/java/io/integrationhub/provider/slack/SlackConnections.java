package io.integrationhub.provider.slack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.api.ApiExchange;
import io.integrationhub.platform.connections.Connection;
import io.integrationhub.platform.connections.ConnectionService;
import io.integrationhub.platform.connections.ConnectionStatus;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.platform.resilience.ProviderCalls;

/**
 * The Slack family's steps that read or change the hub's connections (tenant-scoped platform state a route cannot
 * reach): which Slack connections of a tenant receive an alert, the connection behind a channel-picker call, and what
 * Slack's refusals ({@code {"ok":false,"error"}}) mean for the connection.
 */
@Component("slackConnections")
public class SlackConnections {

    static final String PROVIDER = "slack";
    private static final Logger LOG = LoggerFactory.getLogger(SlackConnections.class);

    private final ConnectionService connections;
    private final ApiExchange api;

    public SlackConnections(ConnectionService connections, ApiExchange api) {
        this.connections = connections;
        this.api = api;
    }

    /**
     * The tenant's active Slack connections with a channel: {@code [{tenantId, connectionId, channel, alerts}]}
     * ({@code alerts} the connection's filter, {@code *} when not set). Which of them take the alert is the route's
     * filter step.
     */
    public List<Map<String, Object>> targets(String tenantId) {
        List<Map<String, Object>> targets = new ArrayList<>();
        if (tenantId == null || tenantId.isBlank()) {
            return targets;
        }
        UUID tenant = UUID.fromString(tenantId);
        for (Connection c : connections.list(tenant, PROVIDER, ConnectionStatus.ACTIVE.wire(), null)) {
            String channel = c.config() == null ? null : c.config().path("channel").asText(null);
            if (channel == null || channel.isBlank()) {
                continue;
            }
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("tenantId", tenant);
            target.put("connectionId", c.id());
            target.put("channel", channel);
            target.put("alerts", c.config().path("alerts").asText("*"));
            targets.add(target);
        }
        return targets;
    }

    /**
     * REST step of the channel picker: the caller's Slack connection named by path parameter {@code id} (404 for
     * another tenant's, 422 for another provider's or one that is not active) becomes the exchange properties the
     * provider endpoint reads.
     */
    public void forApi(Exchange exchange) {
        UUID tenant = api.tenant(exchange);
        Connection c = connections.get(tenant, api.uuidParam(exchange, "id"));
        if (!PROVIDER.equals(c.provider())) {
            throw ProblemException.unprocessable("A " + c.provider() + " connection has no Slack channels.",
                    new FieldError("provider", c.provider()));
        }
        if (c.status() != ConnectionStatus.ACTIVE) {
            throw ProblemException.unprocessable("The connection is " + c.status().wire() + ".",
                    new FieldError("/status", c.status().wire()));
        }
        exchange.setProperty(ProviderCalls.TENANT, tenant);
        exchange.setProperty(ProviderCalls.CONNECTION, c.id());
    }

    /** A Slack call of an API request was refused ({@code {"slackError"}} from the route's mapping): a 502 problem. */
    public void refused(String answer) {
        String error = answer.replaceAll(".*\"slackError\"\\s*:\\s*\"([^\"]*)\".*", "$1");
        throw new ProviderCallException(ProviderCallException.Kind.REJECTED, 502, "Slack answered " + error, null);
    }

    /** Slack refused the bot token ({@code token_revoked}, {@code invalid_auth}, …): the user must reconnect. */
    public void reauthorize(Exchange exchange, String error) {
        change(exchange, ConnectionStatus.REAUTH_REQUIRED, "Slack answered " + error + ": connect Slack again");
    }

    /**
     * The channel cannot take messages ({@code channel_not_found}, {@code not_in_channel}, {@code is_archived}): the
     * token is fine, so the connection stays active and shows why in {@code lastError} until another channel is chosen.
     */
    public void channelRefused(Exchange exchange, String error) {
        String channel = exchange.getProperty(SlackAlertThreads.CHANNEL, String.class);
        change(exchange, ConnectionStatus.ACTIVE, "Slack answered " + error + " for channel " + channel
                + ": choose another channel or invite the app to it (/invite)");
    }

    /** Slack took a message: a channel refusal shown in {@code lastError} is over. */
    public void delivered(Exchange exchange) {
        UUID tenant = exchange.getProperty(ProviderCalls.TENANT, UUID.class);
        Connection c = connections.get(tenant, exchange.getProperty(ProviderCalls.CONNECTION, UUID.class));
        if (c.lastError() != null && c.status() == ConnectionStatus.ACTIVE) {
            connections.changeStatus(tenant, c, ConnectionStatus.ACTIVE, null);
        }
    }

    private void change(Exchange exchange, ConnectionStatus status, String reason) {
        UUID tenant = exchange.getProperty(ProviderCalls.TENANT, UUID.class);
        UUID id = exchange.getProperty(ProviderCalls.CONNECTION, UUID.class);
        LOG.warn("Slack connection {} of tenant {}: {}", id, tenant, reason);
        Connection c = connections.get(tenant, id);
        connections.changeStatus(tenant, c, status, reason);
    }
}
