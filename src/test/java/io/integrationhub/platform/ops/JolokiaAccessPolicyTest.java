package io.integrationhub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.HubIntegrationTest;

/**
 * What the ops role can do through Jolokia (jolokia-access.xml): watch, start, stop, suspend, resume and
 * reset routes, and what Hawtio's route diagram reads — but never run a Camel endpoint, change routes or
 * read a secret. Over HTTP, as Hawtio or a script would (the test profile has no console login; the policy
 * is the same for the logged-in admin).
 */
class JolokiaAccessPolicyTest extends HubIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** This hub's MBeans: other application contexts of the same test JVM registered theirs first under other names. */
    private String CONTEXT;
    private String ROUTE;

    @org.springframework.beans.factory.annotation.Autowired
    org.apache.camel.CamelContext camel;

    @org.junit.jupiter.api.BeforeEach
    void names() {
        String context = camel.getManagementName();
        CONTEXT = "org.apache.camel:context=" + context + ",type=context,name=\"integration-hub\"";
        ROUTE = "org.apache.camel:context=" + context + ",type=routes,name=\"api.listProviders\"";
    }
    /** Secrets of the test profile (application-test.yaml): none may come out of Jolokia. */
    private static final List<String> SECRETS = List.of("test-admin-token-0123456789abcdef",
            "dGVzdC1vbmx5LXZhdWx0LWtleS0wMTIzNDU2Nzg5YWI=", "test-xero-webhook-key", "test-square-signature-key",
            "test-hubspot-app-secret", "test-slack-signing-secret");

    @Test
    void shouldNotRunACamelEndpointThatAnswersTheAdminToken() {
        JsonNode r = exec(CONTEXT, "requestBody(java.lang.String,java.lang.Object)",
                "language:simple:${properties:hub.admin-token}", "x");
        assertThat(r.path("status").asInt()).isEqualTo(403);
        assertThat(r.toString()).doesNotContain(adminToken);

        JsonNode keys = exec(CONTEXT, "requestStringBody(java.lang.String,java.lang.String)",
                "language:simple:${properties:hub.crypto.key-ring}", "x");
        assertThat(keys.path("status").asInt()).isEqualTo(403);
        assertThat(keys.toString()).doesNotContain("dGVzdC1vbmx5");
    }

    @Test
    void shouldNotWriteARouteFileThroughAFileEndpoint() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "jolokia-file");
        String uri = "file:" + dir.toAbsolutePath() + "?fileName=evil.camel.yaml";
        String route = "- route:\n    from:\n      uri: timer:evil\n      steps:\n        - log: pwned\n";
        assertThat(exec(CONTEXT, "sendBody(java.lang.String,java.lang.Object)", uri, route).path("status").asInt()).isEqualTo(403);
        assertThat(exec(CONTEXT, "sendStringBody(java.lang.String,java.lang.String)", uri, route).path("status").asInt()).isEqualTo(403);
        ObjectNode headers = JSON.createObjectNode().put("CamelFileName", "evil2.camel.yaml");
        assertThat(exec(CONTEXT, "sendBodyAndHeaders(java.lang.String,java.lang.Object,java.util.Map)", uri, route, headers)
                .path("status").asInt()).isEqualTo(403);
        assertThat(dir.resolve("evil.camel.yaml")).doesNotExist();
        assertThat(dir.resolve("evil2.camel.yaml")).doesNotExist();
    }

    @Test
    void shouldRefuseCreatingEndpointsChangingRoutesAndReadingConfiguration() {
        assertThat(exec(CONTEXT, "createEndpoint(java.lang.String)", "log:jolokia").path("status").asInt()).isEqualTo(403);
        assertThat(exec(CONTEXT, "removeEndpoints(java.lang.String)", "*").path("status").asInt()).isEqualTo(403);
        assertThat(exec(CONTEXT, "getGlobalOption(java.lang.String)", "CamelJacksonEnableTypeConverter").path("status").asInt())
                .isEqualTo(403);
        // The dumps that resolve property placeholders are not the ones the console uses.
        assertThat(exec(CONTEXT, "dumpRoutesAsXml(boolean)", true).path("status").asInt()).isEqualTo(403);
        assertThat(exec(CONTEXT, "dumpRoutesAsYaml(boolean,boolean)", true, true).path("status").asInt()).isEqualTo(403);
        assertThat(exec(ROUTE, "dumpRouteAsXml(boolean)", true).path("status").asInt()).isEqualTo(403);
        assertThat(exec(ROUTE, "updateRouteFromXml(java.lang.String)",
                "<route id=\"api.listProviders\"><from uri=\"direct:listProviders\"/><log message=\"x\"/></route>")
                .path("status").asInt()).isEqualTo(403);
        assertThat(exec(ROUTE, "remove()").path("status").asInt()).isEqualTo(403);
        // Nothing outside the route and context MBeans, e.g. switching a processor off or stopping the whole hub.
        JsonNode processors = post(JSON.createObjectNode().put("type", "search").put("mbean", "org.apache.camel:type=processors,*"));
        String processor = processors.path("value").get(0).asText();
        assertThat(exec(processor, "disable()").path("status").asInt()).isEqualTo(403);
        assertThat(exec(CONTEXT, "stop()").path("status").asInt()).isEqualTo(403);
        assertThat(hub.get("/api/v1/providers", newTenantKey()).status()).isEqualTo(200);
    }

    @Test
    void shouldReadStepStatisticsFromStepMBeansThatShareTheirClassesInfo() throws Exception {
        String key = newTenantKey();
        String step = "org.apache.camel:context=" + camel.getManagementName() + ",type=processors,name=\"api.listProviders.call\"";
        long before = post(JSON.createObjectNode().put("type", "read").put("mbean", step).put("attribute", "ExchangesTotal"))
                .path("value").asLong();
        assertThat(hub.get("/api/v1/providers", key).status()).isEqualTo(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> post(JSON.createObjectNode()
                .put("type", "read").put("mbean", step).put("attribute", "ExchangesTotal")).path("value").asLong() == before + 1);
        JsonNode info = post(JSON.createObjectNode().put("type", "list").put("path", step.replace(":", "/")));
        assertThat(info.path("value").path("attr").has("ExchangesTotal")).as(info.toString()).isTrue();

        // This hub's ~1,300 step MBeans: one MBean info per step class (SharedInfoMBeanAssembler), not a copy each.
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        java.util.Map<String, java.util.Set<Integer>> infos = new java.util.HashMap<>();
        int steps = 0;
        for (javax.management.ObjectName name : server.queryNames(new javax.management.ObjectName("org.apache.camel:context="
                + camel.getManagementName() + ",type=processors,*"), null)) {
            javax.management.MBeanInfo mbi = server.getMBeanInfo(name);
            infos.computeIfAbsent(mbi.getClassName(), c -> new java.util.HashSet<>()).add(System.identityHashCode(mbi));
            steps++;
        }
        // (a step whose processor is its own @ManagedResource, e.g. the circuit breaker, keeps Camel's MBean and info)
        long distinct = infos.values().stream().mapToInt(java.util.Set::size).sum();
        assertThat(steps).isGreaterThan(500);
        assertThat(distinct).as(infos.toString()).isLessThan(100);
        assertThat(infos.get("org.apache.camel.management.mbean.ManagedBeanProcessor")).hasSize(1);
    }

    @Test
    void shouldLetOpsStopStartSuspendResumeAndResetARoute() {
        String key = newTenantKey();
        assertThat(hub.get("/api/v1/providers", key).status()).isEqualTo(200);
        // The route counts the exchange when it completes, which may be just after the answer was written.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> read(ROUTE, "ExchangesTotal").asLong() > 0);
        assertThat(exec(ROUTE, "reset(boolean)", true).path("status").asInt()).isEqualTo(200);
        assertThat(read(ROUTE, "ExchangesTotal").asLong()).isZero();
        try {
            assertThat(exec(ROUTE, "stop()").path("status").asInt()).isEqualTo(200);
            assertThat(read(ROUTE, "State").asText()).isEqualTo("Stopped");
            assertThat(exec(ROUTE, "start()").path("status").asInt()).isEqualTo(200);
            assertThat(read(ROUTE, "State").asText()).isEqualTo("Started");
            assertThat(hub.get("/api/v1/providers", key).status()).isEqualTo(200);

            assertThat(exec(ROUTE, "suspend()").path("status").asInt()).isEqualTo(200);
            assertThat(read(ROUTE, "State").asText()).isIn("Suspended", "Stopped");
            assertThat(exec(ROUTE, "resume()").path("status").asInt()).isEqualTo(200);
            assertThat(read(ROUTE, "State").asText()).isEqualTo("Started");
        } finally {
            exec(ROUTE, "start()");
        }
        assertThat(hub.get("/api/v1/providers", key).status()).isEqualTo(200);
    }

    @Test
    void shouldServeWhatHawtiosRouteDiagramReads() {
        JsonNode routes = exec(CONTEXT, "dumpRoutesAsXml()");
        assertThat(routes.path("status").asInt()).isEqualTo(200);
        assertThat(routes.path("value").asText()).contains("api.listProviders");
        // Hawtio calls it by name, without a signature.
        JsonNode stats = exec(CONTEXT, "dumpRoutesStatsAsXml", true, true);
        assertThat(stats.path("status").asInt()).isEqualTo(200);
        assertThat(stats.path("value").asText()).contains("api.listProviders");
        assertThat(exec(ROUTE, "dumpRouteAsXml()").path("value").asText()).contains("direct:listProviders");
        assertThat(exec(ROUTE, "dumpRouteStatsAsXml(boolean,boolean)", true, true).path("status").asInt()).isEqualTo(200);
        assertThat(read(CONTEXT, "TotalRoutes").asInt()).isPositive();
    }

    @Test
    void shouldNotRevealASecretInAnyReadableAttribute() {
        String key = newTenantKey();
        assertThat(hub.get("/api/v1/providers", key).status()).isEqualTo(200);
        ObjectNode read = JSON.createObjectNode().put("type", "read").put("mbean", "*:*");
        read.putObject("config").put("ignoreErrors", true).put("serializeException", false).put("maxDepth", 6)
                .put("maxCollectionSize", 5000);
        Response r = send(read);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asInt()).isEqualTo(200);
        assertThat(r.body()).contains("integration-hub"); // the read did cover Camel
        for (String secret : SECRETS) {
            assertThat(r.body()).as("attributes reveal a secret").doesNotContain(secret);
        }
        assertThat(r.body()).as("attributes reveal a tenant API key").doesNotContain(key);
    }

    private JsonNode read(String mbean, String attribute) {
        JsonNode r = post(JSON.createObjectNode().put("type", "read").put("mbean", mbean).put("attribute", attribute));
        assertThat(r.path("status").asInt()).as(r.toString()).isEqualTo(200);
        return r.path("value");
    }

    private JsonNode exec(String mbean, String operation, Object... arguments) {
        ObjectNode request = JSON.createObjectNode().put("type", "exec").put("mbean", mbean).put("operation", operation);
        ArrayNode args = request.putArray("arguments");
        for (Object a : arguments) {
            args.add(JSON.valueToTree(a));
        }
        return post(request);
    }

    private JsonNode post(ObjectNode request) {
        Response r = send(request);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private Response send(ObjectNode request) {
        // a read of every MBean covers every test context cached in this JVM (each with its ~1,300 Camel processors)
        return hub.send(hub.request("/actuator/jolokia", null).timeout(java.time.Duration.ofMinutes(3))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(request.toString())).build());
    }
}
