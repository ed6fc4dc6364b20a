package io.integrationhub.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.HubIntegrationTest;

/** Browsers get nosniff, no framing, no referrer everywhere, and a content security policy on the dashboard. */
class SecurityHeadersTest extends HubIntegrationTest {

    private static void assertCommonHeaders(Response r) {
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
    }

    @Test
    void shouldRefuseFramingAndForeignScriptsOnTheDashboard() {
        Response page = hub.get("/", null);
        assertThat(page.status()).isEqualTo(200);
        assertCommonHeaders(page);
        String csp = page.header("Content-Security-Policy");
        assertThat(csp).contains("frame-ancestors 'none'").contains("script-src 'self'").contains("object-src 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        Response script = hub.get("/dashboard/app.js", null);
        assertThat(script.status()).isEqualTo(200);
        assertCommonHeaders(script);
        assertThat(hub.get("/dashboard/config.json", null).header("Content-Security-Policy")).isEqualTo(csp);
    }

    @Test
    void shouldSendTheHeadersOnApiAnswersAndErrorsWithoutHstsOutsideProd() {
        Response ok = hub.get("/api/v1/providers", newTenantKey());
        assertThat(ok.status()).isEqualTo(200);
        assertCommonHeaders(ok);
        Response unauthorized = hub.get("/api/v1/providers", null);
        assertThat(unauthorized.status()).isEqualTo(401);
        assertCommonHeaders(unauthorized);
        Response notFound = hub.get("/no-such-page", null);
        assertThat(notFound.status()).isEqualTo(404);
        assertCommonHeaders(notFound);
        assertThat(ok.header("Strict-Transport-Security")).isNull();
        assertThat(ok.header("Content-Security-Policy")).as("the dashboard's policy is the dashboard's").isNull();
    }

    @Test
    void shouldSendHstsWhereConfiguredAsInProd() throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        new SecurityHeadersFilter(Duration.ofDays(365), null).doFilter(new MockHttpServletRequest("GET", "/api/v1/providers"),
                response, new MockFilterChain());
        assertThat(response.getHeader("Strict-Transport-Security")).isEqualTo("max-age=31536000; includeSubDomains");
    }
}
