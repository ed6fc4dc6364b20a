package io.integrationhub.provider.microsoft.onedrive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.provider.microsoft.graph.GraphClient.Reply;
import io.integrationhub.provider.microsoft.graph.GraphClient.Request;
import io.integrationhub.provider.microsoft.graph.GraphClient;

/**
 * Job folders in OneDrive: {@code {rootPath}/{job folder}/{sub-folder}}. A folder is created with
 * {@code @microsoft.graph.conflictBehavior: fail}; a {@code 409 nameAlreadyExists} means it is already there, and
 * it is looked up by path instead (never a second folder, never "Quotes 1"). Every folder's item id is kept in
 * {@link OneDriveFolderLinks}, so a job's folders are found again by id — also after a user renamed or moved them —
 * and a linked folder that was deleted in OneDrive is created anew.
 */
@Component
public class OneDriveFolders {

    private final OneDriveFolderLinks links;
    private final OneDriveSettings settings;
    private final ObjectMapper mapper;

    public OneDriveFolders(OneDriveFolderLinks links, OneDriveSettings settings, ObjectMapper mapper) {
        this.links = links;
        this.settings = settings;
        this.mapper = mapper;
    }

    /** A job's folders: the job folder's id and name, sub-folder name → id, and what this call created. */
    public record JobFolders(String jobRef, String folderId, String folderName, Map<String, String> subFolders,
            List<String> created) {

        public String idOf(String subFolder) {
            return subFolder == null || subFolder.isBlank() ? folderId : subFolders.get(subFolder);
        }
    }

    /**
     * Ensures the job folder and the template's sub-folders (plus {@code extraSubFolder}, when not null). The
     * job folder is named from {@code name} only when it is first created; an existing one keeps its name.
     */
    public JobFolders ensure(GraphClient.Session graph, UUID tenantId, UUID connectionId, JsonNode config, String jobRef,
            String name, String extraSubFolder) {
        OneDriveSettings.Effective effective = settings.of(config);
        if (jobRef == null || jobRef.isBlank() || jobRef.length() > 512) {
            throw ProblemException.badRequest("'jobRef' must be 1 to 512 characters", new FieldError("/jobRef", "1 to 512 characters"));
        }
        Set<String> wanted = new LinkedHashSet<>(effective.subFolders());
        if (extraSubFolder != null && !extraSubFolder.isBlank()) {
            String problem = OneDriveSettings.nameProblem(extraSubFolder);
            if (problem != null) {
                throw ProblemException.badRequest("'folder' " + problem, new FieldError("/folder", problem));
            }
            wanted.add(extraSubFolder);
        }
        List<String> created = new ArrayList<>();
        Map<String, String> known = links.find(tenantId, connectionId, jobRef);
        String folderId = known.get(OneDriveFolderLinks.SELF);
        String folderName = null;
        if (folderId != null) {
            Reply found = graph.send(Request.of("GET", graph.url(item(folderId) + "?$select=id,name,folder,deleted")),
                    status -> status == 404);
            if (found.status() == 404 || !found.json().has("folder")) {
                links.forgetJob(tenantId, connectionId, jobRef);
                known = Map.of();
                folderId = null;
            } else {
                folderName = found.json().path("name").asText();
            }
        }
        if (folderId == null) {
            folderName = effective.folderName(jobRef, name);
            for (int attempt = 0; folderId == null; attempt++) {
                String rootId = root(graph, tenantId, connectionId, effective.rootPath(), created);
                Ensured job = ensureChild(graph, rootId, folderName);
                if (job == null) {
                    // The root folder was deleted in OneDrive since it was linked: resolve it again, once.
                    links.forget(tenantId, connectionId, OneDriveFolderLinks.SELF, effective.rootPath());
                    if (attempt > 0) {
                        throw new IllegalStateException("the OneDrive root folder vanished twice while creating a job folder");
                    }
                    continue;
                }
                folderId = job.id();
                if (job.created()) {
                    created.add(effective.rootPath() + "/" + folderName);
                }
            }
            links.save(tenantId, connectionId, jobRef, OneDriveFolderLinks.SELF, folderId);
        }
        Map<String, String> subFolders = new LinkedHashMap<>();
        for (String sub : wanted) {
            String id = known.get(sub);
            if (id == null) {
                Ensured ensured = ensureChild(graph, folderId, sub);
                if (ensured == null) {
                    throw new IllegalStateException("the job folder vanished while its sub-folders were created");
                }
                id = ensured.id();
                if (ensured.created()) {
                    created.add(effective.rootPath() + "/" + folderName + "/" + sub);
                }
                links.save(tenantId, connectionId, jobRef, sub, id);
            }
            subFolders.put(sub, id);
        }
        return new JobFolders(jobRef, folderId, folderName, subFolders, List.copyOf(created));
    }

