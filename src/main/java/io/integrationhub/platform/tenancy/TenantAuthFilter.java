package io.integrationhub.platform.tenancy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.config.HubProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Authenticates every {@code /api/v1} call before it reaches a route: the admin token for tenant
 * management, a tenant API key for everything else. The resolved tenant travels to the routes as
 * the {@value #TENANT_HEADER} header, which this filter always overwrites so a caller cannot
 * choose its own tenant.
 *
 * <p>The decision is made on the path routing uses — decoded and normalised by the container
 * ({@code servletPath + pathInfo}: {@code /%61pi/v1/providers} is {@code /api/v1/providers}) — and, to be
 * safe, also on the raw URI: a request is an API call when either of them is one. Every request, API or
 * not, reaches the application without a caller-sent {@value #TENANT_HEADER} header. (Camel also turns query
 * and form parameters into headers: {@code ApiExchange#tenant} refuses a request that sent one with this
 * name, since the header then holds two values.)
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class TenantAuthFilter extends OncePerRequestFilter {

    public static final String TENANT_HEADER = "HubTenantId";
    private static final String API_PREFIX = "/api/v1/";
    private static final String PUBLIC_DOC = "/api/v1/openapi.yaml";
    private static final String ADMIN_PATH = "/api/v1/tenants";
    /** Platform operations (vault re-encryption, ...): admin token, like tenant management. */
    private static final String ADMIN_PREFIX = "/api/v1/admin/";

    private final TenantService tenants;
    private final HubProperties properties;
    private final ObjectMapper mapper;

    public TenantAuthFilter(TenantService tenants, HubProperties properties, ObjectMapper mapper) {
        this.tenants = tenants;
        this.properties = properties;
        this.mapper = mapper;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = routedPath(request);
        String raw = rawPath(request);
        if (!(isApi(path) || isApi(raw)) || (path.equals(PUBLIC_DOC) && raw.equals(PUBLIC_DOC))) {
            // Not an API call (or the public contract): no tenant, and none the caller could send along.
            chain.doFilter(new TenantRequest(request, null), response);
            return;
        }
        Optional<String> token = bearer(request);
        if (isAdmin(path) || isAdmin(raw)) {
            if (token.isPresent() && ApiKeys.sameSecret(properties.getAdminToken(), token.get())) {
                chain.doFilter(new TenantRequest(request, null), response);
            } else {
                unauthorized(response, path, "This call needs the platform admin token as a Bearer token.");
            }
            return;
        }
        Optional<UUID> tenant = token.flatMap(tenants::tenantForKey);
        if (tenant.isEmpty()) {
            unauthorized(response, path, token.isEmpty()
                    ? "Send the tenant API key as 'Authorization: Bearer <key>'."
                    : "The API key is not valid.");
            return;
        }
        chain.doFilter(new TenantRequest(request, tenant.get().toString()), response);
    }

    /** The path the container routes by: decoded, dot segments resolved, path parameters removed. */
    static String routedPath(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String pathInfo = request.getPathInfo();
        return (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    }

    private static String rawPath(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return uri.substring(Math.min(uri.length(), request.getContextPath().length()));
    }

    private static boolean isApi(String path) {
        return path.regionMatches(true, 0, API_PREFIX, 0, API_PREFIX.length());
    }

    private static boolean isAdmin(String path) {
        return path.equalsIgnoreCase(ADMIN_PATH) || path.regionMatches(true, 0, ADMIN_PATH + "/", 0, ADMIN_PATH.length() + 1)
                || path.regionMatches(true, 0, ADMIN_PREFIX, 0, ADMIN_PREFIX.length());
    }

    private static Optional<String> bearer(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String value = header.substring(7).trim();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private void unauthorized(HttpServletResponse response, String path, String detail) throws IOException {
        response.setStatus(401);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"integration-hub\"");
        response.setContentType(Problem.MEDIA_TYPE);
        mapper.writeValue(response.getOutputStream(),
                Problem.of(401, "unauthorized", "Unauthorized", detail).withInstance(path));
    }

    /** The request as routes see it: the tenant header set by us, any caller-sent copy removed. */
    private static final class TenantRequest extends HttpServletRequestWrapper {
        private final String tenantId;

        TenantRequest(HttpServletRequest request, String tenantId) {
            super(request);
            this.tenantId = tenantId;
        }

        private static boolean isTenantHeader(String name) {
            return TENANT_HEADER.equalsIgnoreCase(name);
        }

        @Override
        public String getHeader(String name) {
            return isTenantHeader(name) ? tenantId : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            if (isTenantHeader(name)) {
                return tenantId == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(tenantId));
            }
            return super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>();
            for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
                String name = e.nextElement();
                if (!isTenantHeader(name)) {
                    names.add(name);
                }
            }
            if (tenantId != null) {
                names.add(TENANT_HEADER);
            }
            return Collections.enumeration(names);
        }
    }
}
