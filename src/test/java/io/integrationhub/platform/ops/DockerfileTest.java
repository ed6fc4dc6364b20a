package io.integrationhub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * A lint of the {@code Dockerfile} (no container engine or registry is reachable here, so the image is not
 * built): the rules a reviewer would check, read from the file the way {@code docker build} reads it —
 * continuation lines joined, comments dropped, instructions per stage.
 */
class DockerfileTest {

    private static final Path ROOT = Paths.get("").toAbsolutePath();
    private static final List<String> LAYERS = List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");

    record Instruction(String keyword, String args) {
    }

    @Test
    void shouldRunTheLayeredJarOnAJre17AsNonRoot() throws IOException {
        List<List<Instruction>> stages = stages();
        assertThat(stages).as("a build stage and a run stage").hasSizeGreaterThanOrEqualTo(2);
        List<Instruction> run = stages.get(stages.size() - 1);

        String base = args(run, "FROM").get(0);
        assertThat(base).as("run stage base image").matches("eclipse-temurin:17(\\.[0-9.]+)?(_[0-9]+)?-jre.*");

        // The user: numeric (Kubernetes' runAsNonRoot can only verify a numeric user), not root, and the one the
        // Deployment runs as.
        List<String> users = args(run, "USER");
        assertThat(users).as("USER in the run stage").isNotEmpty();
        String user = users.get(users.size() - 1);
        assertThat(user).matches("[0-9]+(:[0-9]+)?");
        String uid = user.split(":")[0];
        assertThat(uid).isNotEqualTo("0");
        assertThat(indexOf(run, "USER")).as("USER before ENTRYPOINT").isLessThan(indexOf(run, "ENTRYPOINT"));
        Map<String, Object> pod = podSecurityContext();
        assertThat(String.valueOf(pod.get("runAsUser"))).as("k8s runAsUser = image user").isEqualTo(uid);

        // Layers copied least-often-changed first, from the extraction of the build stage.
        List<String> layerCopies = new ArrayList<>();
        for (String copy : args(run, "COPY")) {
            Matcher m = Pattern.compile("--from=\\S+\\s+\\S*/extracted/([a-z-]+)/").matcher(copy);
            if (m.find()) {
                layerCopies.add(m.group(1));
            }
        }
        assertThat(layerCopies).as("COPY --from of the Spring Boot layers, in order").containsExactlyElementsOf(LAYERS);
        String build = String.join("\n", args(stages.get(stages.size() - 2), "RUN"));
        assertThat(build).contains("-Djarmode=tools").contains("extract").contains("--layers").contains("--launcher");

        // Exec form, so java is PID 1 and receives SIGTERM; Spring Boot 3.2+'s launcher class.
        String entrypoint = args(run, "ENTRYPOINT").get(0);
        assertThat(entrypoint).as("ENTRYPOINT in exec (JSON) form").startsWith("[").endsWith("]");
        assertThat(entrypoint).contains("\"org.springframework.boot.loader.launch.JarLauncher\"");
    }

    @Test
    void shouldBeSafeToBuildAndRunReadOnly() throws IOException {
        List<List<Instruction>> stages = stages();
        for (List<Instruction> stage : stages) {
            String from = args(stage, "FROM").get(0);
            assertThat(from).as("pinned base image tag").contains(":").doesNotEndWith(":latest");
            for (String add : args(stage, "ADD")) {
                assertThat(add).as("no ADD of a URL (use the build's own sources)").doesNotContainPattern("(?i)https?://");
            }
            for (String copy : args(stage, "COPY")) {
                if (copy.startsWith("--from")) {
                    continue;
                }
                String[] parts = copy.split("\\s+");
                for (int i = 0; i < parts.length - 1; i++) {
                    if (!parts[i].startsWith("--")) {
                        assertThat(ROOT.resolve(parts[i])).as("COPY source " + parts[i]).exists();
                    }
                }
            }
        }
        List<Instruction> run = stages.get(stages.size() - 1);
        String env = String.join(" ", args(run, "ENV"));
        // Temp files go to /tmp, the emptyDir the Deployment mounts; nothing else under the read-only root.
        assertThat(env).contains("-Djava.io.tmpdir=/tmp").contains("HUB_ROUTES_DIR=/app/routes");
        assertThat(args(run, "WORKDIR")).containsExactly("/app");
        assertThat(args(run, "EXPOSE")).containsExactly("8080");

        // The build context carries only what the build copies (no target/, data/ with local secrets, .git).
        List<String> ignore = Files.readAllLines(ROOT.resolve(".dockerignore"));
        assertThat(ignore).contains("*");
        assertThat(ignore).noneMatch(l -> l.startsWith("!data") || l.startsWith("!target") || l.startsWith("!.git"));
    }

    // --- parsing ----------------------------------------------------------------------------------

    private static List<List<Instruction>> stages() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"), StandardCharsets.UTF_8);
        List<List<Instruction>> stages = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (current.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            String text = current.toString().strip();
            current.setLength(0);
            int space = text.indexOf(' ');
            String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
            String args = space < 0 ? "" : text.substring(space + 1).strip().replaceAll("\\s+", " ");
            if ("FROM".equals(keyword)) {
                stages.add(new ArrayList<>());
            }
            assertThat(stages).as("instruction before the first FROM: " + text).isNotEmpty();
            stages.get(stages.size() - 1).add(new Instruction(keyword, args));
        }
        return stages;
    }

    private static List<String> args(List<Instruction> stage, String keyword) {
        return stage.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
    }

    private static int indexOf(List<Instruction> stage, String keyword) {
        for (int i = stage.size() - 1; i >= 0; i--) {
            if (stage.get(i).keyword().equals(keyword)) {
                return i;
            }
        }
        return -1;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> podSecurityContext() throws IOException {
        try (InputStream in = Files.newInputStream(ROOT.resolve("k8s/base/deployment.yaml"))) {
            Map<String, Object> deployment = new Yaml().load(in);
            Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
            Map<String, Object> template = (Map<String, Object>) spec.get("template");
            Map<String, Object> podSpec = (Map<String, Object>) template.get("spec");
            return (Map<String, Object>) podSpec.get("securityContext");
        }
    }
}
