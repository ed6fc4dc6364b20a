package io.integrationhub.provider.microsoft.onedrive;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.platform.oauth.OAuthIntegrationTest;
import io.integrationhub.support.HubClient.Response;

/** The zero-setup profile's Graph sandbox serves the drive: folders, names with spaces, uploads and downloads. */
class OneDriveSandboxTest extends OAuthIntegrationTest {

    private static final String CALLBACK = "http://localhost:8080/oauth/callback/onedrive";
    private static final String API = "/sandbox/microsoft/api";

    private String token() {
        String verifier = "v".repeat(50);
        Response consent = hub.get("/sandbox/microsoft/authorize?response_type=code&client_id=sandbox-client&redirect_uri="
                + enc(CALLBACK) + "&scope=" + enc("Files.ReadWrite.All offline_access") + "&state=s&code_challenge="
                + challenge(verifier) + "&code_challenge_method=S256", null);
        Matcher m = Pattern.compile("id=\"approve\" href=\"([^\"]+)\"").matcher(consent.body());
        assertThat(m.find()).as(consent.body()).isTrue();
        Map<String, String> back = query(hub.get(m.group(1).replace("&amp;", "&"), null).header("Location"));
        Response tokens = hub.send(hub.request("/sandbox/microsoft/token", null)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + back.get("code")
                        + "&code_verifier=" + verifier)).build());
        assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
        return tokens.json().path("access_token").asText();
    }

    private static String challenge(String verifier) {
        try {
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.security.MessageDigest
                    .getInstance("SHA-256").digest(verifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Links the sandbox writes carry the hub's public URL; the test hub listens on another port. */
    private String local(String url) {
        return url.replace("http://localhost:8080", "");
    }

    @Test
    void shouldServeTheDriveToTheSandboxsOwnTokens() {
        String token = token();
        String folderName = "Sandbox Jobs " + System.nanoTime();
        Response folder = hub.post(API + "/me/drive/root/children", token,
                "{\"name\":\"" + folderName + "\",\"folder\":{},\"@microsoft.graph.conflictBehavior\":\"fail\"}");
        assertThat(folder.status()).as(folder.body()).isEqualTo(201);
        String folderId = folder.json().path("id").asText();
        Response byPath = hub.get(API + "/me/drive/root:/" + enc(folderName).replace("+", "%20"), token);
        assertThat(byPath.status()).as(byPath.body()).isEqualTo(200);
        assertThat(byPath.json().path("id").asText()).isEqualTo(folderId);

        Response put = hub.send(hub.request(API + "/me/drive/items/" + folderId + ":/a%20b.txt:/content", token)
                .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("hello")).build());
        assertThat(put.status()).as(put.body()).isEqualTo(201);
        assertThat(put.json().path("name").asText()).isEqualTo("a b.txt");

        Response content = hub.get(API + "/me/drive/items/" + put.json().path("id").asText() + "/content", token);
        assertThat(content.status()).isEqualTo(302);
        Response download = hub.get(local(content.header("Location")), null);
        assertThat(download.body()).isEqualTo("hello");

        JsonNode session = hub.post(API + "/me/drive/items/" + folderId + ":/big.bin:/createUploadSession", token,
                "{\"item\":{\"name\":\"big.bin\"}}").json();
        Response fragment = hub.send(hub.request(local(session.path("uploadUrl").asText()), null)
                .header("Content-Range", "bytes 0-2/3").PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3}))
                .build());
        assertThat(fragment.status()).as(fragment.body()).isEqualTo(201);
        assertThat(fragment.json().path("size").asLong()).isEqualTo(3);
        assertThat(hub.get(API + "/me/drive/root/children", "forged").status()).isEqualTo(401);
    }
}
