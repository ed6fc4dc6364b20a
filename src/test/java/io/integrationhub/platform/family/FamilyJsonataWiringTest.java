package io.integrationhub.platform.family;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.integrationhub.support.HubIntegrationTest;

/** The hub's family routes resolve {@code jsonata:} to the caching component, their endpoints to its endpoint. */
class FamilyJsonataWiringTest extends HubIntegrationTest {

    @Autowired
    CamelContext camel;

    @Test
    void shouldGiveTheFamilyRoutesTheCachingJsonataComponent() {
        assertThat(camel.getComponent("jsonata")).isInstanceOf(CachingJsonataComponent.class);
        assertThat(camel.getEndpoints().stream().filter(e -> e.getEndpointUri().startsWith("jsonata:")))
                .as("the families' mapping steps").isNotEmpty()
                .allMatch(e -> e instanceof CachingJsonataComponent.CachingEndpoint);
    }
}
