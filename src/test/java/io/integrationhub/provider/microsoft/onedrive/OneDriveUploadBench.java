package io.integrationhub.provider.microsoft.onedrive;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.integrationhub.provider.microsoft.sandbox.GraphDriveSim;
import io.integrationhub.support.HubClient;
import io.integrationhub.provider.microsoft.MicrosoftTestBase;

/**
 * Upload throughput and memory of the OneDrive family: an N MiB file (default 200) generated on the fly by a
 * loopback server, uploaded with {@code upload-file {contentUrl}} through an upload session into the in-process
 * Graph simulator, with the hub's heap capped (bench/microsoft/upload.sh runs it with -Xmx256m). The live heap is
 * sampled (full GC) at a quarter, half and three quarters of the upload. Writes target/bench-onedrive-upload.txt.
 */
class OneDriveUploadBench extends MicrosoftTestBase {

    @Test
    void upload() throws Exception {
        long mib = Long.getLong("bench.mib", 200);
        long size = mib * 1024 * 1024;
        Tenant t = connect("onedrive", "{\"rootPath\":\"Bench-" + UUID.randomUUID() + "\"}");
        GraphDriveSim drive = MICROSOFT.graph().part(GraphDriveSim.class);
        List<Long> live = new CopyOnWriteArrayList<>();
        drive.onFragment((received, total) -> {
            for (double mark : new double[] {0.25, 0.5, 0.75}) {
                long at = (long) (total * mark);
                if (received >= at && received - 10L * GraphDriveSim.FRAGMENT_UNIT < at) {
                    System.gc();
                    live.add(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                }
            }
        });
        System.gc();
        long baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long max = Runtime.getRuntime().maxMemory();
        long start = System.nanoTime();
        HubClient.Response r = action(t, "upload-file", "{\"jobRef\":\"BENCH\",\"fileName\":\"big.bin\",\"contentUrl\":\""
                + GeneratedContent.url(size, 42, true) + "\"}");
        double seconds = (System.nanoTime() - start) / 1e9;
        drive.onFragment(null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = r.json().path("externalId").asText();
        assertThat(Files.size(drive.content(id))).isEqualTo(size);
        boolean same = GeneratedContent.sha256(drive.content(id)).equals(GeneratedContent.sha256(size, 42));
        long grown = live.stream().mapToLong(l -> l - baseline).max().orElse(-1);
        String report = String.format("""
                OneDrive upload bench: %d MiB via contentUrl → upload session (fragments of %s bytes)
                  time            %.1f s  (%.1f MiB/s, source, hub and Graph simulator in one JVM)
                  max heap        %d MiB
                  live heap       baseline %d MiB; growth at 25/50/75%%: %s KiB (max %d KiB)
                  content         %s
                """, mib, System.getProperty("hub.microsoft.onedrive.chunk-size", "3276800"), seconds, mib / seconds,
                max / 1024 / 1024, baseline / 1024 / 1024, live.stream().map(l -> (l - baseline) / 1024).toList(),
                grown / 1024, same ? "SHA-256 equal" : "DIFFERENT");
        Files.writeString(Path.of("target", "bench-onedrive-upload.txt"), report, StandardCharsets.UTF_8);
        drive.delete(id);
        assertThat(same).isTrue();
    }
}
