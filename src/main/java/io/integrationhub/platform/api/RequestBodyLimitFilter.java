package io.integrationhub.platform.api;

import io.integrationhub.platform.problem.Problem;

import java.io.IOException;
import java.util.Locale;
import java.util.regex.Pattern;

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
 * Bounds every request body outside {@code /webhooks/} (which {@code WebhookBodyFilter} bounds by its own limit):
 * {@code hub.api.max-body-bytes}, or {@code hub.api.max-action-body-bytes} for an action. A declared
 * {@code Content-Length} over the limit is answered {@code 413} problem+json before a byte is read (and the
 * connection closed rather than drained); a chunked body is read up to the limit and refused the same way the
 * moment it goes over. Multipart uploads are left to Spring's multipart limits, which spool them to disk.
 * Runs before authentication, so an oversized body never reaches anything that would buffer it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 4)
public class RequestBodyLimitFilter extends OncePerRequestFilter {

    private static final Pattern ACTION = Pattern.compile("/api/v1/connections/[^/]+/actions/[^/]+/?");

    private final ApiProperties properties;
    private final ObjectMapper mapper;

    public RequestBodyLimitFilter(ApiProperties properties, ObjectMapper mapper) {
        this.properties = properties;
        this.mapper = mapper;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String contentType = request.getContentType();
        return path(request).startsWith("/webhooks/")
                || contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/");
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    long limit(HttpServletRequest request) {
        String path = path(request);
        if (path.startsWith("/actuator/")) {
            return properties.getMaxOpsBodyBytes();
        }
        return "POST".equals(request.getMethod()) && ACTION.matcher(path).matches()
                ? properties.getMaxActionBodyBytes() : properties.getMaxBodyBytes();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = limit(request);
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            tooLarge(request, response, limit);
            return;
        }
        if (declared >= 0 || request.getHeader("Transfer-Encoding") == null) {
            // The container never reads past a declared length: nothing to count.
            chain.doFilter(request, response);
            return;
        }
        BufferedBodyRequest buffered = BufferedBodyRequest.within(request, limit);
        if (buffered == null) {
            tooLarge(request, response, limit);
            return;
        }
        chain.doFilter(buffered, response);
    }


    private void tooLarge(HttpServletRequest request, HttpServletResponse response, long limit) throws IOException {
        BufferedBodyRequest.refuseTooLarge(request, response, mapper, Problem.of(413, "payload-too-large",
                "Payload too large", "Request bodies here are limited to " + limit + " bytes."));
    }
}
