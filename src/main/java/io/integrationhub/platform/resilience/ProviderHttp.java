package io.integrationhub.platform.resilience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.integrationhub.platform.resilience.ProviderCallException.Kind;
import io.integrationhub.platform.resilience.BearerTokens;

/**
 * The one way the hub calls a provider API: a fair per-provider request budget, a circuit breaker per
 * provider and connection, retries with exponential backoff and jitter on 5xx, timeouts and connection
 * errors, 429 answered by waiting {@code Retry-After}, and a 401 answered by one token refresh.
 * Whatever still fails ends as a {@link ProviderCallException} saying what the caller should do.
 */
@Component
public class ProviderHttp {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderHttp.class);

    private final ResilienceProperties properties;
    private final ProviderBudget budget;
    private final ObjectProvider<BearerTokens> tokens;
    private final CircuitBreakerRegistry breakers;
    private final HttpClient client;
    private final RetryConfig retryConfig;

    public ProviderHttp(ResilienceProperties properties, ProviderBudget budget, ObjectProvider<BearerTokens> tokens) {
        this.properties = properties;
        this.budget = budget;
        this.tokens = tokens;
        ResilienceProperties.CircuitBreaker cb = properties.getCircuitBreaker();
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(cb.getFailureRateThreshold())
                .slidingWindowSize(cb.getSlidingWindowSize())
                .minimumNumberOfCalls(cb.getMinimumNumberOfCalls())
                .waitDurationInOpenState(cb.getWaitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(cb.getPermittedCallsInHalfOpenState())
                .build());
        this.client = HttpClient.newBuilder().connectTimeout(properties.getConnectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(properties.getInitialBackoff(),
                properties.getBackoffMultiplier(), properties.getJitter(), properties.getMaxBackoff());
        this.retryConfig = RetryConfig.<Reply>custom()
                .maxAttempts(properties.getMaxAttempts())
                .retryOnResult(r -> r.statusCode() >= 500 || r.statusCode() == 429)
                .retryExceptions(UncheckedIOException.class)
                .ignoreExceptions(ProviderCallException.class, CallNotPermittedException.class)
                .intervalBiFunction((attempt, outcome) -> outcome.isRight() && outcome.get().statusCode() == 429
                        ? retryAfter(outcome.get()).toMillis()
                        : backoff.apply(attempt))
                .failAfterMaxAttempts(false)
                .build();
    }

    /**
     * What the resilience layer reads of a provider's answer, whatever carried it (the JDK client here, or
     * a provider family's camel-http route). {@link #text()} is read only for error answers.
     */
    public interface Reply {
        int statusCode();

        /** First value of a response header, or null. */
        String header(String name);

        /** The body as text (error answers only; a streamed success body is never read here). */
        String text();
    }

    /** Calls on behalf of one connection. */
    public Scope scope(String provider, UUID tenantId, UUID connectionId) {
        return new Scope(provider, tenantId, connectionId);
    }

    public CircuitBreaker.State circuitState(String provider, UUID connectionId) {
        return breaker(provider, connectionId).getState();
    }

    public final class Scope {
        private final String provider;
        private final UUID tenantId;
        private final UUID connectionId;

        private Scope(String provider, UUID tenantId, UUID connectionId) {
            this.provider = provider;
            this.tenantId = tenantId;
            this.connectionId = connectionId;
        }

        /**
         * Sends the request built for the current bearer token and returns a 2xx/3xx response; anything
         * else after retries is a {@link ProviderCallException}.
         */
        public HttpResponse<String> send(Function<String, HttpRequest> request) {
            return ProviderHttp.this.call(this, token -> new JdkReply(sendJdk(request.apply(token))), status -> false).response;
        }

        /**
         * Same guarantees as {@link #send}, over a caller-supplied transport: {@code attempt} makes one
         * request with the given bearer token and throws {@link UncheckedIOException} when the provider
         * could not be reached.
         */
        public <R extends Reply> R call(Function<String, R> attempt) {
            return ProviderHttp.this.call(this, attempt, status -> false);
        }

        /**
         * As {@link #call(Function)}, but a final 4xx status that {@code passThrough} takes is returned to the
         * caller (which knows what a provider's 404 or 409 means) instead of becoming an exception.
         */
        public <R extends Reply> R call(Function<String, R> attempt, IntPredicate passThrough) {
            return ProviderHttp.this.call(this, attempt, passThrough);
        }

        public String provider() {
            return provider;
        }

        public UUID tenantId() {
            return tenantId;
        }

        public UUID connectionId() {
            return connectionId;
        }
    }

    private record JdkReply(HttpResponse<String> response) implements Reply {
        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        @Override
        public String text() {
            return response.body();
        }
    }

    private HttpResponse<String> sendJdk(HttpRequest request) {
        HttpRequest timed = HttpRequest.newBuilder(request, (n, v) -> true).timeout(properties.getRequestTimeout()).build();
        try {
            return client.send(timed, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderCallException(Kind.UNAVAILABLE, 0, "interrupted during a provider call", null);
        }
    }

    @SuppressWarnings("unchecked")
    private <R extends Reply> R call(Scope scope, Function<String, R> request, IntPredicate passThrough) {
        CircuitBreaker breaker = breaker(scope.provider, scope.connectionId);
        Retry retry = Retry.of(scope.provider + ":" + scope.connectionId, retryConfig);
        R response;
        try {
            response = (R) Retry.decorateSupplier(retry, () -> (Reply) attempt(scope, breaker, request)).get();
        } catch (CallNotPermittedException e) {
            throw new ProviderCallException(Kind.UNAVAILABLE, 0, scope.provider
                    + " calls for this connection are paused: the circuit breaker is open after repeated failures",
                    Instant.now().plus(properties.getCircuitBreaker().getWaitInOpenState()));
        } catch (UncheckedIOException e) {
            throw new ProviderCallException(Kind.UNAVAILABLE, 0, scope.provider + " could not be reached: "
                    + e.getCause().getClass().getSimpleName(), null);
        }
        int status = response.statusCode();
        if (status < 400 || (status < 500 && status != 429 && status != 401 && passThrough.test(status))) {
            return response;
        }
        if (status == 429) {
            throw new ProviderCallException(Kind.QUOTA, status, scope.provider + " kept answering 429 Too Many Requests",
                    Instant.now().plus(retryAfter(response)));
        }
        if (status >= 500) {
            throw new ProviderCallException(Kind.UNAVAILABLE, status, scope.provider + " answered " + status
                    + " after " + properties.getMaxAttempts() + " attempts", null);
        }
        if (status == 401) {
            throw new ProviderCallException(Kind.UNAUTHORIZED, status, scope.provider
                    + " rejected the connection's token even after a refresh", null);
        }
        throw new ProviderCallException(Kind.REJECTED, status, scope.provider + " rejected the request with " + status, null);
    }

    private <R extends Reply> R attempt(Scope scope, CircuitBreaker breaker, Function<String, R> request) {
        BearerTokens bearer = tokens.getIfAvailable();
        if (bearer == null) {
            throw new ProviderCallException(Kind.UNAUTHORIZED, 0, "no token manager is configured", null);
        }
        String token;
        try {
            token = bearer.bearer(scope.tenantId, scope.connectionId);
        } catch (BearerTokens.ReauthorizationRequired e) {
            throw new ProviderCallException(Kind.UNAUTHORIZED, 0, e.getMessage(), null);
        }
        R response = exchange(scope, breaker, request, token);
        if (response.statusCode() == 401) {
            LOG.info("{} answered 401 for connection {}; refreshing its token", scope.provider, scope.connectionId);
            try {
                token = bearer.refreshAfterUnauthorized(scope.tenantId, scope.connectionId, token);
            } catch (BearerTokens.ReauthorizationRequired e) {
                throw new ProviderCallException(Kind.UNAUTHORIZED, 401, e.getMessage(), null);
            }
            response = exchange(scope, breaker, request, token);
        }
        if (response.statusCode() == 429) {
            String problem = response.header("X-Rate-Limit-Problem");
            Duration wait = retryAfter(response);
            if (isDailyLimit(problem, response.text())) {
                throw new ProviderCallException(Kind.DAILY_QUOTA, 429, scope.provider
                        + " daily API limit reached; syncs resume when it resets", Instant.now().plus(wait));
            }
            if (wait.compareTo(properties.getMaxRetryAfter()) > 0) {
                throw new ProviderCallException(Kind.QUOTA, 429, scope.provider + " asked to wait "
                        + wait.toSeconds() + " s", Instant.now().plus(wait));
            }
            LOG.info("{} answered 429 for connection {}; waiting {} ms", scope.provider, scope.connectionId, wait.toMillis());
        }
        return response;
    }

    private <R extends Reply> R exchange(Scope scope, CircuitBreaker breaker, Function<String, R> request, String token) {
        try {
            budget.acquire(scope.provider, scope.tenantId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderCallException(Kind.UNAVAILABLE, 0, "interrupted while waiting for the request budget", null);
        }
        breaker.acquirePermission();
        long start = System.nanoTime();
        try {
            R response = request.apply(token);
            long took = System.nanoTime() - start;
            if (response.statusCode() >= 500) {
                breaker.onError(took, TimeUnit.NANOSECONDS, new IOException("HTTP " + response.statusCode()));
            } else {
                breaker.onSuccess(took, TimeUnit.NANOSECONDS);
            }
            return response;
        } catch (UncheckedIOException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e.getCause());
            throw e;
        } catch (RuntimeException e) {
            breaker.releasePermission();
            throw e;
        }
    }

    private CircuitBreaker breaker(String provider, UUID connectionId) {
        return breakers.circuitBreaker(provider + ":" + connectionId);
    }

    /** Xero names the exhausted limit in X-Rate-Limit-Problem; HubSpot's 429 body names its policy. */
    static boolean isDailyLimit(String problemHeader, String body) {
        if (problemHeader != null) {
            String p = problemHeader.trim().toLowerCase(Locale.ROOT);
            return p.equals("day") || p.equals("daily");
        }
        return body != null && body.replace(" ", "").contains("\"policyName\":\"DAILY\"");
    }

    /** Retry-After as delta-seconds or an HTTP date; the configured default when absent or unreadable. */
    Duration retryAfter(Reply response) {
        return parseRetryAfter(response.header("Retry-After"), properties.getDefaultRetryAfter());
    }

    /** Retry-After as delta-seconds or an HTTP date; {@code fallback} when absent or unreadable. */
    static Duration parseRetryAfter(String value, Duration fallback) {
        if (value != null) {
            String v = value.trim();
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
            } catch (NumberFormatException notSeconds) {
                try {
                    Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    return Duration.ofMillis(Math.max(0, Instant.now().until(at, ChronoUnit.MILLIS)));
                } catch (DateTimeParseException unreadable) {
                    // fall through to the default
                }
            }
        }
        return fallback;
    }

}
