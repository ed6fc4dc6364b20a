package io.integrationhub.platform.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which headers are never stored with a dead letter or a webhook event: the names that may carry a credential. */
class SecretHeaderTest {

    @ParameterizedTest
    @ValueSource(strings = { "Authorization", "authorization", "Proxy-Authorization", "X-Xero-Signature",
        "x-square-hmacsha256-signature", "X-HubSpot-Signature-v3", "X-Slack-Signature", "X-Goog-Channel-Token",
        "X-API-Key", "x-apikey", "Api_Key", "Cookie", "Set-Cookie", "X-Client-Secret", "password", "X-Passwd",
        "X-Credential-Id", "code_verifier", "X-HMAC", "HubRefreshToken", "clientState-TOKEN" })
    void shouldTreatAsSecret(String name) {
        assertThat(DeadLetterStore.isSecretHeader(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "Content-Type", "X-Request-Id", "X-HubSpot-Request-Timestamp", "X-Slack-Request-Timestamp",
        "User-Agent", "HubTenantId", "HubConnectionId", "X-Goog-Resource-State", "api", "key", "X-Api-Version" })
    void shouldKeepOrdinaryHeaders(String name) {
        assertThat(DeadLetterStore.isSecretHeader(name)).isFalse();
    }
}
