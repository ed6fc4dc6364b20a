package io.integrationhub.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.integrationhub.support.HubClient;
import io.integrationhub.support.HubIntegrationTest;

/**
 * {@code /api/v1} bodies are bounded (issue 15 item 6): {@code hub.api.max-body-bytes} (1 MiB) answered 413
 * problem+json before the body is read, and JSON nesting limited; actions keep room for inline content.
 */
class RequestBodyLimitsTest extends HubIntegrationTest {

    private static final int MIB = 1024 * 1024;

    private static String connectionWithPadding(int bytes) {
        return "{\"provider\":\"xero\",\"name\":\"big\",\"config\":{\"padding\":\"" + "x".repeat(bytes) + "\"}}";
    }

    @Test
    void shouldAnswer413ForADeclaredOversizedBodyWithoutWaitingForIt() throws Exception {
        String key = newTenantKey();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            // Announces 2 MiB but sends none of it: only a hub that does not read the body can answer.
            out.write(("POST /api/v1/connections HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + 2 * MIB + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[4096];
            int n = in.read(head);
            String answer = new String(head, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 413");
            assertThat(answer.toLowerCase()).contains("content-type: application/problem+json");
        }
        assertThat(hub.get("/api/v1/connections", key).json()).isEmpty();
    }

    @Test
    void shouldAnswer413ForAnOversizedChunkedBodyAndAcceptOneJustUnderTheLimit() {
        String key = newTenantKey();
        byte[] big = connectionWithPadding(2 * MIB).getBytes(StandardCharsets.UTF_8);
        HubClient.Response chunked = hub.send(hub.request("/api/v1/connections", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(chunked.contentType()).startsWith("application/problem+json");
        assertThat(chunked.json().path("detail").asText()).contains(String.valueOf(MIB));

        HubClient.Response declared = hub.post("/api/v1/connections", key, connectionWithPadding(MIB + 10));
        assertThat(declared.status()).isEqualTo(413);
        assertThat(hub.get("/api/v1/connections", key).json()).isEmpty();

        // Just under the limit, the body is read and judged by the API (xero has no client id in this context).
        HubClient.Response under = hub.post("/api/v1/connections", key, connectionWithPadding(MIB - 200));
        assertThat(under.status()).as(under.body()).isEqualTo(422);
        assertThat(under.json().path("errors").get(0).path("field").asText()).isEqualTo("/provider");
    }

    @Test
    void shouldRefuseDeeplyNestedJsonWith400() {
        String key = newTenantKey();
        String deep = "[".repeat(200) + "]".repeat(200);
        HubClient.Response r = hub.post("/api/v1/connections", key,
                "{\"provider\":\"xero\",\"config\":{\"nested\":" + deep + "}}");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("detail").asText()).contains("JSON limits");
        assertThat(hub.get("/api/v1/connections", key).json()).isEmpty();
    }

    @Test
    void shouldLeaveActionsRoomForInlineContent() {
        String key = newTenantKey();
        // Not a known connection: the point is that a 2 MiB action body gets past the body limit to the API (404).
        HubClient.Response r = hub.post("/api/v1/connections/00000000-0000-4000-8000-000000000000/actions/upload-file",
                key, "{\"jobRef\":\"JOB-1\",\"fileName\":\"a.bin\",\"content\":\"" + "A".repeat(2 * MIB) + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(404);
        HubClient.Response tooBig = hub.post("/api/v1/connections/00000000-0000-4000-8000-000000000000/actions/upload-file",
                key, "{\"jobRef\":\"JOB-1\",\"fileName\":\"a.bin\",\"content\":\"" + "A".repeat(7 * MIB) + "\"}");
        assertThat(tooBig.status()).isEqualTo(413);
    }

    @Test
    void shouldLetTheOpsConsoleSendItsLargeBulkRequests() {
        // Hawtio asks Jolokia about every MBean operation in one bulk request: over a megabyte on a hub with many routes.
        StringBuilder bulk = new StringBuilder("[");
        while (bulk.length() < MIB + MIB / 2) {
            bulk.append("{\"type\":\"read\",\"mbean\":\"java.lang:type=Memory\",\"attribute\":\"HeapMemoryUsage\"},");
        }
        bulk.append("{\"type\":\"version\"}]");
        HubClient.Response r = hub.send(hub.request("/actuator/jolokia", null).header("Content-Type", "text/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(bulk.toString())).build());
        assertThat(r.status()).as("%.100s", r.body()).isEqualTo(200);
        assertThat(r.body()).startsWith("[{");
        // The API keeps its own, smaller bound.
        assertThat(hub.post("/api/v1/connections", newTenantKey(), connectionWithPadding(MIB + 10)).status()).isEqualTo(413);
    }
}
