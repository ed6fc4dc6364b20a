package io.integrationhub.platform.webhook;

import java.nio.file.Path;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.webhook.subscription.AesGcmSubscriptionSecrets;
import io.integrationhub.platform.webhook.subscription.ConnectionAccessTokens;
import io.integrationhub.platform.webhook.subscription.SubscriptionSecrets;

/**
 * Stand-ins for two services other platform pieces own: the vault (subscription secrets) and the
 * credentials service (access tokens). Either is replaced by declaring a bean of the interface.
 */
@Configuration
public class WebhookConfiguration {

    @Bean
    @ConditionalOnMissingBean(SubscriptionSecrets.class)
    SubscriptionSecrets subscriptionSecrets(WebhookProperties properties, HubProperties hub) {
        return new AesGcmSubscriptionSecrets(properties.getSecretKey(), Path.of(hub.getDataDir()));
    }

    @Bean
    @ConditionalOnMissingBean(ConnectionAccessTokens.class)
    ConnectionAccessTokens connectionAccessTokens() {
        return ConnectionAccessTokens.unavailable();
    }
}
