package io.integrationhub.platform.hostwebhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.integrationhub.support.StandardWebhooksVerifier;

/** The worked example of docs/host-webhooks.md, signed by the hub and checked by an independent verifier. */
class HostWebhookSignatureTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID = "0f4e6c1a-93b2-4d5e-8a7f-1c2d3e4f5a6b";
    private static final String BODY = "{\"specversion\":\"1.0\",\"id\":\"0f4e6c1a-93b2-4d5e-8a7f-1c2d3e4f5a6b\","
            + "\"source\":\"/integration-hub\",\"type\":\"io.integrationhub.connection.status_changed\","
            + "\"subject\":\"connections/5b0c7c7e-2f7a-4c1b-9d0e-3a4b5c6d7e8f\",\"time\":\"2025-12-04T00:00:00Z\","
            + "\"datacontenttype\":\"application/json\",\"tenantid\":\"2d9f8e7c-6b5a-4c3d-8e1f-0a9b8c7d6e5f\","
            + "\"data\":{\"connectionId\":\"5b0c7c7e-2f7a-4c1b-9d0e-3a4b5c6d7e8f\",\"provider\":\"square\","
            + "\"previousStatus\":\"active\",\"status\":\"disconnected\"}}";

    @Test
    void shouldSignTheDocumentedExampleAsDocumented() {
        assertThat(HostWebhookSignature.header(List.of(SECRET), ID, 1764806400L, BODY))
                .isEqualTo("v1,lfRzTvW+mOVm+xcOYuFRIRLCZ97PPpya7L/PPvMhW74=");
    }

    @Test
    void shouldCarryOneSignaturePerSecretThatAnIndependentVerifierAccepts() {
        String other = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
        long now = java.time.Instant.now().getEpochSecond();
        String header = HostWebhookSignature.header(List.of(SECRET, other), ID, now, BODY);
        assertThat(header.split(" ")).hasSize(2);
        assertThat(StandardWebhooksVerifier.verifies(SECRET, ID, Long.toString(now), BODY, header)).isTrue();
        assertThat(StandardWebhooksVerifier.verifies(other, ID, Long.toString(now), BODY, header)).isTrue();
        assertThat(StandardWebhooksVerifier.verifies("whsec_" + "A".repeat(32), ID, Long.toString(now), BODY, header)).isFalse();
    }
}
