package io.integrationhub.provider.microsoft.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.integrationhub.provider.microsoft.sandbox.GraphSimulator;
import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Reply;
import io.integrationhub.provider.microsoft.MicrosoftTestBase;

/** The family's one door to Graph: camel-http route, vault tokens, Retry-After, refresh after 401, Graph error codes. */
class GraphClientTest extends MicrosoftTestBase {

    @Autowired
    GraphClient graph;

    @Test
    void shouldCallGraphWithTheConnectionsTokenAndKeepGraphErrorCodes() {
        Tenant t = connect("onedrive");
        GraphClient.Session session = graph.session("onedrive", t.id(), t.connectionId());
        assertThat(session.get("/me").path("displayName").asText()).isEqualTo("Sandbox User");

        assertThatThrownBy(() -> session.get("/no/such/segment"))
                .isInstanceOfSatisfying(GraphClient.GraphException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("BadRequest");
                });
        GraphClient.Reply notFound = session.send(GraphClient.Request.of("GET", session.url("/no/such/segment")),
                status -> status == 400);
        assertThat(notFound.errorCode()).isEqualTo("BadRequest");
    }

    @Test
    void shouldWaitRetryAfterOn429AndRetry503() {
        Tenant t = connect("onedrive");
        GraphClient.Session session = graph.session("onedrive", t.id(), t.connectionId());
        MICROSOFT.graph().clearCalls();
        MICROSOFT.graph().failNext("GET", "/me", 1, Reply.throttled(1));
        MICROSOFT.graph().failNext("GET", "/me", 1, Reply.error(503, "serviceNotAvailable", "Try later"));
        long start = System.nanoTime();
        assertThat(session.get("/me").path("id").asText()).isNotEmpty();
        assertThat(System.nanoTime() - start).as("waited Retry-After: 1").isGreaterThanOrEqualTo(900_000_000L);
        List<Integer> statuses = MICROSOFT.calls().stream().filter(c -> c.path().equals("/me"))
                .map(GraphSimulator.Call::status).toList();
        assertThat(statuses).containsExactly(429, 503, 200);
    }

    @Test
    void shouldRefreshAnExpiredTokenOnceAndRetry() {
        Tenant t = connect("outlook");
        GraphClient.Session session = graph.session("outlook", t.id(), t.connectionId());
        int before = MICROSOFT.tokenCalls();
        MICROSOFT.expireAccessTokens();
        assertThat(session.get("/me").path("id").asText()).isNotEmpty();
        assertThat(MICROSOFT.tokenCalls() - before).isEqualTo(1);
    }

    @Test
    void shouldStreamABodyToASinkWithoutTheTokenOnPreAuthenticatedUrls() {
        Tenant t = connect("onedrive");
        GraphClient.Session session = graph.session("onedrive", t.id(), t.connectionId());
        MICROSOFT.graph().onAnonymous("GET", "/test-download/(.+)", (r, m) -> new Reply(200,
                new java.util.LinkedHashMap<>(java.util.Map.of("Content-Type", "text/plain")),
                ("content of " + m.group(1)).getBytes(StandardCharsets.UTF_8), null));
        MICROSOFT.graph().clearCalls();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        session.send(GraphClient.Request.of("GET", session.url("/test-download/a.txt")).anonymous().streamTo(out));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("content of a.txt");
        // only this download's call: another test's connection may still be syncing against the same simulator
        assertThat(MICROSOFT.calls().stream().filter(c -> c.path().startsWith("/test-download/")).toList())
                .singleElement().satisfies(c -> assertThat(c.authorized()).isFalse());
    }
}
