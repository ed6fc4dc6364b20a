package io.integrationhub.platform.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the in-process Kafka broker of the zero-setup profile ({@code hub.kafka.embedded.enabled})
 * before the application context exists, so Camel's Kafka endpoints and the readiness check see a
 * running broker, and publishes its address as {@code hub.kafka.bootstrap-servers}.
 * <p>
 * Runs after logging is configured (lowest precedence), so the broker logs through the app's logging.
 * One broker per data directory per JVM: several application contexts in one JVM (tests) share it.
 * It stops when the JVM exits, after the contexts have closed.
 */
public class EmbeddedKafkaLauncher implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    private static final Map<Path, EmbeddedKafkaServer> RUNNING = new ConcurrentHashMap<>();

    /** One throw-away data dir per JVM for {@code hub.kafka.embedded.ephemeral} (tests), under java.io.tmpdir. */
    private static final Supplier<Path> EPHEMERAL_DIR = new Supplier<>() {
        private Path dir;

        @Override
        public synchronized Path get() {
            if (dir == null) {
                try {
                    dir = Files.createTempDirectory("hub-kafka-");
                } catch (IOException e) {
                    throw new IllegalStateException("cannot create a data dir for the embedded Kafka broker", e);
                }
            }
            return dir;
        }
    };

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        ConfigurableEnvironment env = event.getEnvironment();
        if (!env.getProperty("hub.kafka.embedded.enabled", Boolean.class, false)) {
            return;
        }
        Path dataDir = env.getProperty("hub.kafka.embedded.ephemeral", Boolean.class, false)
                ? EPHEMERAL_DIR.get()
                : Path.of(env.getRequiredProperty("hub.kafka.embedded.data-dir")).toAbsolutePath().normalize();
        int port = env.getProperty("hub.kafka.embedded.port", Integer.class, 19092);
        int controllerPort = env.getProperty("hub.kafka.embedded.controller-port", Integer.class, 0);
        int partitions = env.getProperty("hub.kafka.embedded.partitions", Integer.class, 3);
        EmbeddedKafkaServer server = RUNNING.computeIfAbsent(dataDir, dir -> {
            EmbeddedKafkaServer s = new EmbeddedKafkaServer(dir, port == 0 ? freePort() : port, controllerPort,
                    partitions, Map.of());
            s.start();
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "embedded-kafka-shutdown"));
            return s;
        });
        env.getPropertySources().addFirst(new MapPropertySource("hub-embedded-kafka",
                Map.of("hub.kafka.bootstrap-servers", server.bootstrapServers())));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port for the embedded Kafka broker", e);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
