package io.integrationhub.platform.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-node, in-process Apache Kafka 3.9 broker running in KRaft mode (combined broker + controller).
 * <p>
 * All state lives below {@code dataDir}:
 * <ul>
 *   <li>{@code dataDir/metadata} &ndash; KRaft metadata log ({@code metadata.log.dir}, contains {@code meta.properties})</li>
 *   <li>{@code dataDir/logs} &ndash; topic partition data ({@code log.dirs})</li>
 * </ul>
 * The storage is formatted on first start (new random cluster id); later starts reuse the existing
 * {@code meta.properties}, so data written before a JVM restart is still available afterwards.
 * <p>
 * Only one process may use a data directory at a time (Kafka holds a {@code .lock} file in each dir).
 */
public class EmbeddedKafkaServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaServer.class);

    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String META_PROPERTIES = "meta.properties";

    private final Path dataDir;
    private final Path metadataDir;
    private final Path logDir;
    private final int requestedPort;
    private final int requestedControllerPort;
    private final int numPartitions;
    private final Map<String, String> overrides;

    private KafkaRaftServer server;
    private int port = -1;
    private int controllerPort = -1;
    private String clusterId;

    /** Free ports are picked for both listeners, 1 partition per auto-created topic. */
    public EmbeddedKafkaServer(Path dataDir) {
        this(dataDir, 0, 0, 1, Map.of());
    }

    /**
     * @param dataDir        persistent data directory (created if missing)
     * @param port           PLAINTEXT client port on 127.0.0.1; {@code 0} = pick a free port
     * @param controllerPort KRaft controller port on 127.0.0.1; {@code 0} = pick a free port
     * @param numPartitions  default partition count for auto-created topics
     * @param overrides      additional / overriding broker properties (applied last)
     */
    public EmbeddedKafkaServer(Path dataDir, int port, int controllerPort, int numPartitions,
                               Map<String, String> overrides) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        this.metadataDir = this.dataDir.resolve("metadata");
        this.logDir = this.dataDir.resolve("logs");
        if (port < 0 || controllerPort < 0) {
            throw new IllegalArgumentException("ports must be >= 0 (0 = pick a free port)");
        }
        if (port != 0 && port == controllerPort) {
            throw new IllegalArgumentException("client port and controller port must differ");
        }
        if (numPartitions < 1) {
            throw new IllegalArgumentException("numPartitions must be >= 1");
        }
        this.requestedPort = port;
        this.requestedControllerPort = controllerPort;
        this.numPartitions = numPartitions;
        this.overrides = Map.copyOf(Objects.requireNonNull(overrides, "overrides"));
    }

    /** Formats the storage if necessary and starts the broker. Blocks until the broker is serving. */
    public synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("Embedded Kafka is already running on " + bootstrapServers());
        }
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(metadataDir);
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create Kafka data directories under " + dataDir, e);
        }

        // Kafka treats a locked dir as a fatal fault and calls Exit.halt() -> fail cleanly instead
        ensureNotLocked(metadataDir);
        ensureNotLocked(logDir);

        port = requestedPort > 0 ? requestedPort : freePort(-1);
        controllerPort = requestedControllerPort > 0 ? requestedControllerPort : freePort(port);

        Map<String, String> props = brokerProperties();
        KafkaConfig config = new KafkaConfig(props, false);

        clusterId = formatIfNeeded();

        KafkaRaftServer raftServer = null;
        // Kafka's fatal-fault handlers call Exit.halt()/Exit.exit(), which would kill the whole
        // application JVM. While starting, turn them into exceptions so start() just fails.
        Exit.setHaltProcedure(EmbeddedKafkaServer::refuseTermination);
        Exit.setExitProcedure(EmbeddedKafkaServer::refuseTermination);
        try {
            raftServer = new KafkaRaftServer(config, Time.SYSTEM);
            raftServer.startup();
        } catch (RuntimeException e) {
            if (raftServer != null) {
                safeShutdown(raftServer);
            }
            throw new IllegalStateException("Failed to start embedded Kafka in " + dataDir, e);
        } finally {
            Exit.resetHaltProcedure();
            Exit.resetExitProcedure();
        }
        server = raftServer;
        LOG.info("Embedded Kafka (KRaft, cluster id {}) started on {} in {} ms, data dir {}",
                clusterId, bootstrapServers(), (System.nanoTime() - t0) / 1_000_000, dataDir);
    }

    /** Clean shutdown; blocks until all broker and controller threads have stopped. Idempotent. */
    public synchronized void stop() {
        KafkaRaftServer raftServer = server;
        if (raftServer == null) {
            return;
        }
        server = null;
        long t0 = System.nanoTime();
        safeShutdown(raftServer);
        LOG.info("Embedded Kafka stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** {@code 127.0.0.1:<port>}; only valid after {@link #start()}. */
    public synchronized String bootstrapServers() {
        if (port <= 0) {
            throw new IllegalStateException("Embedded Kafka has not been started");
        }
        return bootstrapServers(port);
    }

    /** The address a broker started with this (non-zero) client port will serve on. */
    public static String bootstrapServers(int port) {
        return HOST + ":" + port;
    }

    public synchronized int port() {
        return port;
    }

    public synchronized int controllerPort() {
        return controllerPort;
    }

    /** Cluster id stored in meta.properties; only valid after {@link #start()}. */
    public synchronized String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    // ------------------------------------------------------------------------------------------

    private Map<String, String> brokerProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        // KRaft combined mode, static single-voter quorum
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", CLIENT_LISTENER + "://" + HOST + ":" + port + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", CLIENT_LISTENER);

        // storage
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", metadataDir.toString());
        p.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("log.retention.hours", "168");
        p.put("num.recovery.threads.per.data.dir", "1");

        // single node: replication factor 1 everywhere
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", String.valueOf(numPartitions));
        p.put("group.initial.rebalance.delay.ms", "0");

        // After an unclean stop (kill -9) the controller keeps the old broker registration alive until
        // its session expires, and the restarted broker cannot register before that (default 9 s plus
        // exponential retry backoff => ~15 s restart). Shorter session => faster recovery.
        p.put("broker.heartbeat.interval.ms", "1000");
        p.put("broker.session.timeout.ms", "3000");

        // keep the footprint small (2 cores, shared JVM heap)
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.replica.fetchers", "1");
        p.put("log.cleaner.threads", "1");
        // the log cleaner allocates this buffer eagerly on the heap (default 128 MB)
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));

        p.putAll(overrides);
        return p;
    }

    /**
     * Formats the metadata and data directories on first start; otherwise returns the cluster id
     * already recorded in meta.properties.
     */
    private String formatIfNeeded() {
        Optional<String> existingMetadataId = readClusterId(metadataDir);
        if (existingMetadataId.isPresent()) {
            // already formatted; Kafka itself writes meta.properties into any new/empty log dir
            return existingMetadataId.get();
        }
        // metadata dir not formatted: reuse a cluster id from the data dir if there is one
        String id = readClusterId(logDir).orElseGet(() -> Uuid.randomUuid().toString());
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(id)
                    .setDirectories(List.of(metadataDir.toString(), logDir.toString()))
                    .setMetadataLogDirectory(metadataDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Failed to format Kafka storage in " + dataDir, e);
        }
        LOG.info("Formatted Kafka KRaft storage in {} (cluster id {})", dataDir, id);
        return id;
    }

    private static Optional<String> readClusterId(Path dir) {
        Path file = dir.resolve(META_PROPERTIES);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        return Optional.ofNullable(props.getProperty("cluster.id")).filter(s -> !s.isBlank());
    }

    private static void refuseTermination(int statusCode, String message) {
        throw new IllegalStateException("Kafka requested JVM termination (status " + statusCode + ")"
                + (message == null ? "" : ": " + message));
    }

    /** Fails fast if another process / instance holds Kafka's {@code .lock} file in {@code dir}. */
    private static void ensureNotLocked(Path dir) {
        Path lockFile = dir.resolve(".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another instance inside this JVM
            }
            if (lock == null) {
                throw new IllegalStateException("Kafka data directory " + dir
                        + " is in use by another Kafka instance (lock held on " + lockFile + ")");
            }
            lock.release();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check lock file " + lockFile, e);
        }
    }

    private static void safeShutdown(KafkaRaftServer raftServer) {
        try {
            raftServer.shutdown();
            raftServer.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error while shutting down embedded Kafka", e);
        }
    }

    private static int freePort(int exclude) {
        for (int attempt = 0; attempt < 10; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                socket.setReuseAddress(true);
                int candidate = socket.getLocalPort();
                if (candidate != exclude) {
                    return candidate;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot find a free port", e);
            }
        }
        throw new IllegalStateException("Cannot find a free port");
    }
}
