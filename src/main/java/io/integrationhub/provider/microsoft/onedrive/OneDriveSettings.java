package io.integrationhub.provider.microsoft.onedrive;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.catalog.ProviderDefinition;
import io.integrationhub.platform.connections.ConnectionConfigCheck;

/**
 * A connection's OneDrive settings: its {@code config} ({@code rootPath}, {@code subFolders},
 * {@code jobFolderName}, {@code conflictBehavior}) over the {@code hub.microsoft.onedrive.*} defaults; and the
 * check of those config fields when a connection is created or patched.
 */
@Component
public class OneDriveSettings implements ConnectionConfigCheck {

    /** Characters OneDrive refuses in item names. */
    private static final String INVALID = "\"*:<>?/\\|";
    static final List<String> CONFLICT_BEHAVIORS = List.of("rename", "replace", "fail");

    private final OneDriveProperties properties;

    public OneDriveSettings(OneDriveProperties properties) {
        this.properties = properties;
    }

    /** The effective settings of one connection. */
    public record Effective(String rootPath, List<String> subFolders, String jobFolderName, String conflictBehavior) {

        /** The name of a new job folder: the template with {@code {jobRef}} and {@code {name}} filled in, made safe. */
        public String folderName(String jobRef, String name) {
            String filled = jobFolderName.replace("{jobRef}", jobRef).replace("{name}", name == null ? "" : name.trim());
            return safeName(filled.replaceAll("\\s+", " "));
        }
    }

    public Effective of(JsonNode config) {
        String root = text(config, "rootPath", properties.getRootPath());
        List<String> subs = new ArrayList<>();
        JsonNode configured = config == null ? null : config.get("subFolders");
        if (configured != null && configured.isArray()) {
            configured.forEach(n -> subs.add(n.asText()));
        } else {
            subs.addAll(properties.getSubFolders());
        }
        return new Effective(normalisePath(root), List.copyOf(new LinkedHashSet<>(subs)),
                text(config, "jobFolderName", properties.getJobFolderName()),
                text(config, "conflictBehavior", properties.getConflictBehavior()));
    }

    @Override
    public List<FieldError> check(ProviderDefinition provider, JsonNode config) {
        List<FieldError> errors = new ArrayList<>();
        if (!"onedrive".equals(provider.key()) || config == null) {
            return errors;
        }
        JsonNode root = config.get("rootPath");
        if (root != null && !root.isNull()) {
            if (!root.isTextual() || normalisePath(root.asText()).isEmpty()) {
                errors.add(new FieldError("/config/rootPath", "must be a folder path below the drive root, e.g. Jobs or Clients/Jobs"));
            } else {
                for (String segment : normalisePath(root.asText()).split("/")) {
                    if (nameProblem(segment) != null) {
                        errors.add(new FieldError("/config/rootPath", "'" + segment + "': " + nameProblem(segment)));
                    }
                }
            }
        }
        JsonNode subs = config.get("subFolders");
        if (subs != null && !subs.isNull()) {
            if (!subs.isArray() || subs.size() > 50) {
                errors.add(new FieldError("/config/subFolders", "must be an array of at most 50 folder names"));
            } else {
                Set<String> seen = new LinkedHashSet<>();
                for (int i = 0; i < subs.size(); i++) {
                    JsonNode sub = subs.get(i);
                    String problem = sub.isTextual() ? nameProblem(sub.asText()) : "must be a folder name";
                    if (problem == null && !seen.add(sub.asText().toLowerCase(java.util.Locale.ROOT))) {
                        problem = "appears twice (OneDrive names ignore case)";
                    }
                    if (problem != null) {
                        errors.add(new FieldError("/config/subFolders/" + i, problem));
                    }
                }
            }
        }
        JsonNode template = config.get("jobFolderName");
        if (template != null && !template.isNull() && (!template.isTextual() || !template.asText().contains("{jobRef}"))) {
            errors.add(new FieldError("/config/jobFolderName", "must be text containing {jobRef} (and optionally {name})"));
        }
        JsonNode conflict = config.get("conflictBehavior");
        if (conflict != null && !conflict.isNull() && !CONFLICT_BEHAVIORS.contains(conflict.asText())) {
            errors.add(new FieldError("/config/conflictBehavior", "must be one of " + String.join(", ", CONFLICT_BEHAVIORS)));
        }
        return errors;
    }

    /** Why OneDrive would refuse {@code name} as an item name, or null. */
    public static String nameProblem(String name) {
        if (name == null || name.isBlank()) {
            return "must not be blank";
        }
        if (name.length() > 250) {
            return "must be at most 250 characters";
        }
        if (!name.equals(name.trim()) || name.endsWith(".")) {
            return "must not start or end with a space or end with a dot";
        }
        for (char c : name.toCharArray()) {
            if (INVALID.indexOf(c) >= 0 || c < 32) {
                return "must not contain \" * : < > ? / \\ | or control characters";
            }
        }
        return null;
    }

    /** {@code name} with the characters OneDrive refuses replaced by {@code _}, trimmed, without trailing dots. */
    public static String safeName(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            out.append(INVALID.indexOf(c) >= 0 || c < 32 ? '_' : c);
        }
        String safe = out.toString().trim().replaceAll("\\.+$", "").trim();
        if (safe.length() > 250) {
            safe = safe.substring(0, 250).trim();
        }
        return safe.isEmpty() ? "_" : safe;
    }

    private static String normalisePath(String path) {
        return path == null ? "" : path.trim().replaceAll("^/+|/+$", "").replaceAll("/+", "/");
    }

    private static String text(JsonNode config, String field, String fallback) {
        JsonNode v = config == null ? null : config.get(field);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : fallback;
    }
}
