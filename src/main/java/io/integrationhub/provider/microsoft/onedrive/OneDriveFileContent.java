package io.integrationhub.provider.microsoft.onedrive;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.resilience.ProviderCalls;
import io.integrationhub.provider.microsoft.graph.JobFiles;

/**
 * {@code direct:onedrive.file.content} (routes/microsoft/onedrive.camel.yaml): a file of the tenant's OneDrive for
 * another family's route, e.g. the job's PDF Xero attaches to an invoice. In: the exchange's tenant
 * ({@code HubTenantId}, set by the platform for the calling family's connection) and properties
 * {@code DriveConnectionId} (a {@code onedrive} connection of the same tenant; none: the tenant's oldest active one),
 * {@code DriveItemId}, {@code DriveMaxBytes} and {@code DriveField} (the JSON pointer of the reference in the caller's
 * input, for problems). Out: the bytes as body, header {@code Content-Type} (the item's type) and property
 * {@code DriveFileName}. The Graph calls go through the Microsoft family's provider endpoint with the OneDrive
 * connection's token ({@link JobFiles#read}). Java because the content is read into a bounded buffer from a
 * pre-authenticated URL that must not see the token.
 */
@Component("oneDriveFileContent")
public class OneDriveFileContent {

    private final JobFiles files;

    public OneDriveFileContent(JobFiles files) {
        this.files = files;
    }

    public void read(Exchange exchange) {
        UUID tenant = exchange.getProperty(ProviderCalls.TENANT, UUID.class);
        String field = exchange.getProperty("DriveField", "", String.class);
        long max = exchange.getProperty("DriveMaxBytes", Long.class);
        String itemId = exchange.getProperty("DriveItemId", String.class);
        try {
            itemId = OneDriveFilesApi.itemId(itemId, field + "/itemId");
        } catch (ProblemException e) {
            throw ProblemException.unprocessable("'" + field + "/itemId' is not a OneDrive item id",
                    new FieldError(field + "/itemId", "not a OneDrive item id"));
        }
        String given = exchange.getProperty("DriveConnectionId", String.class);
        UUID connection;
        if (given == null || given.isBlank()) {
            connection = files.driveConnection(tenant).orElseThrow(() -> ProblemException.unprocessable(
                    "The tenant has no active OneDrive connection to read " + field + " from.",
                    new FieldError(field + "/connectionId", "no active onedrive connection")));
        } else {
            try {
                connection = UUID.fromString(given);
            } catch (IllegalArgumentException e) {
                throw ProblemException.unprocessable("'" + field + "/connectionId' is not a connection id",
                        new FieldError(field + "/connectionId", "not a connection id"));
            }
        }
        JobFiles.DriveFile file;
        try {
            file = files.read(tenant, connection, itemId, max);
        } catch (ProblemException e) {
            // The reference is part of the caller's input: what it names that is missing (another tenant's connection
            // looks exactly like a missing one), inactive, a folder or too large is a 422 on that field.
            int status = e.problem().status();
            if (status != 404 && status != 422) {
                throw e;
            }
            String detail = e.problem().detail() == null ? e.problem().title() : e.problem().detail();
            String about = detail.contains("OneDrive connection") ? "/connectionId" : "/itemId";
            String reason = status == 404 ? "not found" : e.problem().errors() == null || e.problem().errors().isEmpty()
                    ? "cannot be read" : e.problem().errors().get(0).message();
            throw ProblemException.unprocessable(detail, new FieldError(field + about, reason));
        }
        exchange.getMessage().setBody(file.content());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, file.contentType());
        exchange.setProperty("DriveFileName", file.name());
    }
}
