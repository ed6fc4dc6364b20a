package io.integrationhub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.Set;

import javax.management.AttributeNotFoundException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.ReflectionException;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Route-step MBeans assembled by {@link SharedInfoMBeanAssembler}: one MBean info per step class, and through it the
 * same statistics, operations and route dumps (what Hawtio and Jolokia read) as Camel's own MBeans.
 */
class SharedInfoMBeanAssemblerTest {

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private CamelContext camel;
    private SharedInfoMBeanAssembler assembler;

    @BeforeEach
    void start() throws Exception {
        camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("shared-info-" + System.nanoTime());
        assembler = new SharedInfoMBeanAssembler(camel);
        camel.getCamelContextExtension().setManagementMBeanAssembler(assembler);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:a").routeId("a").setHeader("n").constant(1).id("a.header").log("a ${body}").id("a.log")
                        .to("direct:b").id("a.to");
                from("direct:b").routeId("b").setHeader("m").constant(2).id("b.header").filter(simple("${body} == 'x'"))
                        .id("b.filter").setBody(constant("seen")).id("b.body");
                from("direct:c").routeId("c").to("http://127.0.0.1:1/x?password=hunter2&limit=5").id("c.to");
            }
        });
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private ObjectName step(String id) throws Exception {
        Set<ObjectName> names = server.queryNames(new ObjectName("org.apache.camel:context=" + camel.getManagementName()
                + ",type=processors,name=\"" + id + "\""), null);
        assertThat(names).as("MBean of step " + id).hasSize(1);
        return names.iterator().next();
    }

    private ObjectName route(String id) throws Exception {
        return server.queryNames(new ObjectName("org.apache.camel:context=" + camel.getManagementName()
                + ",type=routes,name=\"" + id + "\""), null).iterator().next();
    }

    @Test
    void mbeansOfOneClassShareOneInfo() throws Exception {
        assertThat(server.getMBeanInfo(step("a.header"))).isSameAs(server.getMBeanInfo(step("b.header")));
        assertThat(server.getMBeanInfo(step("a.header"))).isNotSameAs(server.getMBeanInfo(step("b.filter")));
        assertThat(server.getMBeanInfo(step("a.header")).getAttributes()).extracting("name")
                .contains("ExchangesTotal", "ProcessorId", "RouteId", "Index");
        assertThat(assembler.sharedClasses()).isGreaterThan(3);
        assertThat(server.getMBeanInfo(route("a"))).isSameAs(server.getMBeanInfo(route("b")));
    }

    @Test
    void statisticsOperationsAndRouteDumpsWorkThroughTheSharedInfo() throws Exception {
        ProducerTemplate template = camel.createProducerTemplate();
        template.sendBody("direct:a", "x");
        template.sendBody("direct:a", "y");
        template.sendBody("direct:b", "x");

        assertThat(server.getAttribute(step("a.header"), "ExchangesTotal")).isEqualTo(2L);
        assertThat(server.getAttribute(step("b.header"), "ExchangesTotal")).isEqualTo(3L);
        assertThat(server.getAttribute(step("b.body"), "ExchangesTotal")).isEqualTo(2L);
        assertThat(server.getAttribute(step("b.header"), "RouteId")).isEqualTo("b");
        assertThat(server.getAttribute(step("b.header"), "ProcessorId")).isEqualTo("b.header");
        assertThat(server.getAttributes(step("b.body"), new String[] {"ExchangesTotal", "NoSuch"}).asList())
                .extracting("name").containsExactly("ExchangesTotal");

        // what Hawtio's route diagram reads: the route's dump with each step's statistics, from the step MBeans
        String stats = (String) server.invoke(route("b"), "dumpRouteStatsAsXml", new Object[] {false, true},
                new String[] {"boolean", "boolean"});
        assertThat(stats).contains("id=\"b.body\"").contains("id=\"b.filter\"");
        assertThat(stats).containsPattern("id=\"b.body\"[^>]*exchangesTotal=\"2\"");

        // an operation, with and without a signature argument
        server.invoke(step("b.header"), "reset", null, null);
        assertThat(server.getAttribute(step("b.header"), "ExchangesTotal")).isEqualTo(0L);
        assertThat(server.invoke(step("b.filter"), "getFilteredCount", null, null)).isEqualTo(2L);
        assertThat(server.getAttribute(step("b.filter"), "FilteredCount")).isEqualTo(2L);

        assertThatThrownBy(() -> server.getAttribute(step("b.header"), "NoSuch")).isInstanceOf(AttributeNotFoundException.class);
        assertThatThrownBy(() -> server.invoke(step("b.header"), "reset", new Object[] {1}, new String[] {"int"}))
                .isInstanceOf(ReflectionException.class);
    }

    @Test
    void routesAreStoppedAndStartedThroughTheirSharedInfo() throws Exception {
        server.invoke(route("b"), "stop", null, null);
        assertThat(server.getAttribute(route("b"), "State")).isEqualTo("Stopped");
        assertThat(camel.getRouteController().getRouteStatus("b").isStopped()).isTrue();
        server.invoke(route("b"), "start", new Object[0], new String[0]);
        assertThat(server.getAttribute(route("b"), "State")).isEqualTo("Started");
        assertThat((String) server.invoke(route("a"), "dumpRouteAsXml", null, null)).contains("id=\"a.log\"");
    }

    @Test
    void secretsInStepAttributesAreMaskedAsCamelDoes() throws Exception {
        Object destination = server.getAttribute(step("c.to"), "Destination");
        assertThat(destination).asString().contains("127.0.0.1:1/x").contains("limit=5").doesNotContain("hunter2");
        assertThat(server.invoke(step("c.to"), "getDestination", null, null)).asString().doesNotContain("hunter2");
    }

    @Test
    void stepMBeansGoWithTheirRoute() throws Exception {
        ObjectName header = step("b.header");
        camel.getRouteController().stopRoute("b");
        camel.removeRoute("b");
        assertThat(server.isRegistered(header)).isFalse();
        assertThat(server.isRegistered(step("a.header"))).isTrue();
    }
}
