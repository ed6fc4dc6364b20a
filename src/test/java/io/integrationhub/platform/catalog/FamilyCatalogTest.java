package io.integrationhub.platform.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The catalog files are read live, but the folder is looked at again at most once per RECHECK_MILLIS. */
class FamilyCatalogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path a;

    @TempDir
    Path b;

    @Test
    void shouldSeeAnEditedCatalogFileWithinTheRecheckTimeAndKeepItsVersionUntilThen() throws Exception {
        Path file = copyNotion(a, "Notion");
        FamilyCatalog catalog = new FamilyCatalog(a);
        assertThat(catalog.find("notion")).get().extracting(FamilySpec::name).isEqualTo("Notion");
        Object version = catalog.version();
        assertThat(catalog.version()).isSameAs(version);

        rename(file, "Notion (edited)");
        Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> "Notion (edited)".equals(catalog.find("notion").map(FamilySpec::name).orElse(null)));
        assertThat(catalog.version()).isNotSameAs(version);
    }

    @Test
    void shouldReadAnotherFolderAtOnce() throws Exception {
        copyNotion(a, "Notion A");
        copyNotion(b, "Notion B");
        AtomicReference<Path> dir = new AtomicReference<>(a);
        FamilyCatalog catalog = new FamilyCatalog(dir::get);
        assertThat(catalog.find("notion")).get().extracting(FamilySpec::name).isEqualTo("Notion A");
        dir.set(b);
        assertThat(catalog.find("notion")).get().extracting(FamilySpec::name).isEqualTo("Notion B");
    }

    private static Path copyNotion(Path routes, String name) throws Exception {
        Path file = routes.resolve("notion").resolve(FamilyCatalog.FILE);
        Files.createDirectories(file.getParent());
        Files.copy(Path.of("routes", "notion", FamilyCatalog.FILE), file);
        rename(file, name);
        return file;
    }

    private static void rename(Path file, String name) throws Exception {
        ObjectNode spec = (ObjectNode) JSON.readTree(file.toFile());
        spec.put("name", name);
        FileTime before = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
        Files.writeString(file, JSON.writeValueAsString(spec));
        // a file time that moved even where the clock's resolution is coarse
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(before == null ? 0 : 2)));
    }
}
