package io.integrationhub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.builder.SpringApplicationBuilder;

import io.integrationhub.HubApplication;

/**
 * The processes of bench/scale/run.sh, started from the test classpath:
 * <ul>
 * <li>{@code provider <port> <records> <delayMs> <seconds> <statsFile>}: the loopback Square-shaped provider every
 * hub instance calls, with {@code records} of every entity for any connection; every second it writes its call count
 * and the most calls it answered in one second and in any 10 seconds to {@code statsFile}; exits after
 * {@code seconds};</li>
 * <li>{@code hub <providerUrl> <pageSize> [spring args...]}: one hub instance, the application plus the bench's
 * Square sources and bearer tokens ({@link BenchSources}), configured by the arguments.</li>
 * </ul>
 */
public final class ScaleProcesses {

    private ScaleProcesses() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "provider" -> provider(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]),
                    Duration.ofSeconds(Long.parseLong(args[4])), Path.of(args[5]));
            case "hub" -> {
                BenchSources.useProvider(args[1]);
                BenchSources.pageSize = Integer.parseInt(args[2]);
                String[] spring = new String[args.length - 3];
                System.arraycopy(args, 3, spring, 0, spring.length);
                new SpringApplicationBuilder(HubApplication.class, BenchSources.class).run(spring);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void provider(int port, int records, long delayMillis, Duration lifetime, Path stats)
            throws IOException, InterruptedException {
        try (LoopbackProvider provider = new LoopbackProvider(port)) {
            provider.countForAnyAccount(records);
            provider.delay(delayMillis);
            long end = System.nanoTime() + lifetime.toNanos();
            while (System.nanoTime() < end) {
                Files.writeString(stats, "calls=" + provider.calls() + "\nmaxPerSecond=" + provider.maxCallsPerSecond()
                        + "\nmaxPer10s=" + provider.maxCallsIn(10) + "\n");
                Thread.sleep(1000);
            }
        }
    }
}
