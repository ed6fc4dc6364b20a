package io.integrationhub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;

/**
 * Route policy {@code #backgroundPriority}: a route's consumer threads run at the configured nice value, other routes'
 * threads keep theirs; the shipped routes of work no request waits on carry it (webhook processing, sync workers, the
 * outbox relay, host webhook deliveries). Linux only (the policy does
 * nothing elsewhere).
 */
class BackgroundPriorityTest extends CamelTestSupport {

    /** nice value per route, as the route's own thread read it while carrying the exchange. */
    private final Map<String, List<Integer>> seen = new ConcurrentHashMap<>();

    @BeforeAll
    static void linux() {
        Assumptions.assumeTrue(Files.isSymbolicLink(Path.of("/proc/thread-self")), "needs Linux /proc/thread-self");
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext camel = super.createCamelContext();
        camel.getRegistry().bind("backgroundPriority", new BackgroundPriority(7));
        camel.getRegistry().bind("off", new BackgroundPriority(0));
        return camel;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            public void configure() {
                from("seda:background?concurrentConsumers=2").id("background").routePolicyRef("backgroundPriority")
                        .process(e -> record(e, "background"));
                from("seda:foreground").id("foreground").process(e -> record(e, "foreground"));
                from("seda:off").id("off").routePolicyRef("off").process(e -> record(e, "off"));
            }
        };
    }

    private void record(Exchange exchange, String route) throws IOException {
        seen.computeIfAbsent(route, r -> new CopyOnWriteArrayList<>()).add(BackgroundPriority.currentNice());
    }

    @Test
    void lowersTheThreadsOfTheRoutesThatCarryItOnly() throws Exception {
        int own = BackgroundPriority.currentNice();
        for (int i = 0; i < 20; i++) {
            template.sendBody("seda:background", i);
            template.sendBody("seda:foreground", i);
            template.sendBody("seda:off", i);
        }
        awaitSeen("background", 20);
        awaitSeen("foreground", 20);
        awaitSeen("off", 20);
        // every exchange, the first one included, ran on a lowered thread (both consumers of the route)
        assertThat(seen.get("background")).hasSize(20).containsOnly(Math.max(own, 7));
        assertThat(seen.get("foreground")).hasSize(20).containsOnly(own);
        assertThat(seen.get("off")).hasSize(20).containsOnly(own);
    }

    @Test
    void refusesANiceValueOutsideZeroToNineteen() {
        assertThatThrownBy(() -> new BackgroundPriority(20)).hasMessageContaining("hub.background-nice");
        assertThatThrownBy(() -> new BackgroundPriority(-1)).hasMessageContaining("hub.background-nice");
    }

    @Test
    void webhookProcessingSyncWorkersTheRelayAndHostWebhooksRunAtBackgroundPriority() throws Exception {
        try (DefaultCamelContext shipped = new DefaultCamelContext()) {
            for (String file : List.of("classpath:camel/webhooks.camel.yaml", "classpath:camel/sync.camel.yaml",
                    "classpath:camel/outbox.camel.yaml", "classpath:camel/host-webhooks.camel.yaml")) {
                for (RoutesBuilder builder : PluginHelper.getRoutesLoader(shipped)
                        .findRoutesBuilders(List.of(ResourceHelper.resolveMandatoryResource(shipped, file)))) {
                    builder.addRoutesToCamelContext(shipped);
                }
            }
            Map<String, String> policies = new java.util.HashMap<>();
            for (RouteDefinition route : shipped.getRouteDefinitions()) {
                policies.put(route.getRouteId(), String.valueOf(route.getRoutePolicyRef()));
            }
            assertThat(policies).containsEntry("webhooks.consume", "#backgroundPriority")
                    .containsEntry("sync.workers", "#backgroundPriority")
                    .containsEntry("outbox.relay", "#backgroundPriority")
                    .containsEntry("host-webhooks.dispatch", "#backgroundPriority")
                    .containsEntry("host-webhooks.deliver", "#backgroundPriority");
            // answering a webhook stays at the request threads' priority
            assertThat(policies.get("webhooks.ingress")).isEqualTo("null");
        }
    }

    private void awaitSeen(String route, int count) throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (seen.getOrDefault(route, List.of()).size() < count && System.nanoTime() < until) {
            Thread.sleep(10);
        }
    }
}
