package io.integrationhub.platform.tenancy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 *
 * <p>A connect-session token ({@link ConnectSessions}, prefix {@value ConnectSessions#TOKEN_PREFIX}) is the other
 * credential: it names a tenant and one end user of it. Here, in the same place, it is checked (unknown, expired or
 * revoked → 401), its call is decided by {@link SessionAccess} (another end user's connection → 404, anything
 * beyond the end user's connections → 403), and the end user and session travel on as the {@value #END_USER_HEADER}
 * and {@value #SESSION_HEADER} headers, reserved like the tenant header, which the API beans apply.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class TenantAuthFilter extends OncePerRequestFilter {

    public static final String TENANT_HEADER = "HubTenantId";
    /** The end user a connect session acts for; absent for tenant API keys. */
    public static final String END_USER_HEADER = "HubEndUserId";
    /** The connect session of the call; absent for tenant API keys. */
    public static final String SESSION_HEADER = "HubConnectSessionId";
    private static final List<String> RESERVED = List.of(TENANT_HEADER, END_USER_HEADER, SESSION_HEADER);
    private static final String API_PREFIX = "/api/v1/";
    private static final String PUBLIC_DOC = "/api/v1/openapi.yaml";
    private static final String ADMIN_PATH = "/api/v1/tenants";
    /** Platform operations (vault re-encryption, ...): admin token, like tenant management. */
    private static final String ADMIN_PREFIX = "/api/v1/admin/";

    private final TenantService tenants;
    private final HubProperties properties;
    private final ObjectMapper mapper;
    private final ConnectSessions sessions;
    private final SessionAccess sessionAccess;

    public TenantAuthFilter(TenantService tenants, HubProperties properties, ObjectMapper mapper, ConnectSessions sessions,
            SessionAccess sessionAccess) {
        this.tenants = tenants;
        this.sessions = sessions;
        this.sessionAccess = sessionAccess;
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
            chain.doFilter(new TenantRequest(request, Map.of()), response);
            return;
        }
        if (reservedQueryParameter(request)) {
            problem(response, Problem.of(400, "bad-request", "Bad request", "Query parameters named " + RESERVED
                    + " are reserved.").withInstance(path));
            return;
        }
        Optional<String> token = bearer(request);
        if (isAdmin(path) || isAdmin(raw)) {
            if (token.isPresent() && ApiKeys.sameSecret(properties.getAdminToken(), token.get())) {
                chain.doFilter(new TenantRequest(request, Map.of()), response);
            } else {
                unauthorized(response, path, "This call needs the platform admin token as a Bearer token.");
            }
            return;
        }
        if (token.isPresent() && ConnectSessions.isSessionToken(token.get())) {
            withSession(request, response, chain, token.get(), path, raw);
            return;
        }
        Optional<UUID> tenant = token.flatMap(tenants::tenantForKey);
        if (tenant.isEmpty()) {
            unauthorized(response, path, token.isEmpty()
                    ? "Send the tenant API key as 'Authorization: Bearer <key>'."
                    : "The API key is not valid.");
            return;
        }
        chain.doFilter(new TenantRequest(request, Map.of(TENANT_HEADER, tenant.get().toString())), response);
    }

    private void withSession(HttpServletRequest request, HttpServletResponse response, FilterChain chain, String token,
            String path, String raw) throws IOException, ServletException {
        Optional<ConnectSession> found = sessions.forToken(token);
        if (found.isEmpty() || !found.get().isLive()) {
            unauthorized(response, path, found.isEmpty() ? "The connect session token is not valid."
                    : "The connect session has expired or was revoked; ask the application for a new one.");
            return;
        }
        ConnectSession session = found.get();
        // A session is decided on the path as routed; one that only reaches it through encoding is refused.
        SessionAccess.Decision decision = path.equals(raw)
                ? sessionAccess.decide(session, request.getMethod().toUpperCase(Locale.ROOT), path)
                : SessionAccess.Decision.FORBIDDEN;
        if (decision == SessionAccess.Decision.NOT_FOUND) {
            problem(response, Problem.of(404, "not-found", "Not found", "The resource was not found").withInstance(path));
            return;
        }
        if (decision == SessionAccess.Decision.FORBIDDEN) {
            problem(response, Problem.of(403, "forbidden", "Forbidden", "A connect session only reaches the catalog and its "
                    + "end user's connections; this call needs the tenant API key.").withInstance(path));
            return;
        }
        chain.doFilter(new TenantRequest(request, Map.of(TENANT_HEADER, session.tenantId().toString(),
                END_USER_HEADER, session.endUser().id(), SESSION_HEADER, session.id().toString())), response);
    }

    /** Camel turns query parameters into headers: none may pose as one the filter sets. */
    private static boolean reservedQueryParameter(HttpServletRequest request) {
        String query = request.getQueryString();
        if (query == null) {
            return false;
        }
        for (String pair : query.split("&")) {
            String name = java.net.URLDecoder.decode(pair.split("=", 2)[0], java.nio.charset.StandardCharsets.UTF_8);
            if (RESERVED.stream().anyMatch(name::equalsIgnoreCase)) {
                return true;
            }
        }
        return false;
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
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"integration-hub\"");
        problem(response, Problem.of(401, "unauthorized", "Unauthorized", detail).withInstance(path));
    }

    private void problem(HttpServletResponse response, Problem problem) throws IOException {
        response.setStatus(problem.status());
        response.setContentType(Problem.MEDIA_TYPE);
        mapper.writeValue(response.getOutputStream(), problem);
    }

    /** The request as routes see it: the reserved headers set by us, any caller-sent copy removed. */
    private static final class TenantRequest extends HttpServletRequestWrapper {
        private final Map<String, String> reserved;

        TenantRequest(HttpServletRequest request, Map<String, String> reserved) {
            super(request);
            this.reserved = reserved;
        }

        private static String reservedName(String name) {
            return RESERVED.stream().filter(r -> r.equalsIgnoreCase(name)).findFirst().orElse(null);
        }

        @Override
        public String getHeader(String name) {
            String reservedName = reservedName(name);
            return reservedName != null ? reserved.get(reservedName) : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            String reservedName = reservedName(name);
            if (reservedName != null) {
                String value = reserved.get(reservedName);
                return value == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(value));
            }
            return super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>();
            for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
                String name = e.nextElement();
                if (reservedName(name) == null) {
                    names.add(name);
                }
            }
            RESERVED.stream().filter(reserved::containsKey).forEach(names::add);
            return Collections.enumeration(names);
        }
    }
}
