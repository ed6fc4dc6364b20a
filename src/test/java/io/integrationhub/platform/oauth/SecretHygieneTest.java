package io.integrationhub.platform.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import io.integrationhub.support.HubClient.Response;

/** No token, code, key or client secret in any table, in any log line, or in any API answer. */
class SecretHygieneTest extends OAuthIntegrationTest {

    @Value("${hub.test.schema}")
    String schema;

    @Test
    void shouldKeepNoPlaintextSecretInAnyTable() {
        String key = newTenantKey();
        String at = "xero-plain-at-" + UUID.randomUUID();
        String rt = "xero-plain-rt-" + UUID.randomUUID();
        UUID xero = connectXero(key, at, rt, 1800);
        String at2 = "xero-plain-at2-" + UUID.randomUUID();
        String rt2 = "xero-plain-rt2-" + UUID.randomUUID();
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo("grant_type=refresh_token&refresh_token=" + rt))
                .willReturn(okJson("{\"access_token\":\"" + at2 + "\",\"expires_in\":1800,\"refresh_token\":\"" + rt2 + "\"}")));
        expireAccessToken(xero);
        assertThat(tokenManager.accessToken(tenantOf(key), xero)).isEqualTo(at2);
        String apiKey = "bc-plain-key-" + UUID.randomUUID();
        wm.stubFor(get(urlPathEqualTo("/bc/api/v2.0/companies")).withHeader("Authorization", equalTo("Bearer " + apiKey))
                .willReturn(okJson("{\"value\":[{\"id\":\"c1\",\"displayName\":\"CRONUS\"}]}")));
        assertThat(hub.post("/api/v1/connections", key, "{\"provider\":\"business-central\",\"credentials\":{\"apiKey\":\""
                + apiKey + "\"}}").status()).isEqualTo(201);
        String pendingState = start(key, "google-drive", null)[1];

        List<String> secrets = List.of(at, rt, at2, rt2, apiKey, lastCode, lastState, pendingState, key, adminToken,
                XERO_SECRET, "dGVzdC1vbmx5LXZhdWx0LWtleS0wMTIzNDU2Nzg5YWI=", "test-only-vault-key-0123456789ab");

        List<String> tables = jdbc.queryForList("SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                + "AND table_type = 'BASE TABLE'", String.class, schema);
        assertThat(tables).contains("credentials", "oauth_states", "connections", "api_keys", "tenants");
        int cells = 0;
        for (String table : tables) {
            for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM " + schema + "." + table)) {
                for (Map.Entry<String, Object> cell : row.entrySet()) {
                    cells++;
                    String text = render(cell.getValue());
                    for (String secret : secrets) {
                        assertThat(text).as(table + "." + cell.getKey()).doesNotContain(secret);
                    }
                }
            }
        }
        assertThat(cells).isGreaterThan(50);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM credentials WHERE access_token_ct IS NOT NULL "
                + "AND refresh_token_ct IS NOT NULL AND connection_id = ?", Integer.class, xero)).isOne();
    }

    /** Text, raw bytes read as text, and hex: a plaintext token must not hide in any of them. */
    private static String render(Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.ISO_8859_1) + " " + new String(bytes, StandardCharsets.UTF_8) + " "
                    + HexFormat.of().formatHex(bytes);
        }
        return String.valueOf(value);
    }

    @Test
    void shouldLogNoTokenCodeOrSecretDuringConnectRefreshCheckAndDisconnect() {
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger hubLogger = (Logger) LoggerFactory.getLogger("io.integrationhub");
        Logger camel = (Logger) LoggerFactory.getLogger("org.apache.camel");
        Level rootBefore = root.getLevel();
        Level hubBefore = hubLogger.getLevel();
        Level camelBefore = camel.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        // hub threads (relay, consumers) log while the test reads the list, even just after the appender is detached
        captured.list = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        captured.start();
        root.addAppender(captured);
        // Everything that is not explicitly capped logs at DEBUG during the cycle.
        root.setLevel(Level.DEBUG);
        hubLogger.setLevel(Level.DEBUG);
        camel.setLevel(Level.DEBUG);
        String key = newTenantKey();
        String at = "xero-log-at-" + UUID.randomUUID();
        String rt = "xero-log-rt-" + UUID.randomUUID();
        String at2 = "xero-log-at2-" + UUID.randomUUID();
        String rt2 = "xero-log-rt2-" + UUID.randomUUID();
        List<String> secrets = new ArrayList<>();
        try {
            UUID id = connectXero(key, at, rt, 1800);
            wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo("grant_type=refresh_token&refresh_token=" + rt))
                    .willReturn(okJson("{\"access_token\":\"" + at2 + "\",\"expires_in\":1800,\"refresh_token\":\"" + rt2 + "\"}")));
            wm.stubFor(get(urlPathEqualTo("/xero-api/connections")).withHeader("Authorization", equalTo("Bearer " + at2))
                    .willReturn(okJson("[{\"tenantId\":\"t\",\"tenantType\":\"ORGANISATION\",\"tenantName\":\"Demo\"}]")));
            wm.stubFor(post(urlPathEqualTo("/xero/revoke")).willReturn(ok()));
            expireAccessToken(id);
            Response check = hub.post("/api/v1/connections/" + id + "/check", key, "");
            assertThat(check.json().path("healthy").asBoolean()).as(check.body()).isTrue();
            // a failed attempt too: an unknown state and a denied consent
            callback("xero", "code=" + lastCode + "&state=" + lastState);
            Response bye = hub.delete("/api/v1/connections/" + id, key);
            assertThat(bye.json().path("status").asText()).isEqualTo("disconnected");
            for (Response r : List.of(check, bye, hub.get("/api/v1/connections/" + id, key), hub.get("/api/v1/connections", key))) {
                for (String s : List.of(at, rt, at2, rt2, lastCode, lastState, XERO_SECRET)) {
                    assertThat(r.body()).doesNotContain(s);
                }
            }
            secrets.addAll(List.of(at, rt, at2, rt2, lastCode, lastState, key, XERO_SECRET, basic(XERO_ID, XERO_SECRET)
                    .substring(6)));
            // nor in a metric tag (route/endpoint metrics name endpoints, never the per-request URL)
            Response metrics = hub.get("/actuator/prometheus", null);
            assertThat(metrics.status()).isEqualTo(200);
            for (String s : secrets) {
                assertThat(metrics.body()).doesNotContain(s);
            }
        } finally {
            root.setLevel(rootBefore);
            hubLogger.setLevel(hubBefore);
            camel.setLevel(camelBefore);
            root.detachAppender(captured);
        }
        // The test's own side is not the hub: the provider fake (WireMock) and the JDK HttpClient this test
        // uses as browser and host application (the hub itself calls providers through camel-http).
        List<ILoggingEvent> all;
        synchronized (captured.list) {
            all = new java.util.ArrayList<>(captured.list);
        }
        List<ILoggingEvent> hubEvents = all.stream()
                .filter(e -> !e.getLoggerName().startsWith("wiremock.") && !e.getLoggerName().startsWith("com.github.tomakehurst")
                        && !e.getLoggerName().startsWith("jdk.internal.httpclient"))
                .toList();
        assertThat(hubEvents.size()).as("DEBUG logging was on").isGreaterThan(20);
        for (ILoggingEvent event : hubEvents) {
            String line = event.getLoggerName() + " " + event.getFormattedMessage() + " " + throwable(event.getThrowableProxy())
                    + " " + event.getMDCPropertyMap();
            for (String secret : secrets) {
                assertThat(line).doesNotContain(secret);
            }
        }
    }

    private static String throwable(IThrowableProxy t) {
        StringBuilder b = new StringBuilder();
        while (t != null) {
            b.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
            for (StackTraceElementProxy s : t.getStackTraceElementProxyArray()) {
                b.append(s.getSTEAsString()).append('\n');
            }
            t = t.getCause();
        }
        return b.toString();
    }
}
