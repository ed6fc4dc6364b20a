package io.integrationhub.provider.microsoft.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.component.resilience4j.ResilienceProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.integrationhub.platform.resilience.ProviderCallException;
import io.integrationhub.provider.microsoft.sandbox.GraphSimulator.Reply;
import io.integrationhub.provider.microsoft.MicrosoftTestBase;

/**
 * A Graph call passes the Microsoft family's provider route {@code microsoft.provider} (the platform template
 * {@code provider-endpoint}) and its camel-resilience4j circuit breaker, node {@code microsoft.provider.breaker}:
 * repeated 503s open it, and the next call is refused without reaching Graph.
 *
 * <p>Its own Spring context (a small breaker window and a long open state, by the properties the template reads for
 * its parameters' defaults): an open breaker would refuse the calls of every other test sharing the context.
 */
@TestPropertySource(properties = {
        "hub.resilience.max-attempts=2",
        "hub.resilience.circuit-breaker.sliding-window-size=4",
        "hub.resilience.circuit-breaker.minimum-number-of-calls=4",
        "hub.resilience.circuit-breaker.wait-in-open-state-seconds=600" })
// Its own Spring context (the properties above), closed after the class: a second live CamelContext named
// integration-hub would hold the JMX names (routes, processors) that Jolokia reads for the shared Microsoft context.
@DirtiesContext
class GraphCircuitBreakerTest extends MicrosoftTestBase {

    @Autowired
    GraphClient graph;
    @Autowired
    CamelContext camel;

    @Test
    void shouldOpenTheMicrosoftBreakerAfterRepeated503sAndThenRefuseWithoutCallingGraph() {
        Tenant t = connect("outlook-calendar");
        GraphClient.Session session = graph.session("outlook-calendar", t.id(), t.connectionId());
        ResilienceProcessor breaker = camel.getProcessor("microsoft.provider.breaker", ResilienceProcessor.class);
        assertThat(breaker).as("the family route's breaker node").isNotNull();
        assertThat(breaker.getRouteId()).isEqualTo("microsoft.provider");
        assertThat(breaker.getCircuitBreakerWaitDurationInOpenState()).isEqualTo(600);
        assertThat(breaker.getCircuitBreakerState()).isEqualTo("CLOSED");

        MICROSOFT.graph().failNext("GET", "/me", 100, Reply.error(503, "serviceNotAvailable", "Try later"));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 10 && answers.stream().noneMatch(a -> a.contains("circuit breaker is open")); i++) {
            ProviderCallException e = catchThrowableOfType(ProviderCallException.class, () -> session.get("/me"));
            assertThat(e).as("a Graph 503 is never an answer").isNotNull();
            assertThat(e.kind()).isEqualTo(ProviderCallException.Kind.UNAVAILABLE);
            answers.add(e.getMessage());
        }
        assertThat(answers).as("retried 503s until the breaker opened").contains("microsoft answered 503 after 2 attempts");
        assertThat(answers.get(answers.size() - 1)).contains("circuit breaker is open");
        assertThat(breaker.getCircuitBreakerState()).isEqualTo("OPEN");

        long reached = graphCallsToMe();
        ProviderCallException refused = catchThrowableOfType(ProviderCallException.class, () -> session.get("/me"));
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).contains("circuit breaker is open");
        assertThat(refused.resumeAfter()).as("calls resume once the breaker lets trial calls through").isNotNull();
        assertThat(graphCallsToMe()).as("an open breaker does not call Graph").isEqualTo(reached);
        assertThat(breaker.getNumberOfNotPermittedCalls()).isGreaterThanOrEqualTo(2);
    }

    private static long graphCallsToMe() {
        return MICROSOFT.calls().stream().filter(c -> c.path().equals("/me")).count();
    }
}
