package io.integrationhub.platform.events;

import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/** The relay's transaction: one per batch, whatever the calling thread holds. */
@Configuration
public class OutboxConfiguration {

    @Bean("outboxTransaction")
    SpringTransactionPolicy outboxTransaction(PlatformTransactionManager transactionManager) {
        SpringTransactionPolicy policy = new SpringTransactionPolicy(transactionManager);
        policy.setPropagationBehaviorName("PROPAGATION_REQUIRES_NEW");
        return policy;
    }
}
