package io.integrationhub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests under {@code k8s/} as a cluster would see them: every file parses, every
 * kustomization reference exists, the Deployment talks to the app the way the app is built (probe
 * paths, routes folder, prod profile, secret keys), and — where kubectl is installed — both the base and
 * the prod overlay render.
 */
class K8sManifestsTest {

    private static final Path ROOT = Paths.get("").toAbsolutePath();
    private static final Path K8S = ROOT.resolve("k8s");
    private static final Path ROUTES = ROOT.resolve("routes");
    private static final Set<String> KUSTOMIZATION_FILES = Set.of("kustomization.yaml", "kustomization.yml", "Kustomization");

    @Test
    void shouldGiveEveryManifestAnApiVersionKindAndName() throws IOException {
        List<Path> files = yamlFiles(K8S);
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            if (KUSTOMIZATION_FILES.contains(file.getFileName().toString())) {
                continue;
            }
            List<Map<String, Object>> docs = documents(file);
            assertThat(docs).as(file + " has no documents").isNotEmpty();
            for (Map<String, Object> doc : docs) {
                assertThat(doc).as(file + ": apiVersion and kind").containsKeys("apiVersion", "kind");
                assertThat(text(doc, "metadata", "name")).as(file + ": metadata.name").isNotBlank();
            }
        }
    }

    @Test
    void shouldFindEveryFileAKustomizationRefersTo() throws IOException {
        checkKustomization(K8S.resolve("overlays/prod"), new HashSet<>());
        checkKustomization(K8S.resolve("base"), new HashSet<>());
    }

    @Test
    void shouldShipEveryRouteFileInTheRoutesConfigMap() throws IOException {
        Map<String, Object> kustomization = documents(ROUTES.resolve("kustomization.yml")).get(0);
        Set<String> shipped = new HashSet<>();
        for (Map<String, Object> generator : list(kustomization.get("configMapGenerator"))) {
            for (Object entry : list(generator.get("files"))) {
                String spec = entry.toString();
                shipped.add(spec.contains("=") ? spec.substring(spec.indexOf('=') + 1) : spec);
            }
        }
        try (Stream<Path> walk = Files.walk(ROUTES)) {
            List<String> routeFiles = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json")
                            || p.toString().endsWith(".jsonata"))
                    .map(p -> ROUTES.relativize(p).toString().replace('\\', '/')).toList();
            assertThat(shipped).as("routes/kustomization.yml must list every family file").containsAll(routeFiles);
            // The ConfigMap is flat: the Deployment's volume items put every file back into its family's folder.
            Map<String, Object> pod = map(map(documents(K8S.resolve("base/deployment.yaml")).get(0).get("spec")).get("template"));
            Map<String, String> items = new java.util.HashMap<>();
            for (Object v : list(map(pod.get("spec")).get("volumes"))) {
                Map<String, Object> volume = map(v);
                if ("routes".equals(volume.get("name"))) {
                    for (Object i : list(map(volume.get("configMap")).get("items"))) {
                        items.put(String.valueOf(map(i).get("key")), String.valueOf(map(i).get("path")));
                    }
                }
            }
            for (String file : routeFiles) {
                assertThat(items).as("k8s/base/deployment.yaml routes volume puts %s back at its path", file)
                        .containsEntry(file.replace('/', '-'), file);
            }
        }
    }

    @Test
    void shouldProbeTheActuatorGroupsTheAppServes() throws IOException {
        Map<String, Object> container = hubContainer();
        assertThat(text(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(text(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat(text(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat(text(container, "livenessProbe", "httpGet", "port")).isEqualTo("http");
        assertThat(list(container.get("ports"))).anySatisfy(p -> {
            assertThat(p.get("name")).isEqualTo("http");
            assertThat(p.get("containerPort")).isEqualTo(8080);
        });

        // The paths exist because the app enables the probe groups and exposes health over HTTP.
        Map<String, Object> app = documents(ROOT.resolve("src/main/resources/application.yaml")).get(0);
        assertThat(get(app, "management", "endpoint", "health", "probes", "enabled")).isEqualTo(true);
        assertThat(text(app, "management", "endpoints", "web", "exposure", "include")).contains("health", "prometheus");
        assertThat(text(app, "server", "port")).isEqualTo("8080");
        assertThat(text(app, "management", "endpoint", "health", "group", "readiness", "include")).contains("db", "kafka");
    }

    @Test
    void shouldRunTheProdProfileWithRoutesWhereTheAppLooksForThem() throws IOException {
        Map<String, Object> container = hubContainer();
        Map<String, String> env = plainEnv(container);
        assertThat(env).containsEntry("SPRING_PROFILES_ACTIVE", "prod");
        String routesDir = env.get("HUB_ROUTES_DIR");
        assertThat(list(container.get("volumeMounts"))).anySatisfy(m -> {
            assertThat(m.get("name")).isEqualTo("routes");
            assertThat(m.get("mountPath")).isEqualTo(routesDir);
        });
        assertThat(list(get(podSpec(), "volumes"))).anySatisfy(v ->
                assertThat(text(v, "configMap", "name")).isEqualTo("integration-hub-routes"));
    }

    @Test
    void shouldRunAsNonRootOnAReadOnlyRootWithWritableTmpAndData() throws IOException {
        Map<String, Object> pod = podSpec();
        Map<String, Object> container = hubContainer();
        assertThat(get(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
        assertThat(get(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(get(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Map<String, Object> m : list(container.get("volumeMounts"))) {
            mounts.put((String) m.get("mountPath"), (String) m.get("name"));
        }
        Set<String> emptyDirs = new HashSet<>();
        for (Map<String, Object> v : list(pod.get("volumes"))) {
            if (v.containsKey("emptyDir")) {
                emptyDirs.add((String) v.get("name"));
            }
        }
        assertThat(emptyDirs).contains(mounts.get("/tmp"), mounts.get(plainEnv(container).get("HUB_DATA_DIR")));
        assertThat(get(container, "resources", "limits", "memory")).isNotNull();
        assertThat(get(container, "resources", "requests", "memory")).isNotNull();
    }

    @Test
    void shouldOnlyReferenceSecretKeysTheTemplateLists() throws IOException {
        Map<String, Set<String>> template = new LinkedHashMap<>();
        for (Map<String, Object> secret : documents(K8S.resolve("base/secret-template.yaml"))) {
            assertThat(secret.get("kind")).isEqualTo("Secret");
            Map<String, Object> data = map(secret.get("stringData"));
            template.put(text(secret, "metadata", "name"), data.keySet());
        }
        int references = 0;
        for (Map<String, Object> e : list(hubContainer().get("env"))) {
            Object ref = get(e, "valueFrom", "secretKeyRef");
            if (ref != null) {
                String name = text(e, "valueFrom", "secretKeyRef", "name");
                String key = text(e, "valueFrom", "secretKeyRef", "key");
                assertThat(template).as("secret " + name).containsKey(name);
                assertThat(template.get(name)).as("key " + key + " of " + name).contains(key);
                references++;
            }
        }
        assertThat(references).isGreaterThanOrEqualTo(9);
        for (Map<String, Object> v : list(podSpec().get("volumes"))) {
            if (v.containsKey("secret")) {
                assertThat(template).containsKey(text(v, "secret", "secretName"));
            }
        }
        // The base never ships a Secret itself (a placeholder would be deployed).
        Map<String, Object> base = documents(K8S.resolve("base/kustomization.yaml")).get(0);
        assertThat(list(base.get("resources")).toString()).doesNotContain("secret");
    }

    @Test
    void shouldRenderBaseAndProdOverlayWithKubectl() throws Exception {
        assumeTrue(onPath("kubectl"), "kubectl is not installed; the kustomization references are checked above");
        for (String dir : List.of("k8s/base", "k8s/overlays/prod")) {
            Process p = new ProcessBuilder("kubectl", "kustomize", dir).directory(ROOT.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Object d : new Yaml().loadAll(out)) {
                docs.add(map(d));
            }
            Set<String> kinds = new HashSet<>();
            String routesConfigMap = null;
            for (Map<String, Object> d : docs) {
                kinds.add((String) d.get("kind"));
                if ("ConfigMap".equals(d.get("kind"))) {
                    routesConfigMap = text(d, "metadata", "name");
                }
            }
            assertThat(kinds).contains("Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget");
            assertThat(routesConfigMap).as("hash-suffixed routes ConfigMap").startsWith("integration-hub-routes-");
            assertThat(out).contains("name: " + routesConfigMap);
            assertThat(out).doesNotContain("kind: Secret");
            if (dir.endsWith("prod")) {
                assertThat(out).contains("namespace: integration-hub", "replicas: 3", "registry.example.com/integration-hub:0.1.0");
            }
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private void checkKustomization(Path dir, Set<Path> seen) throws IOException {
        if (!seen.add(dir.normalize())) {
            return;
        }
        Path file = KUSTOMIZATION_FILES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new AssertionError("no kustomization in " + dir));
        Map<String, Object> k = documents(file).get(0);
        for (Object r : list(k.get("resources"))) {
            Path target = dir.resolve(r.toString()).normalize();
            assertThat(target).as(file + " → " + r).exists();
            if (Files.isDirectory(target)) {
                checkKustomization(target, seen);
            }
        }
        for (Map<String, Object> patch : list(k.get("patches"))) {
            if (patch.get("path") != null) {
                assertThat(dir.resolve(patch.get("path").toString())).as(file + " patch").isRegularFile();
            }
        }
        for (Map<String, Object> generator : list(k.get("configMapGenerator"))) {
            for (Object entry : list(generator.get("files"))) {
                String spec = entry.toString();
                String path = spec.contains("=") ? spec.substring(spec.indexOf('=') + 1) : spec;
                assertThat(dir.resolve(path)).as(file + " generator file").isRegularFile();
            }
        }
    }

    private Map<String, Object> deployment() throws IOException {
        return documents(K8S.resolve("base/deployment.yaml")).get(0);
    }

    private Map<String, Object> podSpec() throws IOException {
        return map(get(deployment(), "spec", "template", "spec"));
    }

    private Map<String, Object> hubContainer() throws IOException {
        List<Map<String, Object>> containers = list(podSpec().get("containers"));
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static Map<String, String> plainEnv(Map<String, Object> container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Map<String, Object> e : list(container.get("env"))) {
            if (e.get("value") != null) {
                env.put((String) e.get("name"), e.get("value").toString());
            }
        }
        return env;
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    private static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); Reader reader = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
            for (Object doc : new Yaml().loadAll(reader)) {
                if (doc != null) {
                    docs.add(map(doc));
                }
            }
        }
        return docs;
    }

    private static Object get(Map<String, Object> node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    private static String text(Map<String, Object> node, String... path) {
        Object value = get(node, path);
        return value == null ? null : value.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        if (o == null) {
            return List.of();
        }
        return (List<Map<String, Object>>) o;
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Paths.get(d, command)));
    }
}
