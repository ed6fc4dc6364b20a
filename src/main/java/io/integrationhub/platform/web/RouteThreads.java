package io.integrationhub.platform.web;

import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Where the routes behind {@code platform-http} (the REST API, the webhooks, the OAuth callback) run: on the request's
 * own Tomcat thread ({@code hub.http.routes-on-request-thread=true}, the default), not on a second pool.
 * <p>
 * The camel-platform-http starter hands every request to Spring's task pool ({@code task-N} threads: 8, with a queue
 * without bound) and answers through an asynchronous dispatch. Each request then changed threads twice, and a flood
 * waited in that unbounded queue. On the request thread the route runs where the request already is; Tomcat's own
 * limits ({@code server.tomcat.threads.max}, {@code server.tomcat.accept-count}) bound the requests in the hub, and the
 * webhook intake limit ({@code hub.webhooks.max-queued}) still answers {@code 503} first. {@code false} restores the
 * starter's pool. Measured in docs/performance.md ("Round of 2026-12-07, ninth session").
 */
@Configuration(proxyBeanMethods = false)
public class RouteThreads {

    @Bean("platform-http-engine") // the name platform-http looks the engine up by
    @ConditionalOnProperty(name = "hub.http.routes-on-request-thread", havingValue = "true", matchIfMissing = true)
    PlatformHttpEngine requestThreadPlatformHttpEngine(Environment environment) {
        return new SpringBootPlatformHttpEngine(environment.getProperty("server.port", Integer.class, 8080), Runnable::run);
    }
}
