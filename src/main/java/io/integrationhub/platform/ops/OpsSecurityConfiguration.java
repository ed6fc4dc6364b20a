package io.integrationhub.platform.ops;

import java.util.Arrays;
import java.util.function.Supplier;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.security.web.csrf.CsrfTokenRequestHandler;
import org.springframework.security.web.csrf.XorCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.util.StringUtils;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Spring Security guards only the operations console: Hawtio and Jolokia need the {@code admin} role
 * (form login for browsers, HTTP Basic for scripts) when {@code hub.ops.admin-login-enabled} is on.
 * Everything else — the REST API with its own bearer filter, OAuth callbacks, webhooks, health and
 * Prometheus, the dashboard — goes through a second chain that permits every request and adds no session,
 * login page, Basic challenge, CSRF check or response header.
 *
 * <p>Hawtio's own authentication ({@code hawtio.authenticationEnabled}) stays off: on Spring Boot it either
 * runs JAAS against a login module configured through system properties, or hands over to Spring Security
 * through {@code io.hawt:hawtio-springboot-security}, which is not published at 5.0.1 on the registry we
 * build from. Without that bridge Hawtio would reject every Jolokia call of a Spring-authenticated admin,
 * so the URL rules below are the one gate.
 */
@Configuration
public class OpsSecurityConfiguration {

    static final String[] CONSOLE_PATHS = {"/actuator/hawtio/**", "/actuator/jolokia/**", "/login", "/logout"};
    static final String ADMIN_ROLE = "ADMIN";

    @Bean
    @Order(1)
    SecurityFilterChain consoleSecurity(HttpSecurity http, OpsProperties ops) throws Exception {
        // Matched on the whole path: Jolokia is its own servlet, not a Spring MVC handler.
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        http.securityMatcher(new OrRequestMatcher(Arrays.stream(CONSOLE_PATHS)
                .<RequestMatcher>map(paths::matcher).toList()));
        if (!ops.isAdminLoginEnabled()) {
            return permitAll(http).build();
        }
        http.authorizeHttpRequests(requests -> requests.anyRequest().hasRole(ADMIN_ROLE))
                .formLogin(form -> form.defaultSuccessUrl("/actuator/hawtio/", false).permitAll())
                .httpBasic(Customizer.withDefaults())
                .logout(logout -> logout.logoutSuccessUrl("/login?logout").permitAll())
                // Hawtio's front end echoes the XSRF-TOKEN cookie as X-XSRF-TOKEN on its Jolokia POSTs.
                .csrf(csrf -> csrf.csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new SinglePageAppCsrfHandler()));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain applicationSecurity(HttpSecurity http) throws Exception {
        // Responses stay exactly as the routes and the dashboard write them (caching, framing).
        return permitAll(http).headers(AbstractHttpConfigurer::disable).build();
    }

    private static HttpSecurity permitAll(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .csrf(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
    }

    /**
     * Spring Security's strict firewall with all its rules; its per-character checks of headers and parameter names
     * are loops instead of regular expressions ({@link FirewallCharacters}: same verdicts, a fraction of the CPU).
     */
    @Bean
    HttpFirewall httpFirewall() {
        return FirewallCharacters.firewall();
    }

    /** The admin from {@code hub.ops.*}; no users at all when the login is off (and no generated password). */
    @Bean
    UserDetailsService opsAdmins(OpsProperties ops) {
        if (!ops.isAdminLoginEnabled() || !StringUtils.hasText(ops.getAdminPassword())) {
            return new InMemoryUserDetailsManager();
        }
        PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
        return new InMemoryUserDetailsManager(User.withUsername(ops.getAdminUser())
                .password(encoder.encode(ops.getAdminPassword()))
                .roles(ADMIN_ROLE)
                .build());
    }

    /**
     * Accepts the raw token from the X-XSRF-TOKEN header (what a single-page app reads from the cookie)
     * and the masked one from a form field (Spring's own login page), as Spring Security's reference
     * describes for JavaScript applications.
     */
    static final class SinglePageAppCsrfHandler extends CsrfTokenRequestAttributeHandler {
        private final CsrfTokenRequestHandler masked = new XorCsrfTokenRequestAttributeHandler();

        @Override
        public void handle(HttpServletRequest request, HttpServletResponse response, Supplier<CsrfToken> token) {
            masked.handle(request, response, token);
            // Render the cookie on every response so the console has a token before its first POST.
            token.get().getToken();
        }

        @Override
        public String resolveCsrfTokenValue(HttpServletRequest request, CsrfToken token) {
            return StringUtils.hasText(request.getHeader(token.getHeaderName()))
                    ? super.resolveCsrfTokenValue(request, token)
                    : masked.resolveCsrfTokenValue(request, token);
        }
    }
}
