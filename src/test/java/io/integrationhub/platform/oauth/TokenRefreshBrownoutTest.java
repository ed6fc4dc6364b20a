package io.integrationhub.platform.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.integrationhub.support.HubClient;

/**
 * A token-endpoint brownout (issue 15 item 13): Xero's token endpoint answers 503 after 1.5 s, and 24 callers (three
 * times the test pool of 8 database connections) need a refresh of the same connection at once. No database
 * connection may be held while the endpoint is called: other API calls keep being served, the endpoint sees one
 * refresh (with its retries), not one per caller; when it recovers, one refresh serves every caller.
 */
class TokenRefreshBrownoutTest extends OAuthIntegrationTest {

    private static final int CALLERS = 24;

    private static List<Future<Object>> callAll(ExecutorService pool, TokenManager tokens, UUID tenant, UUID id,
            CountDownLatch go) {
        List<Future<Object>> results = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            results.add(pool.submit(() -> {
                go.await();
                try {
                    return tokens.accessToken(tenant, id);
                } catch (RuntimeException e) {
                    return e;
                }
            }));
        }
        return results;
    }

    @Test
    void shouldKeepServingTheApiAndRefreshOnceWhileTheTokenEndpointIsSlowAndFailing() throws Exception {
        String key = newTenantKey();
        String other = newTenantKey();
        String rt = "xero-bo-" + UUID.randomUUID();
        UUID id = connectXero(key, "xero-bo-at-" + UUID.randomUUID(), rt, 1800);
        UUID tenant = tenantOf(key);
        String refreshBody = "grant_type=refresh_token&refresh_token=" + rt;
        wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody))
                .willReturn(error(503, "{\"error\":\"temporarily_unavailable\"}").withFixedDelay(1500)));
        expireAccessToken(id);

        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Object>> results = callAll(pool, tokenManager, tenant, id, go);
            go.countDown();
            Thread.sleep(500);
            // While the callers wait for the token endpoint, another tenant's API calls are served at once.
            for (int i = 0; i < 3; i++) {
                long started = System.nanoTime();
                HubClient.Response listed = hub.get("/api/v1/connections", other);
                assertThat(listed.status()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            }
            for (Future<Object> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isInstanceOf(ProviderUnavailableException.class);
            }
            int brownoutCalls = wm.findAll(postRequestedFor(urlPathEqualTo("/xero/token"))
                    .withRequestBody(equalTo(refreshBody))).size();
            // One refresh with its retries (hub.oauth.refresh-attempts = 3), not one per caller.
            assertThat(brownoutCalls).isBetween(1, 3);
            assertThat(status(key, id)).isEqualTo("active");

            // The endpoint recovers: one refresh serves every caller.
            wm.stubFor(post(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody))
                    .willReturn(okJson("{\"access_token\":\"xero-bo-new\",\"expires_in\":1800,\"token_type\":\"Bearer\","
                            + "\"refresh_token\":\"" + rt + "-rotated\"}").withFixedDelay(500)));
            Thread.sleep(300); // past this instance's short cool-down after the failed refresh
            CountDownLatch again = new CountDownLatch(1);
            List<Future<Object>> recovered = callAll(pool, tokenManager, tenant, id, again);
            again.countDown();
            for (Future<Object> f : recovered) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo("xero-bo-new");
            }
            assertThat(wm.findAll(postRequestedFor(urlPathEqualTo("/xero/token")).withRequestBody(equalTo(refreshBody))))
                    .hasSize(brownoutCalls + 1);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
