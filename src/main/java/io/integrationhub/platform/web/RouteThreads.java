package io.integrationhub.platform.web;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.core.env.Environment;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

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
 * <p>
 * The starter's handler method returns a {@code CompletableFuture}, and Spring MVC answers every such return value
 * through an asynchronous dispatch: the request goes through the filter chain and the {@code DispatcherServlet} a
 * second time to write nothing more, even when the future finished before the method returned. That second pass was a
 * fifth of the request thread's CPU (docs/performance.md, "Round of 2026-12-07, tenth session").
 * {@link CompletedRouteAnswer} answers a finished route on the first pass; a route still running (the starter's pool)
 * is answered asynchronously as before.
 */
@Configuration(proxyBeanMethods = false)
public class RouteThreads {

    @Bean("platform-http-engine") // the name platform-http looks the engine up by
    @ConditionalOnProperty(name = "hub.http.routes-on-request-thread", havingValue = "true", matchIfMissing = true)
    PlatformHttpEngine requestThreadPlatformHttpEngine(Environment environment) {
        return new SpringBootPlatformHttpEngine(environment.getProperty("server.port", Integer.class, 8080), Runnable::run);
    }

    /** Puts {@link CompletedRouteAnswer} before Spring MVC's handler of asynchronous return values. */
    @Bean
    static BeanPostProcessor completedRouteAnswer() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getReturnValueHandlers() != null) {
                    List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>(adapter.getReturnValueHandlers());
                    HandlerMethodReturnValueHandler asynchronous = handlers.stream()
                            .filter(h -> h.supportsReturnType(CompletedRouteAnswer.SERVICE_RESULT)).findFirst().orElse(null);
                    if (asynchronous != null) {
                        handlers.add(0, new CompletedRouteAnswer(asynchronous));
                        adapter.setReturnValueHandlers(handlers);
                    }
                }
                return bean;
            }
        };
    }

    /**
     * The return value of a platform-http consumer's handler method: when its route has finished (it ran on the request
     * thread), the answer is already written, and the request is done without an asynchronous dispatch; a failure is
     * thrown to Spring MVC's exception resolvers, as the dispatch would have. An unfinished route goes to
     * {@code asynchronous} (Spring MVC's own handler).
     */
    static final class CompletedRouteAnswer implements HandlerMethodReturnValueHandler {

        static final MethodParameter SERVICE_RESULT = serviceResult();

        private final HandlerMethodReturnValueHandler asynchronous;

        CompletedRouteAnswer(HandlerMethodReturnValueHandler asynchronous) {
            this.asynchronous = asynchronous;
        }

        private static MethodParameter serviceResult() {
            try {
                return new MethodParameter(SpringBootPlatformHttpConsumer.class.getMethod("service",
                        jakarta.servlet.http.HttpServletRequest.class, jakarta.servlet.http.HttpServletResponse.class), -1);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("camel-platform-http-starter without SpringBootPlatformHttpConsumer.service", e);
            }
        }

        @Override
        public boolean supportsReturnType(MethodParameter returnType) {
            return SpringBootPlatformHttpConsumer.class.isAssignableFrom(returnType.getContainingClass())
                    && CompletionStage.class.isAssignableFrom(returnType.getParameterType());
        }

        @Override
        public void handleReturnValue(Object returnValue, MethodParameter returnType, ModelAndViewContainer mavContainer,
                NativeWebRequest webRequest) throws Exception {
            if (returnValue instanceof CompletableFuture<?> future && future.isDone()) {
                try {
                    future.join();
                } catch (CompletionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    if (cause instanceof Exception exception) {
                        throw exception;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(cause);
                }
                mavContainer.setRequestHandled(true);
                return;
            }
            asynchronous.handleReturnValue(returnValue, returnType, mavContainer, webRequest);
        }
    }
}
