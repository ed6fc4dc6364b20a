package io.integrationhub.platform.oauth;

import org.apache.camel.Exchange;

/**
 * A provider family's simulated API behind {@code /sandbox/{provider}/api/**} in the zero-setup profile
 * (e.g. Microsoft Graph). It checks tokens itself with {@link ProviderSandbox#issued}, because some of its
 * URLs are pre-authenticated (upload sessions, download URLs).
 */
public interface SandboxApi {

    /** The sandbox provider segment it serves, e.g. {@code microsoft}. */
    String provider();

    /** The request's headers as a simulator reads them: lower-case names, Camel's own left out. */
    static java.util.Map<String, String> requestHeaders(org.apache.camel.Message in) {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        in.getHeaders().forEach((name, value) -> {
            if (value != null && !name.startsWith("Camel")) {
                headers.put(name.toLowerCase(java.util.Locale.ROOT), value.toString());
            }
        });
        return headers;
    }

    /** Answers one request; {@code path} is below {@code /sandbox/{provider}/api}. */
    void handle(Exchange exchange, String path) throws Exception;
}
