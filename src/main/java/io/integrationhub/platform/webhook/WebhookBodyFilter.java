package io.integrationhub.platform.webhook;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.web.BufferedBodyRequest;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * In front of {@code /webhooks/*}: refuses bodies over the limit with 413 (by Content-Length before
 * reading, or while reading a chunked body), and hands the route the body bytes exactly as received,
 * so signatures are checked over the raw request and nothing parses a form body on the way.
 *
 * <p>And the intake limit: at most {@code hub.webhooks.max-queued} webhook requests are in the hub at once (accepted,
 * not yet answered); one more is answered {@code 503} at once, before its body is read. With
 * {@code hub.http.routes-on-request-thread=false} camel-platform-http hands every request to a worker pool whose queue
 * has no bound, where without this a flood beyond what the hub can store piled up in the heap (measured: paced at 500
 * requests/s, the heap filled and the JVM spent its time collecting garbage) before the route's own admission step
 * ({@code hub.webhooks.max-in-flight}) ever saw it; on the request thread (the default) it keeps Tomcat's threads for
 * the other requests.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
public class WebhookBodyFilter extends OncePerRequestFilter {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookBodyFilter.class);

    private final WebhookProperties properties;
    private final ObjectMapper mapper;
    private final Semaphore intake;
    private final AtomicLong refusedSinceLog = new AtomicLong();

    public WebhookBodyFilter(WebhookProperties properties, ObjectMapper mapper) {
        this.properties = properties;
        this.mapper = mapper;
        this.intake = new Semaphore(Math.max(1, properties.getMaxQueued()));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().substring(request.getContextPath().length()).startsWith("/webhooks/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!intake.tryAcquire()) {
            overloaded(request, response);
            return;
        }
        boolean async = false;
        try {
            int limit = properties.getMaxBodyBytes();
            if (request.getContentLengthLong() > limit) {
                tooLarge(request, response, limit);
                return;
            }
            BufferedBodyRequest buffered = BufferedBodyRequest.within(request, limit);
            if (buffered == null) {
                tooLarge(request, response, limit);
                return;
            }
            chain.doFilter(buffered, response);
            if (request.isAsyncStarted()) {
                // answered in an asynchronous dispatch: the permit goes back when the response is complete
                async = true;
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        intake.release();
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                        // onComplete follows
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                        // onComplete follows
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                        event.getAsyncContext().addListener(this);
                    }
                });
            }
        } finally {
            if (!async) {
                intake.release();
            }
        }
    }

    /** Webhook requests in the hub now (accepted, not yet answered). */
    public int queued() {
        return Math.max(1, properties.getMaxQueued()) - intake.availablePermits();
    }

    private void overloaded(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long refused = refusedSinceLog.incrementAndGet();
        if (refused == 1 || refused % 1000 == 0) {
            LOG.warn("Webhooks refused: {} requests in the hub at once (hub.webhooks.max-queued); {} refused so far",
                    properties.getMaxQueued(), refused);
        }
        response.setStatus(503);
        response.setHeader("Retry-After", String.valueOf(Math.max(1, properties.getOverloadRetryAfter().toSeconds())));
        response.setContentType(Problem.MEDIA_TYPE);
        mapper.writeValue(response.getOutputStream(), Problem.of(503, "overloaded", "Overloaded",
                "The hub has more webhooks waiting than it takes at once; please deliver this one again.")
                .withInstance(request.getRequestURI()));
    }


    private void tooLarge(HttpServletRequest request, HttpServletResponse response, int limit) throws IOException {
        BufferedBodyRequest.refuseTooLarge(request, response, mapper, WebhookRejection.tooLarge(limit).problem());
    }
}
