package io.integrationhub.platform.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The provider families described as data: every {@code <routes-dir>/<family>/catalog.json}. A file is read
 * again when it changes, so a family's catalog entry is edited like its routes and mappings, without a
 * restart. A file that cannot be read is logged once per change and left out; the others stay. The folder is
 * looked at again at most every {@value #RECHECK_MILLIS} ms (an edit shows within that time): the catalog is read on
 * every webhook and provider call, and listing the folder and its files' times each time cost more than the
 * rest of a webhook's verification.
 *
 * <p>Plain Java (no Spring) so that the environment post-processor can use it before the context exists.
 */
public final class FamilyCatalog {

    public static final String FILE = "catalog.json";
    private static final Logger LOG = LoggerFactory.getLogger(FamilyCatalog.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<Path> folder;
    /** How long a look at the folder stays good. */
    static final long RECHECK_MILLIS = 1000;

    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());
    private volatile Checked checked;

    private record Checked(Path dir, long atNanos) {
    }

    private record Snapshot(Map<Path, FileTime> stamps, Map<String, FamilySpec> families) {
    }

    public FamilyCatalog(Path routesDir) {
        this(() -> routesDir);
    }

    /** The folder is asked for on every read: a test or an operator may point {@code hub.routes-dir} elsewhere. */
    public FamilyCatalog(Supplier<Path> routesDir) {
        this.folder = routesDir;
    }

    public Path routesDir() {
        return folder.get();
    }

    public List<FamilySpec> all() {
        return List.copyOf(current().families().values());
    }

    public Optional<FamilySpec> find(String key) {
        return key == null ? Optional.empty() : Optional.ofNullable(current().families().get(key));
    }

    /**
     * The catalog's version: the same object as long as no catalog file changed (compare by identity), for caches of
     * what is derived from it.
     */
    public Object version() {
        return current();
    }

    private Snapshot current() {
        Path routesDir = folder.get();
        Checked last = checked;
        long now = System.nanoTime();
        if (last != null && last.dir().equals(routesDir) && now - last.atNanos() < RECHECK_MILLIS * 1_000_000) {
            return snapshot;
        }
        Snapshot seen = look(routesDir);
        checked = new Checked(routesDir, now);
        return seen;
    }

    private Snapshot look(Path routesDir) {
        Map<Path, FileTime> stamps = new LinkedHashMap<>();
        if (Files.isDirectory(routesDir)) {
            try (Stream<Path> dirs = Files.list(routesDir)) {
                for (Path dir : dirs.sorted(Comparator.naturalOrder()).toList()) {
                    Path file = dir.resolve(FILE);
                    if (Files.isRegularFile(file)) {
                        stamps.put(file, Files.getLastModifiedTime(file));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the routes folder " + routesDir, e);
            }
        }
        Snapshot known = snapshot;
        if (known.stamps().equals(stamps)) {
            return known;
        }
        synchronized (this) {
            if (snapshot.stamps().equals(stamps)) {
                return snapshot;
            }
            Map<String, FamilySpec> unsorted = new LinkedHashMap<>();
            Map<String, FamilySpec> families = unsorted;
            for (Path file : stamps.keySet()) {
                try {
                    JsonNode spec = JSON.readTree(file.toFile());
                    for (FamilySpec family : FamilySpec.all(spec, file.getParent())) {
                        families.put(family.key(), family);
                    }
                } catch (IOException | IllegalArgumentException e) {
                    LOG.error("Provider family file {} is not usable and is left out: {}", file, e.getMessage());
                }
            }
            Map<String, FamilySpec> sorted = new LinkedHashMap<>();
            unsorted.values().stream().sorted(Comparator.comparingInt(FamilySpec::order))
                    .forEach(f -> sorted.put(f.key(), f));
            families = sorted;
            snapshot = new Snapshot(stamps, families);
            LOG.info("Provider families from {}: {}", routesDir, new ArrayList<>(families.keySet()));
            return snapshot;
        }
    }
}
