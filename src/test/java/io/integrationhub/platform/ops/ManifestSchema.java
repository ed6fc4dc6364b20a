package io.integrationhub.platform.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Kubernetes API's rules for the kinds under {@code k8s/} that a cluster would reject a manifest for (or
 * silently misread), checked without a cluster: the API version each kind is served at, name syntax, required
 * fields and their types, and the cross-references inside one rendered set of objects (selectors that select the
 * pods, probes and Services naming a container port, mounts naming a volume, autoscalers naming the Deployment,
 * topics naming their Kafka cluster). Custom resources (Strimzi, CloudNativePG, KEDA) are checked for the
 * fields their operators require. {@link #validate} answers the problems found, empty when there are none.
 */
final class ManifestSchema {

    private static final Map<String, Set<String>> API_VERSIONS = Map.ofEntries(
            Map.entry("Deployment", Set.of("apps/v1")),
            Map.entry("Service", Set.of("v1")),
            Map.entry("ConfigMap", Set.of("v1")),
            Map.entry("Secret", Set.of("v1")),
            Map.entry("HorizontalPodAutoscaler", Set.of("autoscaling/v2")),
            Map.entry("PodDisruptionBudget", Set.of("policy/v1")),
            Map.entry("Kafka", Set.of("kafka.strimzi.io/v1beta2")),
            Map.entry("KafkaNodePool", Set.of("kafka.strimzi.io/v1beta2")),
            Map.entry("KafkaTopic", Set.of("kafka.strimzi.io/v1beta2")),
            Map.entry("Cluster", Set.of("postgresql.cnpg.io/v1")),
            Map.entry("ScaledObject", Set.of("keda.sh/v1alpha1")));

    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?");

    private final List<String> problems = new ArrayList<>();

    private ManifestSchema() {
    }

    /** The problems of one rendered set of objects (a {@code kubectl kustomize} output, or a folder's files). */
    static List<String> validate(List<Map<String, Object>> objects) {
        ManifestSchema s = new ManifestSchema();
        Map<String, Map<String, Object>> deployments = new HashMap<>();
        Set<String> kafkas = new HashSet<>();
        for (Map<String, Object> o : objects) {
            if ("Deployment".equals(o.get("kind"))) {
                deployments.put(str(o, "metadata", "name"), o);
            }
            if ("Kafka".equals(o.get("kind"))) {
                kafkas.add(str(o, "metadata", "name"));
            }
        }
        for (Map<String, Object> o : objects) {
            s.object(o, deployments, kafkas);
        }
        return s.problems;
    }

    private void object(Map<String, Object> o, Map<String, Map<String, Object>> deployments, Set<String> kafkas) {
        String kind = str(o, "kind");
        String name = str(o, "metadata", "name");
        String where = kind + "/" + name;
        if (kind == null || !API_VERSIONS.containsKey(kind)) {
            problems.add(where + ": unknown kind (add its rules to ManifestSchema)");
            return;
        }
        check(API_VERSIONS.get(kind).contains(str(o, "apiVersion")), where, "apiVersion " + str(o, "apiVersion")
                + " is not one the API serves " + kind + " at: " + API_VERSIONS.get(kind));
        check(name != null && name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches(), where, "metadata.name is not a DNS subdomain");
        labels(where, get(o, "metadata", "labels"));
        switch (kind) {
            case "Deployment" -> deployment(where, o);
            case "Service" -> service(where, o, deployments);
            case "HorizontalPodAutoscaler" -> hpa(where, o, deployments);
            case "PodDisruptionBudget" -> pdb(where, o, deployments);
            case "ConfigMap" -> check(get(o, "data") instanceof Map || get(o, "binaryData") instanceof Map, where, "no data");
            case "KafkaTopic" -> {
                check(positiveInt(get(o, "spec", "partitions")), where, "spec.partitions must be a positive integer");
                check(positiveInt(get(o, "spec", "replicas")), where, "spec.replicas must be a positive integer");
                check(kafkas.contains(str(o, "metadata", "labels", "strimzi.io/cluster")), where,
                        "label strimzi.io/cluster names no Kafka in this set");
            }
            case "KafkaNodePool" -> {
                check(positiveInt(get(o, "spec", "replicas")), where, "spec.replicas");
                check(get(o, "spec", "roles") instanceof List<?> l && !l.isEmpty(), where, "spec.roles");
                check(get(o, "spec", "storage", "type") != null, where, "spec.storage.type");
                check(kafkas.contains(str(o, "metadata", "labels", "strimzi.io/cluster")), where, "strimzi.io/cluster label");
            }
            case "Kafka" -> check(get(o, "spec", "kafka", "listeners") instanceof List<?> l && !l.isEmpty(), where,
                    "spec.kafka.listeners");
            case "Cluster" -> {
                check(positiveInt(get(o, "spec", "instances")), where, "spec.instances");
                check(quantity(get(o, "spec", "storage", "size")), where, "spec.storage.size");
            }
            case "ScaledObject" -> {
                check(deployments.containsKey(str(o, "spec", "scaleTargetRef", "name")), where, "scaleTargetRef names no Deployment");
                check(get(o, "spec", "triggers") instanceof List<?> l && !l.isEmpty(), where, "spec.triggers");
                for (Map<String, Object> t : list(get(o, "spec", "triggers"))) {
                    check(str(t, "type") != null && get(t, "metadata") instanceof Map, where, "trigger type and metadata");
                    for (Map.Entry<String, Object> e : map(get(t, "metadata")).entrySet()) {
                        check(e.getValue() instanceof String, where, "trigger metadata " + e.getKey() + " must be a string");
                    }
                }
            }
            default -> {
            }
        }
    }

    private void deployment(String where, Map<String, Object> o) {
        Map<String, Object> selector = map(get(o, "spec", "selector", "matchLabels"));
        Map<String, Object> podLabels = map(get(o, "spec", "template", "metadata", "labels"));
        check(!selector.isEmpty(), where, "spec.selector.matchLabels is required");
        check(selects(selector, podLabels), where, "spec.selector does not select the template's labels");
        Object replicas = get(o, "spec", "replicas");
        check(replicas == null || replicas instanceof Integer, where, "spec.replicas must be an integer");
        Map<String, Object> pod = map(get(o, "spec", "template", "spec"));
        Object grace = pod.get("terminationGracePeriodSeconds");
        check(grace == null || grace instanceof Integer, where, "terminationGracePeriodSeconds must be an integer");
        Set<String> volumes = new HashSet<>();
        for (Map<String, Object> v : list(pod.get("volumes"))) {
            check(DNS_LABEL.matcher(String.valueOf(v.get("name"))).matches(), where, "volume name " + v.get("name"));
            check(volumes.add(String.valueOf(v.get("name"))), where, "duplicate volume " + v.get("name"));
        }
        for (Map<String, Object> c : list(pod.get("topologySpreadConstraints"))) {
            check(c.get("maxSkew") instanceof Integer, where, "topologySpreadConstraints.maxSkew");
            check(c.get("topologyKey") != null, where, "topologySpreadConstraints.topologyKey");
            check(Set.of("DoNotSchedule", "ScheduleAnyway").contains(c.get("whenUnsatisfiable")), where,
                    "topologySpreadConstraints.whenUnsatisfiable");
            check(selects(map(get(c, "labelSelector", "matchLabels")), podLabels), where,
                    "a topology spread constraint does not select the pods");
        }
        List<Map<String, Object>> containers = list(pod.get("containers"));
        check(!containers.isEmpty(), where, "no containers");
        for (Map<String, Object> c : containers) {
            String cw = where + " container " + c.get("name");
            check(c.get("name") != null && DNS_LABEL.matcher(c.get("name").toString()).matches(), cw, "name");
            check(c.get("image") instanceof String s && !s.isBlank(), cw, "image");
            Set<String> portNames = new HashSet<>();
            for (Map<String, Object> p : list(c.get("ports"))) {
                check(p.get("containerPort") instanceof Integer i && i > 0 && i < 65536, cw, "containerPort " + p.get("containerPort"));
                if (p.get("name") != null) {
                    check(p.get("name").toString().length() <= 15, cw, "port name longer than 15");
                    portNames.add(p.get("name").toString());
                }
            }
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                Map<String, Object> pr = map(c.get(probe));
                if (pr.isEmpty()) {
                    continue;
                }
                long handlers = List.of("httpGet", "tcpSocket", "exec", "grpc").stream().filter(pr::containsKey).count();
                check(handlers == 1, cw, probe + " needs exactly one handler");
                Object port = get(pr, "httpGet", "port");
                check(port == null || port instanceof Integer || portNames.contains(port.toString()), cw,
                        probe + " names port " + port + " the container does not declare");
            }
            Map<String, Object> preStop = map(get(c, "lifecycle", "preStop"));
            if (!preStop.isEmpty()) {
                check(List.of("httpGet", "tcpSocket", "exec", "sleep").stream().filter(preStop::containsKey).count() == 1, cw,
                        "preStop needs exactly one handler");
            }
            for (Map<String, Object> e : list(c.get("env"))) {
                check(e.get("name") != null, cw, "env entry without name");
                check(e.containsKey("value") ^ e.containsKey("valueFrom"), cw, "env " + e.get("name") + " needs value or valueFrom, not both");
            }
            for (Map<String, Object> m : list(c.get("volumeMounts"))) {
                check(volumes.contains(String.valueOf(m.get("name"))), cw, "volumeMount " + m.get("name") + " names no volume");
                check(m.get("mountPath") instanceof String s && s.startsWith("/"), cw, "mountPath");
            }
            for (String section : List.of("requests", "limits")) {
                for (Map.Entry<String, Object> r : map(get(c, "resources", section)).entrySet()) {
                    check(quantity(r.getValue()), cw, "resources." + section + "." + r.getKey() + " is not a quantity");
                }
            }
        }
    }

    private void service(String where, Map<String, Object> o, Map<String, Map<String, Object>> deployments) {
        check(DNS_LABEL.matcher(String.valueOf(str(o, "metadata", "name"))).matches(), where, "a Service name is a DNS label");
        String type = str(o, "spec", "type") == null ? "ClusterIP" : str(o, "spec", "type");
        if ("ExternalName".equals(type)) {
            check(str(o, "spec", "externalName") != null, where, "ExternalName needs spec.externalName");
            return;
        }
        Map<String, Object> selector = map(get(o, "spec", "selector"));
        boolean selectsPods = deployments.values().stream()
                .anyMatch(d -> !selector.isEmpty() && selects(selector, map(get(d, "spec", "template", "metadata", "labels"))));
        check(selectsPods, where, "selector selects no Deployment's pods");
        for (Map<String, Object> p : list(get(o, "spec", "ports"))) {
            check(p.get("port") instanceof Integer, where, "ports[].port");
            Object target = p.get("targetPort");
            if (target instanceof String named) {
                boolean declared = deployments.values().stream().flatMap(d -> list(get(d, "spec", "template", "spec", "containers")).stream())
                        .flatMap(c -> list(c.get("ports")).stream()).anyMatch(cp -> named.equals(cp.get("name")));
                check(declared, where, "targetPort " + named + " is no container port name");
            }
        }
    }

    private void hpa(String where, Map<String, Object> o, Map<String, Map<String, Object>> deployments) {
        check(deployments.containsKey(str(o, "spec", "scaleTargetRef", "name")), where, "scaleTargetRef names no Deployment");
        Object min = get(o, "spec", "minReplicas");
        Object max = get(o, "spec", "maxReplicas");
        check(max instanceof Integer, where, "spec.maxReplicas is required");
        check(min == null || (min instanceof Integer a && max instanceof Integer b && a <= b), where, "minReplicas <= maxReplicas");
        for (Map<String, Object> m : list(get(o, "spec", "metrics"))) {
            check(Set.of("Resource", "Pods", "Object", "External", "ContainerResource").contains(m.get("type")), where, "metric type");
        }
    }

    private void pdb(String where, Map<String, Object> o, Map<String, Map<String, Object>> deployments) {
        check(get(o, "spec", "minAvailable") != null ^ get(o, "spec", "maxUnavailable") != null, where,
                "exactly one of minAvailable and maxUnavailable");
        Map<String, Object> selector = map(get(o, "spec", "selector", "matchLabels"));
        check(deployments.values().stream().anyMatch(d -> selects(selector, map(get(d, "spec", "template", "metadata", "labels")))),
                where, "selector selects no Deployment's pods");
    }

    private void labels(String where, Object labels) {
        for (Map.Entry<String, Object> e : map(labels).entrySet()) {
            check(e.getValue() instanceof String v && v.length() <= 63, where, "label " + e.getKey() + " must be a string of at most 63");
        }
    }

    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private static boolean positiveInt(Object o) {
        return o instanceof Integer i && i > 0;
    }

    private static boolean quantity(Object o) {
        return o != null && QUANTITY.matcher(o.toString()).matches();
    }

    private void check(boolean ok, String where, String problem) {
        if (!ok) {
            problems.add(where + ": " + problem);
        }
    }

    static Object get(Map<String, Object> node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    static String str(Map<String, Object> node, String... path) {
        Object v = get(node, path);
        return v == null ? null : v.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return o instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }
}
