package io.integrationhub.platform.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.integrationhub.support.HubClient.Response;
import io.integrationhub.support.HubIntegrationTest;

class OperationsTest extends HubIntegrationTest {

    @Test
    void shouldBeLiveAndReadyWithDatabaseAndKafka() {
        assertThat(hub.get("/actuator/health/liveness", null).body()).contains("\"UP\"");
        Response readiness = hub.get("/actuator/health/readiness", null);
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"UP\"");
    }

    @Test
    void shouldServeHawtio() {
        Response redirect = hub.get("/actuator/hawtio", null);
        assertThat(redirect.status()).isEqualTo(302);
        Response page = hub.get("/actuator/hawtio/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).containsIgnoringCase("hawtio");
    }

    @Test
    void shouldListTheCamelRouteMBeansThroughJolokia() {
        Response r = hub.get("/actuator/jolokia/search/org.apache.camel:type=routes,*", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("name=\\\"api.listConnections\\\"").contains("name=\\\"platform.dead-letters\\\"");
    }

    @Test
    void shouldExposeCamelRouteMetricsToPrometheus() {
        long before = System.currentTimeMillis();
        hub.get("/api/v1/providers", newTenantKey());
        Response r = hub.get("/actuator/prometheus", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("camel_exchanges_total").contains("routeId=\"api.listProviders\"");
        // the time of the last exchange the hub finished (ExchangeMetricsTags.QuickLastExchange): that call's or later
        double last = r.body().lines().filter(l -> l.startsWith("camel_exchanges_last_timestamp")).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElseThrow();
        assertThat(last).isGreaterThanOrEqualTo(before);
    }
}
