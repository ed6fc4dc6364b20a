package io.integrationhub.platform.resilience;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** {@code hub.resilience.*}: how the hub treats every provider call. */
@Validated
@ConfigurationProperties(prefix = "hub.resilience")
public class ResilienceProperties {

    /** Attempts per call (first try included) on 5xx, timeouts, connection errors and 429. */
    @Min(1)
    private int maxAttempts = 6;
    @NotNull
    private Duration initialBackoff = Duration.ofMillis(500);
    private double backoffMultiplier = 2.0;
    /** Jitter: each backoff is randomised by ± this fraction. */
    private double jitter = 0.5;
    @NotNull
    private Duration maxBackoff = Duration.ofSeconds(30);
    /** A 429 asking to wait longer than this ends the run for now; it is resumed after the wait. */
    @NotNull
    private Duration maxRetryAfter = Duration.ofMinutes(2);
    /** Used when a 429 carries no Retry-After. */
    @NotNull
    private Duration defaultRetryAfter = Duration.ofSeconds(5);
    @NotNull
    private Duration requestTimeout = Duration.ofSeconds(30);
    @NotNull
    private Duration connectTimeout = Duration.ofSeconds(10);
    @NotNull
    private CircuitBreaker circuitBreaker = new CircuitBreaker();
    /** Requests per second per provider (across the cluster with budget scope {@code cluster}), shared fairly among tenants. */
    @Min(1)
    private double defaultBudget = 20;
    /** Per-provider override of {@link #defaultBudget}, by catalog key. */
    private Map<String, Double> budgets = new HashMap<>();
    /** Requests per period per connection (a provider's per-account limit, e.g. Xero's 60 a minute), by catalog key. */
    private Map<String, Rate> connectionBudgets = new HashMap<>();
    /** Where budgets are counted: {@code cluster} (PostgreSQL, shared by every instance) or {@code instance}. */
    @NotNull
    private BudgetScope budgetScope = BudgetScope.CLUSTER;

    public enum BudgetScope { CLUSTER, INSTANCE }

    /** {@code limit} requests per {@code period}, handed out evenly spaced ({@code period / limit} apart). */
    public static class Rate {
        @Min(1)
        private int limit = 60;
        @NotNull
        private Duration period = Duration.ofMinutes(1);

        public Rate() {
        }

        public Rate(int limit, Duration period) {
            this.limit = limit;
            this.period = period;
        }

        public int getLimit() { return limit; }
        public void setLimit(int v) { limit = v; }
        public Duration getPeriod() { return period; }
        public void setPeriod(Duration v) { period = v; }
    }

    /**
     * {@code hub.resilience.circuit-breaker.*}: the defaults of the provider endpoint's camel-resilience4j
     * circuit breaker (route template {@code provider-endpoint}, which reads these properties as its parameters'
     * defaults; a family's {@code templatedRoute} may set its own). One breaker per family route.
     */
    public static class CircuitBreaker {
        private float failureRateThreshold = 50;
        private int slidingWindowSize = 20;
        private int minimumNumberOfCalls = 10;
        @Min(1)
        private int waitInOpenStateSeconds = 30;
        private int permittedCallsInHalfOpenState = 2;

        public float getFailureRateThreshold() { return failureRateThreshold; }
        public void setFailureRateThreshold(float v) { failureRateThreshold = v; }
        public int getSlidingWindowSize() { return slidingWindowSize; }
        public void setSlidingWindowSize(int v) { slidingWindowSize = v; }
        public int getMinimumNumberOfCalls() { return minimumNumberOfCalls; }
        public void setMinimumNumberOfCalls(int v) { minimumNumberOfCalls = v; }
        public int getWaitInOpenStateSeconds() { return waitInOpenStateSeconds; }
        public void setWaitInOpenStateSeconds(int v) { waitInOpenStateSeconds = v; }
        public int getPermittedCallsInHalfOpenState() { return permittedCallsInHalfOpenState; }
        public void setPermittedCallsInHalfOpenState(int v) { permittedCallsInHalfOpenState = v; }
    }

    public double budgetFor(String provider) {
        return budgets.getOrDefault(provider, defaultBudget);
    }

    /** The per-connection rate of the provider, or null when it has none. */
    public Rate connectionBudgetFor(String provider) {
        return connectionBudgets.get(provider);
    }

    public Map<String, Rate> getConnectionBudgets() { return connectionBudgets; }
    public void setConnectionBudgets(Map<String, Rate> v) { connectionBudgets = v; }
    public BudgetScope getBudgetScope() { return budgetScope; }
    public void setBudgetScope(BudgetScope v) { budgetScope = v; }
    public int getMaxAttempts() { return maxAttempts; }
    public void setMaxAttempts(int v) { maxAttempts = v; }
    public Duration getInitialBackoff() { return initialBackoff; }
    public void setInitialBackoff(Duration v) { initialBackoff = v; }
    public double getBackoffMultiplier() { return backoffMultiplier; }
    public void setBackoffMultiplier(double v) { backoffMultiplier = v; }
    public double getJitter() { return jitter; }
    public void setJitter(double v) { jitter = v; }
    public Duration getMaxBackoff() { return maxBackoff; }
    public void setMaxBackoff(Duration v) { maxBackoff = v; }
    public Duration getMaxRetryAfter() { return maxRetryAfter; }
    public void setMaxRetryAfter(Duration v) { maxRetryAfter = v; }
    public Duration getDefaultRetryAfter() { return defaultRetryAfter; }
    public void setDefaultRetryAfter(Duration v) { defaultRetryAfter = v; }
    public Duration getRequestTimeout() { return requestTimeout; }
    public void setRequestTimeout(Duration v) { requestTimeout = v; }
    public Duration getConnectTimeout() { return connectTimeout; }
    public void setConnectTimeout(Duration v) { connectTimeout = v; }
    public CircuitBreaker getCircuitBreaker() { return circuitBreaker; }
    public void setCircuitBreaker(CircuitBreaker v) { circuitBreaker = v; }
    public double getDefaultBudget() { return defaultBudget; }
    public void setDefaultBudget(double v) { defaultBudget = v; }
    public Map<String, Double> getBudgets() { return budgets; }
    public void setBudgets(Map<String, Double> v) { budgets = v; }
}
