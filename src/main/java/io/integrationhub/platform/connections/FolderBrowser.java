package io.integrationhub.platform.connections;

import java.util.List;
import java.util.UUID;

/**
 * A file provider family's live folder listing, for pickers (the dashboard's OneDrive root / watched
 * folder setting). Cursors are opaque to callers and must be validated by the implementation, never
 * followed blindly.
 */
public interface FolderBrowser {

    /** Catalog key, e.g. {@code onedrive}. */
    String provider();

    /** The sub-folders of {@code parentId} (null: the drive's root), one page. */
    Listing list(UUID tenantId, Connection connection, String parentId, String cursor);

    record Folder(String id, String name, String path, Integer childCount) {
    }

    record Listing(Folder parent, List<Folder> folders, String nextCursor) {
    }
}
