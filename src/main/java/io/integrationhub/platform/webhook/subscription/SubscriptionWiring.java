package io.integrationhub.platform.webhook.subscription;

import java.util.UUID;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.integrationhub.platform.oauth.TokenManager;
import io.integrationhub.platform.vault.Vault;

/**
 * Connects the subscription lifecycle to the platform's vault (Graph clientState and Google channel
 * tokens are sealed like provider tokens, under the same key ring and rotation) and to the token manager
 * (renewal calls get a valid, refreshed bearer).
 */
@Configuration
public class SubscriptionWiring {

    /** Associated data of a subscription secret: bound to its tenant and to this purpose. */
    static final String SUBSCRIPTION_SECRET_FIELD = "subscription-secret";

    @Bean
    SubscriptionSecrets subscriptionSecrets(Vault vault) {
        return new SubscriptionSecrets() {
            @Override
            public byte[] seal(UUID tenantId, String secret) {
                return vault.seal(tenantId, SUBSCRIPTION_SECRET_FIELD, secret);
            }

            @Override
            public String open(UUID tenantId, byte[] sealed) {
                return vault.open(tenantId, SUBSCRIPTION_SECRET_FIELD, sealed);
            }
        };
    }

    @Bean
    ConnectionAccessTokens connectionAccessTokens(TokenManager tokens) {
        return tokens::accessToken;
    }
}
