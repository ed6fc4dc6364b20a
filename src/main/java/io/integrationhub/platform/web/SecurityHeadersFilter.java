package io.integrationhub.platform.web;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import io.integrationhub.platform.tenancy.TenantService;
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
 * <li>{@code X-Frame-Options: DENY} — no page of the hub can be framed (clickjacking), with one exception: the
 * dashboard page opened with a connect session ({@code /?session=<token>}) may be framed by the origins the token's
 * tenant configured ({@code embedOrigins}): its policy then ends in {@code frame-ancestors <those origins>} and
 * carries no {@code X-Frame-Options}; a tenant without origins (or an unknown token) gets the default;</li>
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
    private final TenantService tenants;

    public SecurityHeadersFilter(@Value("${hub.http.hsts-max-age:0s}") Duration hstsMaxAge, TenantService tenants) {
        this.tenants = tenants;
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
        response.setHeader("Referrer-Policy", "no-referrer");
        String session = isDashboardPage(request) ? request.getParameter("session") : null;
        List<String> embedders = session == null ? List.of() : tenants.embedOriginsForSession(session);
        if (embedders.isEmpty()) {
            response.setHeader("X-Frame-Options", "DENY");
        }
        if (isDashboard(request)) {
            response.setHeader("Content-Security-Policy", embedders.isEmpty() ? DASHBOARD_CSP
                    : DASHBOARD_CSP.replace("frame-ancestors 'none'", "frame-ancestors " + String.join(" ", embedders)));
        }
        if (hsts != null) {
            response.setHeader("Strict-Transport-Security", hsts);
        }
        chain.doFilter(request, response);
    }

    private static boolean isDashboard(HttpServletRequest request) {
        String path = path(request);
        return path.isEmpty() || path.equals("/") || path.equals("/index.html") || path.startsWith("/dashboard/");
    }

    /** The dashboard's document as a frame loads it (GET), as opposed to its scripts and styles. */
    private static boolean isDashboardPage(HttpServletRequest request) {
        String path = path(request);
        return "GET".equals(request.getMethod()) && (path.isEmpty() || path.equals("/") || path.equals("/index.html"));
    }

    private static String path(HttpServletRequest request) {
        return (request.getServletPath() == null ? "" : request.getServletPath())
                + (request.getPathInfo() == null ? "" : request.getPathInfo());
    }
}
