package io.integrationhub.provider.microsoft.mail;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** {@code hub.microsoft.mail.*}: Outlook mail capture and send (docs/microsoft-mail.md). */
@Validated
@ConfigurationProperties(prefix = "hub.microsoft.mail")
public class OutlookMailProperties {

    /** Messages per delta page ({@code Prefer: odata.maxpagesize}). */
    @Min(1)
    @Max(1000)
    private int pageSize = 50;
    /** How far back the first capture of a folder reaches (delta {@code $filter=receivedDateTime ge …}). */
    @NotNull
    private Duration initialWindow = Duration.ofDays(30);
    /** Body text kept in an email record (and searched); longer bodies are cut and marked {@code bodyTruncated}. */
    @Min(1000)
    private int maxBodyChars = 100_000;
    /** Attachments below this size are read from {@code contentBytes}; larger ones are streamed from {@code $value}. */
    @Min(1)
    private long smallAttachmentBytes = 3L * 1024 * 1024;
    /** Largest total of attachments one send-mail may carry (Graph takes attachments under 3 MB inline). */
    @Min(1)
    private long maxSendAttachmentBytes = 3L * 1024 * 1024;
    /** Rounds over the folders one run makes at most while notifications keep arriving during it. */
    @Min(1)
    @Max(10)
    private int maxRounds = 3;
    /** Change types of the folder subscriptions. */
    @NotBlank
    private String changeTypes = "created,deleted";
    /** Sub-folder of the job folder that receives email attachments. */
    @NotBlank
    private String attachmentsFolder = "Emails";

    public int getPageSize() { return pageSize; }
    public void setPageSize(int v) { pageSize = v; }
    public Duration getInitialWindow() { return initialWindow; }
    public void setInitialWindow(Duration v) { initialWindow = v; }
    public int getMaxBodyChars() { return maxBodyChars; }
    public void setMaxBodyChars(int v) { maxBodyChars = v; }
    public long getSmallAttachmentBytes() { return smallAttachmentBytes; }
    public void setSmallAttachmentBytes(long v) { smallAttachmentBytes = v; }
    public long getMaxSendAttachmentBytes() { return maxSendAttachmentBytes; }
    public void setMaxSendAttachmentBytes(long v) { maxSendAttachmentBytes = v; }
    public int getMaxRounds() { return maxRounds; }
    public void setMaxRounds(int v) { maxRounds = v; }
    public String getChangeTypes() { return changeTypes; }
    public void setChangeTypes(String v) { changeTypes = v; }
    public String getAttachmentsFolder() { return attachmentsFolder; }
    public void setAttachmentsFolder(String v) { attachmentsFolder = v; }
}
