package io.integrationhub.platform.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.Reader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.util.FileSystemUtils;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubClient.Response;

/**
 * The zero-setup profile as a newcomer runs it: H2 in a file and an embedded Kafka broker under the data
 * dir, a seeded demo tenant whose key is kept locally, route reload for the routes folder. No PostgreSQL.
 */
@CamelSpringBootTest
@ActiveProfiles("default")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hub.data-dir=" + DefaultProfileTest.DATA,
        "hub.routes-dir=" + DefaultProfileTest.DATA + "/routes",
        "hub.kafka.embedded.port=0",
        "hub.kafka.embedded.controller-port=0",
        "camel.main.routes-reload-directory=" + DefaultProfileTest.DATA + "/routes"})
class DefaultProfileTest {

    static final String DATA = "target/default-profile-it";

    static {
        // Start from a fresh machine: no database file, no broker log, no generated secrets.
        FileSystemUtils.deleteRecursively(Path.of(DATA).toFile());
        try {
            Files.createDirectories(Path.of(DATA, "routes"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    CamelContext camel;
    @Autowired
    ServletWebServerApplicationContext web;

    HubClient hub;

    @BeforeEach
    void client() {
        hub = new HubClient("http://localhost:" + port);
    }

    private static String localSecret(String name) throws IOException {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(DATA, "local-secrets.properties"))) {
            props.load(in);
        }
        return props.getProperty(name);
    }

    @Test
    void shouldBeReadyOnH2AndEmbeddedKafkaWithNothingElseRunning() {
        assertThat(hub.get("/actuator/health/readiness", null).body()).contains("\"UP\"");
        assertThat(Path.of(DATA, "h2")).isDirectory();
        assertThat(Path.of(DATA, "kafka", "metadata", "meta.properties")).exists();
    }

    @Test
    void shouldSeedTheDemoTenantWithTheLocallyKeptKey() throws IOException {
        String demoKey = localSecret("demo-api-key");
        Response providers = hub.get("/api/v1/providers", demoKey);
        assertThat(providers.status()).isEqualTo(200);
        assertThat(providers.json()).as("every catalog entry: the Microsoft three and the nine families").hasSize(12);
        assertThat(hub.get("/api/v1/connections", demoKey).body()).isEqualTo("[]");
        assertThat(localSecret("admin-token")).startsWith("ihk_");
    }

    @Test
    void shouldSeedAnEmptyRoutesFolderWithTheShippedProviderFamilies() {
        // A jar started outside a checkout: its routes folder starts empty, gets editable copies, and loads them.
        assertThat(Path.of(DATA, "routes", "microsoft", "graph.camel.yaml")).exists();
        assertThat(Path.of(DATA, "routes", "microsoft", "onedrive.camel.yaml")).exists();
        assertThat(camel.getRoute("microsoft.provider")).isNotNull();
    }

    @Test
    void shouldStartARouteDroppedIntoTheRoutesFolderWithoutARestart() throws IOException {
        Files.writeString(Path.of(DATA, "routes", "heartbeat.yaml"), """
                - route:
                    id: demo.heartbeat
                    from:
                      uri: timer:heartbeat?period=200
                      steps:
                        - setBody:
                            constant: tick
                """);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Route route = camel.getRoute("demo.heartbeat");
            assertThat(route).isNotNull();
            assertThat(camel.getRouteController().getRouteStatus("demo.heartbeat").isStarted()).isTrue();
        });
    }

    @Test
    void shouldListenOnLoopbackOnly() throws IOException {
        // Hawtio and Jolokia have no login here: only this machine may reach them.
        Connector connector = ((TomcatWebServer) web.getWebServer()).getTomcat().getService().findConnectors()[0];
        Object bound = connector.getProperty("address");
        assertThat(bound).as("the connector's bind address").isInstanceOf(InetAddress.class);
        assertThat(((InetAddress) bound).isLoopbackAddress()).as("bound to " + bound).isTrue();
        try (Socket local = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertThat(local.isConnected()).isTrue();
        }
        // From another interface of this machine (where it has one) nothing answers.
        Optional<InetAddress> external = NetworkInterface.networkInterfaces()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && a instanceof Inet4Address).findFirst();
        if (external.isPresent()) {
            assertThatThrownBy(() -> {
                try (Socket remote = new Socket()) {
                    remote.connect(new InetSocketAddress(external.get(), port), 2000);
                }
            }).as("connect via " + external.get()).isInstanceOf(IOException.class);
        }
    }

    @Test
    void shouldServeHawtioWithoutLoginLocally() {
        assertThat(hub.get("/actuator/hawtio/", null).status()).isEqualTo(200);
    }
}
