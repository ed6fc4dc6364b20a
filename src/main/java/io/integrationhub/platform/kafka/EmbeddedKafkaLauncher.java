package io.integrationhub.platform.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.SpringApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import io.integrationhub.platform.ops.BackgroundPriority;

/**
 * Starts the in-process Kafka broker of the zero-setup profile ({@code hub.kafka.embedded.enabled}) and
 * publishes its address as {@code hub.kafka.bootstrap-servers}.
 * <p>
 * The broker starts on its own thread as soon as the environment is ready, <em>in parallel</em> with the
 * building of the application context (bean creation, Flyway, Hawtio...): its port is fixed before it starts,
 * so the address is known at once. The context waits for the running broker in the first lifecycle phase
 * ({@link BrokerStarted}), i.e. before Tomcat takes requests and before Camel starts its routes, so Camel's
 * Kafka endpoints and the readiness check still see a running broker, and a broker that fails to start still
 * fails the application's start-up. (Before 2026-12-06 the broker started before the context, on the main
 * thread: 2–3 s of an idle start-up, docs/performance.md "Start-up".)
 * <p>
 * Runs after logging is configured (lowest precedence), so the broker logs through the app's logging.
 * One broker per data directory per JVM: several application contexts in one JVM (tests) share it. Its threads run
 * at background CPU priority ({@code hub.background-nice}, see {@link #startOnItsOwnThread}).
 * It stops when the JVM exits, after the contexts have closed.
 */
public class EmbeddedKafkaLauncher implements ApplicationListener<SpringApplicationEvent>, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaLauncher.class);
    private static final Map<Path, Broker> RUNNING = new ConcurrentHashMap<>();

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

    /** A broker being started (or running): its address, known before it serves, and its start. */
    private record Broker(String bootstrapServers, CompletableFuture<EmbeddedKafkaServer> started) {
    }

    /** The broker of this application (this listener is created per SpringApplication). */
    private volatile Broker broker;

    @Override
    public void onApplicationEvent(SpringApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            launch(prepared.getEnvironment());
        } else if (event instanceof ApplicationPreparedEvent prepared && broker != null) {
            prepared.getApplicationContext().getBeanFactory()
                    .registerSingleton("embeddedKafkaStarted", new BrokerStarted(broker));
        }
    }

    private void launch(ConfigurableEnvironment env) {
        if (!env.getProperty("hub.kafka.embedded.enabled", Boolean.class, false)) {
            return;
        }
        Path dataDir = env.getProperty("hub.kafka.embedded.ephemeral", Boolean.class, false)
                ? EPHEMERAL_DIR.get()
                : Path.of(env.getRequiredProperty("hub.kafka.embedded.data-dir")).toAbsolutePath().normalize();
        int configuredPort = env.getProperty("hub.kafka.embedded.port", Integer.class, 19092);
        int controllerPort = env.getProperty("hub.kafka.embedded.controller-port", Integer.class, 0);
        int partitions = env.getProperty("hub.kafka.embedded.partitions", Integer.class, 3);
        int nice = env.getProperty("hub.background-nice", Integer.class, 10);
        broker = RUNNING.computeIfAbsent(dataDir, dir -> {
            int port = configuredPort == 0 ? freePort() : configuredPort;
            EmbeddedKafkaServer s = new EmbeddedKafkaServer(dir, port, controllerPort, partitions, Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "embedded-kafka-shutdown")); // no-op unless started
            // the next context of this JVM tries again after a failed start (as when it ran on the caller's thread)
            CompletableFuture<EmbeddedKafkaServer> started = startOnItsOwnThread(s, nice, () -> RUNNING.remove(dir));
            return new Broker(EmbeddedKafkaServer.bootstrapServers(port), started);
        });
        env.getPropertySources().addFirst(new MapPropertySource("hub-embedded-kafka",
                Map.of("hub.kafka.bootstrap-servers", broker.bootstrapServers())));
    }

    /**
     * Starts the broker on a thread of its own that first lowers its CPU priority to {@code nice}
     * ({@code hub.background-nice}; {@code 0}: unchanged). Every thread of the broker and its KRaft controller
     * (network, request handlers, log cleaner, schedulers) descends from that thread and inherits the value: nothing
     * a request waits for runs on them (webhooks are acknowledged once stored; the outbox relay, itself at background
     * priority, is what sends to Kafka), so on a busy machine they take the CPU the request threads leave, like the
     * routes with {@code #backgroundPriority}. An external broker (Kubernetes) is another machine's business.
     */
    static CompletableFuture<EmbeddedKafkaServer> startOnItsOwnThread(EmbeddedKafkaServer server, int nice, Runnable onFailure) {
        CompletableFuture<EmbeddedKafkaServer> started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            if (nice > 0) {
                try {
                    BackgroundPriority.lower(nice);
                } catch (IOException | RuntimeException e) {
                    LOG.info("hub.background-nice={}: the embedded Kafka broker keeps the request threads' CPU priority here ({})",
                            nice, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                server.start();
                started.complete(server);
            } catch (Throwable e) {
                onFailure.run();
                started.completeExceptionally(e);
            }
        }, "embedded-kafka-start");
        starter.setDaemon(true);
        starter.start();
        return started;
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

    /**
     * Waits for the embedded broker in the first lifecycle phase: nothing that talks to Kafka (Tomcat's requests,
     * Camel's routes, started after the lifecycle phases) runs before it serves; a failed start fails the context.
     */
    static final class BrokerStarted implements SmartLifecycle {

        private final Broker broker;
        private volatile boolean running;

        BrokerStarted(Broker broker) {
            this.broker = broker;
        }

        @Override
        public void start() {
            try {
                broker.started().join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw cause instanceof RuntimeException re ? re
                        : new IllegalStateException("Embedded Kafka did not start", cause);
            }
            running = true;
        }

        @Override
        public void stop() {
            // the broker outlives the context (shared by the contexts of one JVM; a shutdown hook stops it)
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return Integer.MIN_VALUE;
        }
    }
}
