package io.integrationhub.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.integrationhub.platform.ops.BackgroundPriority;

/**
 * The zero-setup profile's embedded broker runs at background CPU priority: every thread it starts (network,
 * request handlers, the KRaft controller) has the nice value {@code hub.background-nice} gives, read from
 * {@code /proc}, while the thread that asked for the broker keeps its own.
 */
class EmbeddedKafkaPriorityTest {

    private static final Path TASKS = Path.of("/proc/self/task");

    @Test
    void shouldRunTheBrokersThreadsAtTheBackgroundNiceValue(@TempDir Path dataDir) throws Exception {
        assumeTrue(Files.isDirectory(TASKS), "Linux /proc");
        int callerNice = BackgroundPriority.currentNice();
        int nice = Math.min(19, callerNice + 6);
        Set<String> before = tasks().keySet();

        EmbeddedKafkaServer server = new EmbeddedKafkaServer(dataDir);
        EmbeddedKafkaLauncher.startOnItsOwnThread(server, nice, () -> { }).get(120, TimeUnit.SECONDS);
        try {
            // the broker's threads: the ones started since, named as Kafka names them (comm holds 15 characters)
            Map<String, String[]> brokerThreads = tasks().entrySet().stream()
                    .filter(t -> !before.contains(t.getKey()))
                    .filter(t -> Stream.of("data-plane-kafk", "quorum-control", "kafka-", "broker-", "controller-",
                            "raft-").anyMatch(t.getValue()[0]::startsWith))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertThat(brokerThreads.values().stream().map(t -> t[0]))
                    .anyMatch(name -> name.startsWith("data-plane-kafk"))
                    .anyMatch(name -> name.startsWith("quorum-control"));
            assertThat(brokerThreads.values()).allSatisfy(t -> assertThat(Integer.parseInt(t[1]))
                    .as("nice value of broker thread %s", t[0]).isEqualTo(nice));
            assertThat(BackgroundPriority.currentNice()).isEqualTo(callerNice);
        } finally {
            server.stop();
        }
    }

    @Test
    void shouldLeaveTheBrokersThreadsAloneWhenTheSettingIsZero(@TempDir Path dataDir) throws Exception {
        assumeTrue(Files.isDirectory(TASKS), "Linux /proc");
        int callerNice = BackgroundPriority.currentNice();
        Set<String> before = tasks().keySet();

        EmbeddedKafkaServer server = new EmbeddedKafkaServer(dataDir);
        EmbeddedKafkaLauncher.startOnItsOwnThread(server, 0, () -> { }).get(120, TimeUnit.SECONDS);
        try {
            assertThat(tasks().entrySet().stream().filter(t -> !before.contains(t.getKey()))
                    .filter(t -> t.getValue()[0].startsWith("data-plane-kafk")).map(t -> Integer.parseInt(t.getValue()[1])))
                    .isNotEmpty().allMatch(n -> n == callerNice);
        } finally {
            server.stop();
        }
    }

    /** This JVM's threads: task id → {name, nice value}. */
    private static Map<String, String[]> tasks() throws IOException {
        Map<String, String[]> tasks = new HashMap<>();
        try (Stream<Path> dirs = Files.list(TASKS)) {
            for (Path dir : dirs.toList()) {
                try {
                    String name = Files.readString(dir.resolve("comm"), StandardCharsets.US_ASCII).strip();
                    tasks.put(dir.getFileName().toString(),
                            new String[] { name, Integer.toString(BackgroundPriority.niceOf(dir.resolve("stat"))) });
                } catch (IOException gone) {
                    // a thread that ended while we looked
                }
            }
        }
        return tasks;
    }
}
