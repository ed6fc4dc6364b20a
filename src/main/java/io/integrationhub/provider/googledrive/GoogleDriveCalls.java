package io.integrationhub.provider.googledrive;

import org.apache.camel.Exchange;
import org.apache.camel.RuntimeCamelException;
import org.springframework.stereotype.Component;

import com.google.api.client.http.HttpHeaders;
import com.google.api.client.json.GenericJson;

import io.integrationhub.platform.resilience.ProviderCalls;

/**
 * Route steps around a camel-google-drive call (route {@code google-drive.drive}, routes/google-drive/drive.camel.yaml):
 * {@link #prepare} names the connection the call is for (request headers the endpoint transport of
 * {@link GoogleDriveClients} reads and the provider endpoint drops), {@link #json} turns the component's Drive model
 * answer into JSON for the family's JSONata mappings, {@link #unwrap} gives the platform back the
 * {@code ProviderCallException} the component wrapped.
 */
@Component("googleDriveCalls")
public class GoogleDriveCalls {

    /** Header the component reads as the request's {@code requestHeaders}. */
    static final String REQUEST_HEADERS = "CamelGoogleDrive.requestHeaders";

    public void prepare(Exchange exchange) {
        Object tenant = exchange.getProperty(ProviderCalls.TENANT);
        Object connection = exchange.getProperty(ProviderCalls.CONNECTION);
        if (tenant == null || connection == null) {
            throw new IllegalStateException("A Google Drive call needs exchange properties HubTenantId and HubConnectionId");
        }
        HttpHeaders headers = new HttpHeaders();
        headers.set(GoogleDriveClients.TENANT_HEADER, tenant.toString());
        headers.set(GoogleDriveClients.CONNECTION_HEADER, connection.toString());
        exchange.getMessage().setHeader(REQUEST_HEADERS, headers);
    }

    /** The component's answer (a Drive model object, or nothing) as a JSON string. */
    public String json(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        exchange.getMessage().removeHeaders("CamelGoogleDrive.*");
        if (body instanceof GenericJson json) {
            if (json.getFactory() == null) {
                json.setFactory(com.google.api.client.json.gson.GsonFactory.getDefaultInstance());
            }
            return json.toString();
        }
        return body == null ? "{}" : body.toString();
    }

    /** doCatch step: the platform's verdict (or any other failure) without the component's wrapper. */
    public void unwrap(Exchange exchange) throws Exception {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Throwable cause = caught;
        while (cause instanceof RuntimeCamelException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof Exception e) {
            throw e;
        }
        throw caught;
    }
}
