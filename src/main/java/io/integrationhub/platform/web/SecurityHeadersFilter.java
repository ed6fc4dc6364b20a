package io.integrationhub.platform.web;

import java.io.IOException;
import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Security headers on every answer of the hub (API, webhooks, OAuth callback, dashboard, console), set
 * before anything else runs so they are on error answers too:
 *
 * <ul>
 * <li>{@code X-Content-Type-Options: nosniff} — a body is only ever what its type says;</li>
 * <li>{@code X-Frame-Options: DENY} — no page of the hub can be framed (clickjacking);</li>
 * <li>{@code Referrer-Policy: no-referrer} — URLs (OAuth callbacks carry a code) never leave as a referrer;</li>
 * <li>on the dashboard ({@code /}, {@code /index.html}, {@code /dashboard/**}) the {@link #DASHBOARD_CSP}
 * content security policy: its own scripts, styles and API only, no framing;</li>
 * <li>{@code Strict-Transport-Security} when {@code hub.http.hsts-max-age} is positive ({@code prod}: one
 * year) — browsers only take it over HTTPS, which a production ingress terminates.</li>
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class SecurityHeadersFilter extends OncePerRequestFilter {

    /** The dashboard loads nothing but its own module, stylesheet, config and the REST API. */
    public static final String DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'";

    private final String hsts;

    public SecurityHeadersFilter(@Value("${hub.http.hsts-max-age:0s}") Duration hstsMaxAge) {
        this.hsts = hstsMaxAge.isNegative() || hstsMaxAge.isZero() ? null
                : "max-age=" + hstsMaxAge.toSeconds() + "; includeSubDomains";
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Referrer-Policy", "no-referrer");
        if (isDashboard(request)) {
            response.setHeader("Content-Security-Policy", DASHBOARD_CSP);
        }
        if (hsts != null) {
            response.setHeader("Strict-Transport-Security", hsts);
        }
        chain.doFilter(request, response);
    }

    private static boolean isDashboard(HttpServletRequest request) {
        String path = (request.getServletPath() == null ? "" : request.getServletPath())
                + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return path.isEmpty() || path.equals("/") || path.equals("/index.html") || path.startsWith("/dashboard/");
    }
}
