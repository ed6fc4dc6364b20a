package io.integrationhub.platform.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubIntegrationTest;
import io.integrationhub.support.KafkaProbe;

@Import(DeadLetterRouteTest.FailingRoute.class)
class DeadLetterRouteTest extends HubIntegrationTest {

    @TestConfiguration
    static class FailingRoute {
        @Bean
        RouteBuilder alwaysFails() {
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:test.alwaysFails").routeId("test.always-fails")
                            .routeConfigurationId(DeadLetterConfiguration.ID)
                            .setBody(constant("changed before failing"))
                            .throwException(new IllegalStateException("provider said no"));
                }
            };
        }
    }

    @Autowired
    ProducerTemplate producer;
    @Autowired
    JdbcTemplate jdbc;
    @Value("${hub.kafka.bootstrap-servers}")
    String bootstrapServers;

    @Test
    void shouldKeepTheOriginalMessageTheFailureAndTheRouteButNoSecrets() {
        String marker = UUID.randomUUID().toString();
        UUID connectionId = UUID.randomUUID();
        try (KafkaProbe deadLetters = new KafkaProbe(bootstrapServers, "hub.dead-letters")) {
            producer.sendBodyAndHeaders("direct:test.alwaysFails", "{\"original\":\"" + marker + "\"}", Map.of(
                    "Authorization", "Bearer super-secret-access-token",
                    "X-Xero-Signature", "c2lnbmF0dXJl",
                    "HubConnectionId", connectionId.toString(),
                    "X-Trace", "trace-1"));

            Map<String, Object> row = jdbc.queryForMap(
                    "SELECT * FROM dead_letters WHERE body LIKE ?", "%" + marker + "%");
            assertThat(row.get("route_id")).isEqualTo("test.always-fails");
            assertThat(row.get("exception_type")).isEqualTo(IllegalStateException.class.getName());
            assertThat(row.get("exception_message")).isEqualTo("provider said no");
            assertThat((String) row.get("body")).isEqualTo("{\"original\":\"" + marker + "\"}");
            assertThat((String) row.get("headers")).contains("X-Trace").doesNotContain("super-secret", "Authorization",
                    "c2lnbmF0dXJl");

            JsonNode event = deadLetters.await(connectionId.toString(), e -> true);
            assertThat(event.path("type").asText()).isEqualTo("io.integrationhub.dead_letter.created");
            assertThat(event.path("data").path("routeId").asText()).isEqualTo("test.always-fails");
            assertThat(event.path("data").path("deadLetterId").asText()).isEqualTo(row.get("id").toString());
        }
    }
}
