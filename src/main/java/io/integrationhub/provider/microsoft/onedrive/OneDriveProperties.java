package io.integrationhub.provider.microsoft.onedrive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * {@code hub.microsoft.onedrive.*}: the OneDrive family's defaults. A connection's {@code config} may override
 * {@code rootPath}, {@code subFolders}, {@code jobFolderName} and {@code conflictBehavior}.
 */
@Validated
@ConfigurationProperties(prefix = "hub.microsoft.onedrive")
public class OneDriveProperties {

    /** Graph's fragment unit: every upload-session fragment but the last must be a multiple of it. */
    public static final int FRAGMENT_UNIT = 320 * 1024;

    /** Folder (path below the drive root) that holds the job folders. */
    @NotBlank
    private String rootPath = "Jobs";
    /** Sub-folders every job folder gets. */
    @NotNull
    private List<String> subFolders = new ArrayList<>(List.of("Quotes", "Purchase Orders", "Invoices", "QA", "Photos",
            "Emails"));
    /** Name of a new job folder: {@code {jobRef}} and {@code {name}} are replaced. */
    @NotBlank
    private String jobFolderName = "{jobRef} {name}";
    /** What an upload does when the file name is taken: {@code rename} ("name 1.pdf"), {@code replace} or {@code fail}. */
    @Pattern(regexp = "rename|replace|fail")
    private String conflictBehavior = "rename";
    /** Files up to this size go in one PUT; bigger ones through an upload session. */
    @NotNull
    private DataSize simpleUploadLimit = DataSize.ofMegabytes(4);
    /** Upload-session fragment size: a multiple of 320 KiB below 60 MiB (Graph recommends 5–10 MiB). */
    @NotNull
    private DataSize chunkSize = DataSize.ofBytes(10L * FRAGMENT_UNIT);
    /** Times an upload resumes from {@code nextExpectedRanges} after a fragment failed despite the retries. */
    @Min(0)
    private int maxResumes = 3;
    /** Times an upload starts over in a new session when Graph dropped the session (404), if the source can be re-read. */
    @Min(0)
    private int maxRestarts = 2;
    /** Largest base64 {@code content} of upload-file (decoded); bigger files go by {@code contentUrl} or multipart. */
    @NotNull
    private DataSize maxInlineContent = DataSize.ofMegabytes(4);
    /**
     * Hosts {@code contentUrl} may name ({@code files.example.com}, {@code *.example.com}). Empty: any host whose
     * addresses are all public (no loopback, private, link-local or multicast address).
     */
    @NotNull
    private List<String> contentUrlHosts = new ArrayList<>();
    /** Largest {@code contentUrl} body without {@code Content-Length}: such a body is spooled to a temporary file first. */
    @NotNull
    private DataSize maxSpooledContent = DataSize.ofMegabytes(250);
    /** Timeout for connecting to a {@code contentUrl} and for its response headers. */
    @NotNull
    private Duration contentUrlTimeout = Duration.ofSeconds(30);
    /** Downloads streamed at the same time by one instance; more answer 503. */
    @Min(1)
    private int maxConcurrentDownloads = 32;
    /** Subscribe to change notifications on the drive root when a connection becomes active. */
    private boolean subscribe = true;

    @AssertTrue(message = "chunk-size must be a positive multiple of 320 KiB (327680 bytes) below 60 MiB")
    public boolean isChunkSizeValid() {
        long bytes = chunkSize == null ? 0 : chunkSize.toBytes();
        return bytes > 0 && bytes % FRAGMENT_UNIT == 0 && bytes < 60L * 1024 * 1024;
    }

    public String getRootPath() { return rootPath; }
    public void setRootPath(String v) { rootPath = v; }
    public List<String> getSubFolders() { return subFolders; }
    public void setSubFolders(List<String> v) { subFolders = v; }
    public String getJobFolderName() { return jobFolderName; }
    public void setJobFolderName(String v) { jobFolderName = v; }
    public String getConflictBehavior() { return conflictBehavior; }
    public void setConflictBehavior(String v) { conflictBehavior = v; }
    public DataSize getSimpleUploadLimit() { return simpleUploadLimit; }
    public void setSimpleUploadLimit(DataSize v) { simpleUploadLimit = v; }
    public DataSize getChunkSize() { return chunkSize; }
    public void setChunkSize(DataSize v) { chunkSize = v; }
    public int getMaxResumes() { return maxResumes; }
    public void setMaxResumes(int v) { maxResumes = v; }
    public int getMaxRestarts() { return maxRestarts; }
    public void setMaxRestarts(int v) { maxRestarts = v; }
    public DataSize getMaxInlineContent() { return maxInlineContent; }
    public void setMaxInlineContent(DataSize v) { maxInlineContent = v; }
    public List<String> getContentUrlHosts() { return contentUrlHosts; }
    public void setContentUrlHosts(List<String> v) { contentUrlHosts = v; }
    public DataSize getMaxSpooledContent() { return maxSpooledContent; }
    public void setMaxSpooledContent(DataSize v) { maxSpooledContent = v; }
    public Duration getContentUrlTimeout() { return contentUrlTimeout; }
    public void setContentUrlTimeout(Duration v) { contentUrlTimeout = v; }
    public int getMaxConcurrentDownloads() { return maxConcurrentDownloads; }
    public void setMaxConcurrentDownloads(int v) { maxConcurrentDownloads = v; }
    public boolean isSubscribe() { return subscribe; }
    public void setSubscribe(boolean v) { subscribe = v; }
}
