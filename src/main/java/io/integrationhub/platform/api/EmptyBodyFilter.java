package io.integrationhub.platform.api;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Set;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A bodiless POST/PUT/PATCH under {@code /api/v1} (e.g. {@code POST …/check}, whose body is optional) carries no
 * Content-Type; Spring MVC would refuse it with 415 against the operation's {@code application/json}. Such a
 * request is presented as an empty JSON request instead; one with a body keeps its own Content-Type.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class EmptyBodyFilter extends OncePerRequestFilter {

    private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith("/api/v1/") || !WITH_BODY.contains(request.getMethod())
                || request.getContentType() != null || request.getContentLengthLong() > 0
                || request.getHeader("Transfer-Encoding") != null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public String getContentType() {
                return "application/json";
            }

            @Override
            public String getHeader(String name) {
                return "content-type".equalsIgnoreCase(name) ? "application/json" : super.getHeader(name);
            }

            @Override
            public Enumeration<String> getHeaders(String name) {
                return "content-type".equalsIgnoreCase(name) ? Collections.enumeration(Set.of("application/json"))
                        : super.getHeaders(name);
            }

            @Override
            public Enumeration<String> getHeaderNames() {
                java.util.List<String> names = Collections.list(super.getHeaderNames());
                if (names.stream().noneMatch("content-type"::equalsIgnoreCase)) {
                    names.add("Content-Type");
                }
                return Collections.enumeration(names);
            }
        }, response);
    }
}
