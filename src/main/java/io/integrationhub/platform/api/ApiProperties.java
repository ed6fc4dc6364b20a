package io.integrationhub.platform.api;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Bounds on what a request may make the hub read ({@code hub.api.*}, docs/security-bounds.md). */
@ConfigurationProperties("hub.api")
public class ApiProperties {

    /**
     * Largest request body outside {@code /webhooks} (which has {@code hub.webhooks.max-body-bytes}) and
     * multipart uploads (Spring's {@code spring.servlet.multipart.*}): larger is {@code 413}, before it is read.
     */
    private long maxBodyBytes = 1024 * 1024;

    /**
     * Largest body of {@code POST /api/v1/connections/{id}/actions/{action}}: actions carry inline base64 content
     * (OneDrive {@code upload-file} up to 4 MiB, {@code send-mail} attachments up to 3 MiB).
     */
    private long maxActionBodyBytes = 6 * 1024 * 1024;
    /**
     * Largest body of an ops-console request ({@code /actuator/**}: Jolokia, Hawtio). Hawtio checks its rights on every
     * MBean operation in one bulk request, which grows with the routes and endpoints of the hub (1.2 MB seen).
     */
    private long maxOpsBodyBytes = 16 * 1024 * 1024;

    /** Deepest nesting of objects and arrays in a JSON request body ({@code 400} beyond). */
    private int maxJsonDepth = 64;

    /** Longest JSON string value in a request body, in characters ({@code 400} beyond). */
    private int maxJsonStringLength = 6 * 1024 * 1024;

    public long getMaxBodyBytes() { return maxBodyBytes; }
    public void setMaxBodyBytes(long v) { maxBodyBytes = v; }
    public long getMaxActionBodyBytes() { return maxActionBodyBytes; }
    public long getMaxOpsBodyBytes() { return maxOpsBodyBytes; }
    public void setMaxOpsBodyBytes(long v) { maxOpsBodyBytes = v; }
    public void setMaxActionBodyBytes(long v) { maxActionBodyBytes = v; }
    public int getMaxJsonDepth() { return maxJsonDepth; }
    public void setMaxJsonDepth(int v) { maxJsonDepth = v; }
    public int getMaxJsonStringLength() { return maxJsonStringLength; }
    public void setMaxJsonStringLength(int v) { maxJsonStringLength = v; }
}
