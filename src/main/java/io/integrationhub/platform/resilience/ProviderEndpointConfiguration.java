package io.integrationhub.platform.resilience;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.component.http.HttpComponent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The camel-http component behind the platform provider endpoint ({@code provider-http:} in
 * {@code camel/provider.camel.yaml}): no retries or redirects of its own, explicit timeouts
 * ({@code hub.resilience.connect-timeout}, {@code request-timeout}). The client is shaped by a configurer (endpoint
 * option {@code httpClientConfigurer}), which Camel Spring Boot's component customizer cannot overwrite.
 */
@Configuration(proxyBeanMethods = false)
public class ProviderEndpointConfiguration {

    @Bean("provider-http")
    HttpComponent providerHttpComponent() {
        return new HttpComponent();
    }

    @Bean("providerHttpClientConfigurer")
    HttpClientConfigurer providerHttpClientConfigurer(ResilienceProperties properties) {
        return CamelHttpClients.withoutRetriesOrRedirects(properties.getConnectTimeout(), properties.getRequestTimeout());
    }
}
