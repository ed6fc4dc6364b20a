package io.integrationhub.provider.microsoft.onedrive;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.tenancy.TenantJdbc;

/**
 * The job ↔ folder links ({@code onedrive_job_folders}, V7): per connection and job, the item id of the job
 * folder ({@code ""}) and of each sub-folder; the configured root under job {@code ""}.
 */
@Component
public class OneDriveFolderLinks {

    /** The job folder's own row, and the job ref of the connection's root folder row. */
    public static final String SELF = "";

    private final TenantJdbc jdbc;

    public OneDriveFolderLinks(TenantJdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Sub-folder name ({@value #SELF} for the folder itself) → item id. */
    public Map<String, String> find(UUID tenantId, UUID connectionId, String jobRef) {
        Map<String, String> links = new LinkedHashMap<>();
        jdbc.query(tenantId, "SELECT sub_folder, item_id FROM onedrive_job_folders WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND job_ref = :jobRef ORDER BY sub_folder",
                Map.of("connectionId", connectionId, "jobRef", jobRef), (rs, n) -> links.put(rs.getString(1), rs.getString(2)));
        return links;
    }

    public void save(UUID tenantId, UUID connectionId, String jobRef, String subFolder, String itemId) {
        Map<String, Object> p = new HashMap<>();
        p.put("connectionId", connectionId);
        p.put("jobRef", jobRef);
        p.put("subFolder", subFolder);
        p.put("itemId", itemId);
        p.put("now", Timestamp.from(Instant.now()));
        String update = "UPDATE onedrive_job_folders SET item_id = :itemId, updated_at = :now WHERE tenant_id = :tenantId "
                + "AND connection_id = :connectionId AND job_ref = :jobRef AND sub_folder = :subFolder";
        if (jdbc.update(tenantId, update, p) > 0) {
            return;
        }
        try {
            jdbc.update(tenantId, "INSERT INTO onedrive_job_folders (connection_id, job_ref, sub_folder, tenant_id, item_id, "
                    + "created_at, updated_at) VALUES (:connectionId, :jobRef, :subFolder, :tenantId, :itemId, :now, :now)", p);
        } catch (DuplicateKeyException raced) {
            jdbc.update(tenantId, update, p);
        }
    }

    /** Forgets one folder (a sub-folder, or the root under job {@value #SELF}) whose item Graph no longer has. */
    public void forget(UUID tenantId, UUID connectionId, String jobRef, String subFolder) {
        jdbc.update(tenantId, "DELETE FROM onedrive_job_folders WHERE tenant_id = :tenantId AND connection_id = :connectionId "
                + "AND job_ref = :jobRef AND sub_folder = :subFolder",
                Map.of("connectionId", connectionId, "jobRef", jobRef, "subFolder", subFolder));
    }

    /** Forgets a job's folder and all its sub-folders (the job folder was deleted in OneDrive). */
    public void forgetJob(UUID tenantId, UUID connectionId, String jobRef) {
        jdbc.update(tenantId, "DELETE FROM onedrive_job_folders WHERE tenant_id = :tenantId AND connection_id = :connectionId "
                + "AND job_ref = :jobRef", Map.of("connectionId", connectionId, "jobRef", jobRef));
    }
}
