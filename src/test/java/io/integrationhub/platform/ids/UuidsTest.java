package io.integrationhub.platform.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

class UuidsTest {

    @Test
    void shouldMakeVersion7IdsThatSortByCreationTime() throws Exception {
        long before = System.currentTimeMillis();
        UUID first = Uuids.timeOrdered();
        Thread.sleep(3);
        UUID second = Uuids.timeOrdered();
        assertThat(first.version()).isEqualTo(7);
        assertThat(first.variant()).isEqualTo(2);
        // the first 48 bits are the creation time in Unix milliseconds (RFC 9562)
        assertThat(first.getMostSignificantBits() >>> 16).isBetween(before, System.currentTimeMillis());
        // PostgreSQL's uuid order compares bytes unsigned, as this string comparison does
        assertThat(first.toString()).isLessThan(second.toString());
    }

    @Test
    void shouldNeverRepeatAnIdAcrossThreads() throws Exception {
        Set<UUID> all = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        all.add(Uuids.timeOrdered());
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(all).hasSize(200_000);
    }
}
