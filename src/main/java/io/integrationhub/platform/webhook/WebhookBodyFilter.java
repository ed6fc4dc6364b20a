package io.integrationhub.platform.webhook;

import java.io.IOException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import io.integrationhub.platform.web.BufferedBodyRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * In front of {@code /webhooks/*}: refuses bodies over the limit with 413 (by Content-Length before
 * reading, or while reading a chunked body), and hands the route the body bytes exactly as received,
 * so signatures are checked over the raw request and nothing parses a form body on the way.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
public class WebhookBodyFilter extends OncePerRequestFilter {

    private final WebhookProperties properties;
    private final ObjectMapper mapper;

    public WebhookBodyFilter(WebhookProperties properties, ObjectMapper mapper) {
        this.properties = properties;
        this.mapper = mapper;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().substring(request.getContextPath().length()).startsWith("/webhooks/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        int limit = properties.getMaxBodyBytes();
        if (request.getContentLengthLong() > limit) {
            tooLarge(request, response, limit);
            return;
        }
        byte[] body = BufferedBodyRequest.readAtMost(request.getInputStream(), limit + 1);
        if (body.length > limit) {
            tooLarge(request, response, limit);
            return;
        }
        chain.doFilter(new BufferedBodyRequest(request, body), response);
    }


    private void tooLarge(HttpServletRequest request, HttpServletResponse response, int limit) throws IOException {
        BufferedBodyRequest.refuseTooLarge(request, response, mapper, WebhookRejection.tooLarge(limit).problem());
    }
}
