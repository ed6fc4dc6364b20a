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
 * paths, routes folder, prod profile, secret keys), every object keeps the Kubernetes API's rules
 * ({@link ManifestSchema}), the drain fits the grace period, and — where kubectl with kustomize v4+ is installed —
 * the base and every overlay render into objects that keep those rules.
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
        for (Path dir : kustomizations()) {
            checkKustomization(dir, new HashSet<>());
        }
    }

    /** Every object of every kustomization, as its files say (patches aside): the API's rules hold. */
    @Test
    void shouldKeepEveryObjectWithinTheApiRules() throws IOException {
        for (Path dir : kustomizations()) {
            List<Map<String, Object>> objects = new ArrayList<>();
            collectResources(dir, objects, new HashSet<>());
            assertThat(objects).as(dir + " has objects").isNotEmpty();
            assertThat(ManifestSchema.validate(objects)).as(dir.toString()).isEmpty();
        }
    }

    /**
     * SIGTERM's drain fits the grace period: the preStop sleep, Spring's graceful HTTP phase and Camel's shutdown
     * timeout (sync runs hand back, consumers commit) all end before the kubelet's SIGKILL.
     */
    @Test
    void shouldGiveTheDrainItsWholeTimeBeforeTheKill() throws IOException {
        Map<String, Object> container = hubContainer();
        List<String> preStop = new ArrayList<>();
        for (Object arg : (List<?>) get(container, "lifecycle", "preStop", "exec", "command")) {
            preStop.add(arg.toString());
        }
        assertThat(preStop.get(0)).isEqualTo("sleep");
        int sleep = Integer.parseInt(preStop.get(1));
        Map<String, Object> app = documents(ROOT.resolve("src/main/resources/application.yaml")).get(0);
        assertThat(text(app, "server", "shutdown")).isEqualTo("graceful");
        String phase = text(app, "spring", "lifecycle", "timeout-per-shutdown-phase");
        assertThat(phase).matches("[0-9]+s");
        int http = Integer.parseInt(phase.substring(0, phase.length() - 1));
        int camel = (Integer) get(app, "camel", "main", "shutdown-timeout");
        int grace = (Integer) podSpec().get("terminationGracePeriodSeconds");
        assertThat(grace).as("preStop %d s + HTTP drain %d s + Camel %d s + JVM exit", sleep, http, camel)
                .isGreaterThanOrEqualTo(sleep + http + camel + 5);
        // A lease outlives no drain: another instance resumes a run the drain could not hand back.
        assertThat(list(podSpec().get("topologySpreadConstraints"))).isNotEmpty();
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
    void shouldRenderEveryOverlayWithKubectlIntoValidObjects() throws Exception {
        assumeTrue(onPath("kubectl"), "kubectl is not installed; the kustomization references are checked above");
        assumeTrue(kustomizeVersion() >= 4, "kubectl's kustomize is older than v4 (it cannot read labels/patches/components)");
        for (Path path : kustomizations()) {
            String dir = ROOT.relativize(path).toString();
            Process p = new ProcessBuilder("kubectl", "kustomize", dir).directory(ROOT.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            List<Map<String, Object>> docs = new ArrayList<>();
            for (Object d : new Yaml().loadAll(out)) {
                docs.add(map(d));
            }
            assertThat(ManifestSchema.validate(docs)).as(dir + " rendered").isEmpty();
            Set<String> kinds = new HashSet<>();
            String routesConfigMap = null;
            for (Map<String, Object> d : docs) {
                kinds.add((String) d.get("kind"));
                if ("ConfigMap".equals(d.get("kind"))) {
                    routesConfigMap = text(d, "metadata", "name");
                }
            }
            assertThat(kinds).as(dir).contains("Deployment", "Service", "ConfigMap", "PodDisruptionBudget");
            assertThat(kinds).as(dir + ": one autoscaler").containsAnyOf("HorizontalPodAutoscaler", "ScaledObject");
            assertThat(kinds.contains("HorizontalPodAutoscaler") && kinds.contains("ScaledObject")).as(dir + ": two autoscalers fight").isFalse();
            assertThat(routesConfigMap).as("hash-suffixed routes ConfigMap").startsWith("integration-hub-routes-");
            assertThat(out).contains("name: " + routesConfigMap);
            assertThat(out).doesNotContain("kind: Secret");
            if (dir.endsWith("prod")) {
                assertThat(out).contains("namespace: integration-hub", "replicas: 3", "registry.example.com/integration-hub:0.1.0");
            }
            if (kinds.contains("KafkaTopic")) {
                assertThat(named(docs, "KafkaTopic")).as(dir + ": a KafkaTopic for every topic the hub uses")
                        .containsAll(hubTopics());
            }
            for (Map<String, Object> scaler : docs.stream().filter(d -> "ScaledObject".equals(d.get("kind"))).toList()) {
                Set<String> groups = new HashSet<>();
                for (Map<String, Object> t : list(get(scaler, "spec", "triggers"))) {
                    if ("kafka".equals(t.get("type"))) {
                        groups.add(text(t, "metadata", "consumerGroup"));
                    }
                }
                assertThat(groups).as(dir + ": KEDA watches the hub's consumer groups").containsExactlyInAnyOrderElementsOf(consumerGroups());
            }
        }
    }

    /** The topics the hub reads or writes: the CloudEvents topics, sync requests and every webhook topic. */
    private static Set<String> hubTopics() throws IOException {
        Map<String, Object> app = documents(ROOT.resolve("src/main/resources/application.yaml")).get(0);
        Set<String> topics = new HashSet<>(List.of(io.integrationhub.platform.events.HubTopics.RECORD_CHANGES,
                io.integrationhub.platform.events.HubTopics.CONNECTIONS, io.integrationhub.platform.events.HubTopics.SYNCS,
                io.integrationhub.platform.events.HubTopics.DEAD_LETTERS,
                io.integrationhub.platform.events.HubTopics.WEBHOOK_ENDPOINTS,
                io.integrationhub.platform.webhook.subscription.SyncRequests.TOPIC));
        topics.addAll(List.of(text(app, "hub", "webhooks", "topics").split(",")));
        return topics;
    }

    /** The consumer groups of the hub's Kafka routes (application.yaml, and sync.camel.yaml's default). */
    private static Set<String> consumerGroups() throws IOException {
        Map<String, Object> app = documents(ROOT.resolve("src/main/resources/application.yaml")).get(0);
        String sync = Files.readString(ROOT.resolve("src/main/resources/camel/sync.camel.yaml"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\\{hub\\.sync\\.consumer-group:([^}]+)}}").matcher(sync);
        assertThat(m.find()).isTrue();
        return Set.of(text(app, "hub", "webhooks", "consumer-group"), m.group(1));
    }

    private static Set<String> named(List<Map<String, Object>> docs, String kind) {
        Set<String> names = new HashSet<>();
        for (Map<String, Object> d : docs) {
            if (kind.equals(d.get("kind"))) {
                names.add(text(d, "metadata", "name"));
            }
        }
        return names;
    }

    private static int kustomizeVersion() throws Exception {
        Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Kustomize Version: v([0-9]+)").matcher(out);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** k8s/base and every folder under k8s/overlays. */
    private static List<Path> kustomizations() throws IOException {
        List<Path> dirs = new ArrayList<>();
        dirs.add(K8S.resolve("base"));
        try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
            overlays.filter(Files::isDirectory).sorted().forEach(dirs::add);
        }
        assertThat(dirs).hasSizeGreaterThanOrEqualTo(3);
        return dirs;
    }

    /** The objects a kustomization's resources (and components' resources) name, files as written. */
    private static void collectResources(Path dir, List<Map<String, Object>> objects, Set<Path> seen) throws IOException {
        if (!seen.add(dir.normalize())) {
            return;
        }
        Path file = KUSTOMIZATION_FILES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst().orElse(null);
        if (file == null) {
            return;
        }
        Map<String, Object> k = documents(file).get(0);
        List<Object> refs = new ArrayList<>(list(k.get("resources")));
        refs.addAll(list(k.get("components")));
        List<Map<String, Object>> mine = new ArrayList<>();
        for (Object r : refs) {
            Path target = dir.resolve(r.toString()).normalize();
            if (Files.isDirectory(target)) {
                collectResources(target, mine, seen);
            } else {
                mine.addAll(documents(target));
            }
        }
        // kustomize's labels: on every object, and into pod templates where includeTemplates says so
        for (Map<String, Object> label : list(k.get("labels"))) {
            Map<String, Object> pairs = map(label.get("pairs"));
            for (Map<String, Object> o : mine) {
                labelsOf(o, "metadata").putAll(pairs);
                if (Boolean.TRUE.equals(label.get("includeTemplates")) && get(o, "spec", "template") != null) {
                    labelsOf(map(get(o, "spec", "template")), "metadata").putAll(pairs);
                }
            }
        }
        objects.addAll(mine);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> labelsOf(Map<String, Object> node, String metadataKey) {
        Map<String, Object> metadata = (Map<String, Object>) node.computeIfAbsent(metadataKey, x -> new LinkedHashMap<>());
        return (Map<String, Object>) metadata.computeIfAbsent("labels", x -> new LinkedHashMap<>());
    }

    // --- helpers -------------------------------------------------------------------------------

    private void checkKustomization(Path dir, Set<Path> seen) throws IOException {
        if (!seen.add(dir.normalize())) {
            return;
        }
        Path file = KUSTOMIZATION_FILES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new AssertionError("no kustomization in " + dir));
        Map<String, Object> k = documents(file).get(0);
        List<Object> refs = new ArrayList<>(list(k.get("resources")));
        refs.addAll(list(k.get("components")));
        for (Object r : refs) {
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
        return ManifestSchema.get(node, path);
    }

    private static String text(Map<String, Object> node, String... path) {
        return ManifestSchema.str(node, path);
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
