package io.integrationhub.platform.ops;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Kafka in readiness: host applications get no events while the cluster is away. (Webhook acknowledgement
 * does not need it any more: events wait in the outbox, whose lag is the {@code outbox} readiness detail.)
 */
@Component("kafka")
public class KafkaHealthIndicator implements HealthIndicator, DisposableBean {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private final Admin admin;

    public KafkaHealthIndicator(@Value("${hub.kafka.bootstrap-servers}") String bootstrapServers) {
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                AdminClientConfig.CLIENT_ID_CONFIG, "integration-hub-health"));
    }

    @Override
    public Health health() {
        try {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .nodes().get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS).size();
            return nodes > 0 ? Health.up().withDetail("nodes", nodes).build() : Health.down().withDetail("nodes", 0).build();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Health.down().withDetail("error", e.getClass().getSimpleName()).build();
        }
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(2));
    }
}