    /** A sub-folder Graph no longer has (404 on upload): forgotten, so the next {@link #ensure} creates it anew. */
    public void forget(UUID tenantId, UUID connectionId, String jobRef, String subFolder) {
        if (subFolder == null || subFolder.isBlank()) {
            links.forgetJob(tenantId, connectionId, jobRef);
        } else {
            links.forget(tenantId, connectionId, jobRef, subFolder);
        }
    }

    /** The configured root folder's id, created segment by segment below the drive root when missing. */
    private String root(GraphClient.Session graph, UUID tenantId, UUID connectionId, String rootPath, List<String> created) {
        String known = links.find(tenantId, connectionId, OneDriveFolderLinks.SELF).get(rootPath);
        if (known != null) {
            return known;
        }
        String parent = null;
        StringBuilder path = new StringBuilder();
        for (String segment : rootPath.split("/")) {
            path.append(path.isEmpty() ? "" : "/").append(segment);
            Ensured e = ensureChild(graph, parent, segment);
            if (e == null) {
                throw new IllegalStateException("a parent of the OneDrive root folder vanished while it was created");
            }
            if (e.created()) {
                created.add(path.toString());
            }
            parent = e.id();
        }
        links.save(tenantId, connectionId, OneDriveFolderLinks.SELF, rootPath, parent);
        return parent;
    }

    private record Ensured(String id, boolean created) {
    }

    /** The folder {@code name} in {@code parentId} (null: the drive root), created if missing; null when the parent is gone. */
    private Ensured ensureChild(GraphClient.Session graph, String parentId, String name) {
        for (int attempt = 0; attempt < 3; attempt++) {
            ObjectNode body = mapper.createObjectNode();
            body.put("name", name);
            body.putObject("folder");
            body.put("@microsoft.graph.conflictBehavior", "fail");
            Reply created = graph.send(Request.of("POST", graph.url(item(parentId) + "/children")).json(body),
                    status -> status == 404 || status == 409);
            if (created.status() < 300) {
                return new Ensured(created.json().path("id").asText(), true);
            }
            if (created.status() == 404) {
                return null;
            }
            // 409 nameAlreadyExists: it exists already; find it by path below the same parent.
            Reply existing = graph.send(Request.of("GET", graph.url(item(parentId) + ":" + GraphClient.encodePath(name))),
                    status -> status == 404);
            if (existing.status() == 404) {
                continue; // deleted between the two calls: create it again
            }
            if (!existing.json().has("folder")) {
                throw ProblemException.conflict("OneDrive has a file named '" + name + "' where the folder should be.");
            }
            return new Ensured(existing.json().path("id").asText(), false);
        }
        throw new IllegalStateException("folder '" + name + "' kept appearing and disappearing in OneDrive");
    }

    /** Graph path of an item by id; null is the drive root. */
    static String item(String id) {
        return id == null ? "/me/drive/root" : "/me/drive/items/" + GraphClient.encodePath(id).substring(1);
    }
}
