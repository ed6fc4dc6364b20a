package io.integrationhub.platform.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.integrationhub.platform.webhook.Signatures;
import io.integrationhub.provider.hubspot.HubSpotWebhookVerifier;
import io.integrationhub.provider.slack.SlackWebhookVerifier;
import io.integrationhub.provider.square.SquareWebhookVerifier;
import io.integrationhub.provider.xero.XeroWebhookVerifier;

/**
 * Known-answer vectors from /work/shared/providers.md (HubSpot and Slack: the providers' own
 * documentation examples) and vectors computed with an independent HMAC implementation (Python's
 * hmac module) for Xero and Square, whose docs publish none.
 */
class SignatureVectorsTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldMatchHubSpotV3DocumentationVectors() {
        String secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
        byte[] body = utf8("{'example_field':'example_value'}");
        assertThat(HubSpotWebhookVerifier.signatureV3(secret, "POST", "https://www.example.com/webhook_uri", body,
                "1693657560000")).isEqualTo("K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=");
        assertThat(HubSpotWebhookVerifier.signatureV3(secret, "POST", "https://www.example.com/webhook_uri", body,
                "1700000300000")).isEqualTo("RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw=");
    }

    @Test
    void shouldDecodeOnlyTheEscapesHubSpotDecodesBeforeSigning() {
        assertThat(HubSpotWebhookVerifier.decodeUri("https://hub.example.com/webhooks/hubspot?a=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B&b=%20%26"))
                .isEqualTo("https://hub.example.com/webhooks/hubspot?a=:/?@!$'()*,;&b=%20%26");
        assertThat(HubSpotWebhookVerifier.decodeUri("https://h/x?q=%3a%2f")).isEqualTo("https://h/x?q=:/");
    }

    @Test
    void shouldMatchSlackDocumentationVector() {
        String body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
                + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
                + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
                + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        assertThat(SlackWebhookVerifier.signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", utf8(body)))
                .isEqualTo("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
    }

    @Test
    void shouldMatchIndependentXeroVector() {
        byte[] intent = utf8("{\"events\":[],\"firstEventSequence\":0,\"lastEventSequence\":0,\"entropy\":\"S0m3r4Nd0mt3xt\"}");
        assertThat(XeroWebhookVerifier.signature("xero-webhook-key", intent))
                .isEqualTo("Jk5oeRqkvxspr6ZqkjgzOcJkUe7yZPsZrwBHTeueGFc=");
    }

    @Test
    void shouldMatchIndependentSquareVectorOverUrlAndBody() {
        byte[] body = utf8("{\"merchant_id\":\"MLX\",\"type\":\"order.updated\",\"event_id\":\"e1\"}");
        assertThat(SquareWebhookVerifier.signature("square-signature-key", "https://hub.example.com/webhooks/square", body))
                .isEqualTo("ok5IoCQeQbKeky6MBTTYgNZK878zUHUA7t0zbr3L268=");
    }

    @Test
    void shouldCompareSignaturesWithoutAcceptingNullOrPrefixes() {
        assertThat(Signatures.sameSignature("abc", "abc")).isTrue();
        assertThat(Signatures.sameSignature("abc", "ab")).isFalse();
        assertThat(Signatures.sameSignature("abc", null)).isFalse();
        assertThat(Signatures.sameSignature(null, null)).isFalse();
    }
}
