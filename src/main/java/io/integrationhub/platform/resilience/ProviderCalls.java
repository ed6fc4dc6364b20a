package io.integrationhub.platform.resilience;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.Message;
import org.apache.camel.http.common.HttpMethods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.integrationhub.platform.resilience.ProviderCallException.Kind;
import io.integrationhub.platform.resilience.BearerTokens;
import io.integrationhub.platform.catalog.ProviderCatalog;

/**
 * The Java steps of the platform provider endpoint, the route template {@code provider-endpoint}
 * ({@code src/main/resources/camel/provider.camel.yaml}) that every family instantiates as
 * {@code direct:<family>.provider}. The route holds the flow — attempts loop, camel-resilience4j circuit breaker,
 * the camel-http call — and these steps hold what a route cannot say well: the bearer token from the vault, the
 * request budget, {@code Retry-After}, one refresh after a {@code 401}, and the final verdict.
 *
 * <p>What a family's route sets before {@code to: direct:<family>.provider}: header {@code ProviderMethod},
 * header {@code ProviderUrl} (built from {@code {{hub.providers.<family>.api-url}}}; any other host is refused, so a
 * token never leaves for a host the operator did not configure), optionally {@code ProviderPassThrough} (statuses
 * such as {@code 404,409} the family handles itself), the provider's own headers the family allowed in its
 * template parameters, and the body. The platform sets exchange properties {@code HubTenantId} and
 * {@code HubConnectionId} (or {@code HubBearer} for the identity call right after consent), optionally
 * {@code HubProvider}: the catalog key whose request budget the call takes (the Microsoft family's three catalog
 * keys share one API; default: the family). Java callers may also set {@code ProviderSink} (an
 * {@link OutputStream} a 2xx body is copied to as it arrives) and {@code ProviderAnonymous} (a pre-authenticated
 * URL, such as a OneDrive upload session: no bearer token, no refresh, and the URL may lie outside the API).
 * After the call the body is the provider's answer ({@code byte[]}, or null when it went to the sink) and header
 * {@code ProviderStatus} its status.
 */
@Component("providerCalls")
public class ProviderCalls {

    public static final String TENANT = "HubTenantId";
    public static final String CONNECTION = "HubConnectionId";
    public static final String BEARER = "HubBearer";
    public static final String FAMILY = "ProviderFamily";
    /** The catalog key whose request budget a call takes (default: the family). */
    public static final String PROVIDER = "HubProvider";
    /** An OutputStream a 2xx body is copied to as it arrives, instead of being read into memory. */
    public static final String SINK = "ProviderSink";
    /**
     * True (set by the family's route): a key of the form {@code <user>:<key>} (a Business Central on-premises web
     * service access key) is sent as HTTP Basic instead of a bearer token.
     */
    public static final String BASIC_KEY = "ProviderBasicKey";
    /** True: a pre-authenticated URL; the call carries no bearer token and is not refreshed after a 401. */
    public static final String ANONYMOUS = "ProviderAnonymous";
    /** ProviderPassThrough value: every 4xx but 401 goes back to the family. */
    public static final String ANY_4XX = "4xx";

    private static final UUID NO_TENANT = new UUID(0, 0);
    private static final Logger LOG = LoggerFactory.getLogger(ProviderCalls.class);
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
    private static final String BODY = "ProviderRequestBody";
    private static final String FAILURE = "ProviderFailure";
    private static final String ATTEMPT = "ProviderAttempt";
    private static final String RETRY = "ProviderRetry";
    private static final String REFRESHED = "ProviderRefreshed";
    private static final String TOKEN = "ProviderToken";
    private static final String TRANSIENT = "ProviderTransient";
    private static final String METHOD = "ProviderMethod";
    private static final String URL = "ProviderUrl";
    private static final String PASS = "ProviderPassThrough";
    private static final String BREAKER_WAIT = "ProviderBreakerWait";
    private static final String HEADERS = "ProviderRequestHeaders";
    /** Template parameter rateLimitHeaders: {@code <remaining header>|<interval-ms header>}, or {@code none}. */
    private static final String RATE_LIMIT = "ProviderRateLimitHeaders";
    /** Per family and connection: the burst window the provider said is used up lasts until then (epoch ms). */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> burstSpent = new java.util.concurrent.ConcurrentHashMap<>();

    private final ResilienceProperties properties;
    private final ProviderBudget budget;
    private final ObjectProvider<BearerTokens> tokens;
    private final Environment environment;

    private final ProviderCatalog catalog;

    public ProviderCalls(ResilienceProperties properties, ProviderBudget budget, ObjectProvider<BearerTokens> tokens,
            Environment environment, ProviderCatalog catalog) {
        this.catalog = catalog;
        this.properties = properties;
        this.budget = budget;
        this.tokens = tokens;
        this.environment = environment;
    }

    /** Checks the request the family built and keeps its body, so that a retry sends it again. */
    public void prepare(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        String family = exchange.getProperty(FAMILY, String.class);
        String method = in.getHeader(METHOD, "GET", String.class).toUpperCase(Locale.ROOT);
        String url = in.getHeader(URL, String.class);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("ProviderMethod " + method + " is not an HTTP method the hub sends");
        }
        if (exchange.getProperty(ANONYMOUS, false, Boolean.class)) {
            // No token travels with it, so it may go to the host the provider named (an upload session's URL).
            if (url == null || !isAbsoluteHttp(url)) {
                throw new IllegalArgumentException("ProviderUrl of a pre-authenticated call must be an absolute http(s) URL");
            }
        } else {
            // By family key: the three Microsoft catalog keys share hub.providers.microsoft.*, a data family's
            // defaults come from its catalog.json (FamilyEnvironment); the operator's setting always wins.
            String base = environment.getProperty("hub.providers." + family + ".api-url");
            if (base == null || base.isBlank()) {
                throw new IllegalStateException("hub.providers." + family + ".api-url is not set");
            }
            String apiRoot = apiRoot(exchange, family);
            if (apiRoot != null) {
                // A connection with its own API root (catalog connectionUrl.root, e.g. a Business Central
                // on-premises service root): its calls lie below that root, checked again as when it was stored.
                base = apiRoot;
            } else if (base.contains(ProviderCatalog.CONNECTION_URL)) {
                // A family whose API lives at each connection's own base URL (catalog.json connectionUrl, e.g. a
                // Simpro build): {connectionUrl} in the API URL and in the route's URL is that connection's.
                String own = connectionUrl(exchange, family);
                base = base.replace(ProviderCatalog.CONNECTION_URL, own);
                url = url == null ? null : url.replace(ProviderCatalog.CONNECTION_URL, own);
            }
            String root = base.endsWith("/") ? base : base + "/";
            if (url == null || !(url.equals(base) || url.startsWith(root)) || url.contains("/../") || url.contains("\\")) {
                throw new IllegalArgumentException("ProviderUrl must lie below hub.providers." + family + ".api-url");
            }
        }
        Object body = in.getBody();
        if (body instanceof InputStream stream) {
            body = stream.readAllBytes();
        } else if (body != null && !(body instanceof byte[])) {
            body = in.getBody(String.class);
        }
        exchange.setProperty(BODY, body);
        exchange.setProperty(METHOD, method);
        exchange.setProperty(URL, url);
        exchange.setProperty(PASS, in.getHeader(PASS, String.class));
        exchange.setProperty(ATTEMPT, 0);
        exchange.setProperty(RETRY, true);
        exchange.setProperty(REFRESHED, false);
        in.removeHeaders("Provider*");
        in.removeHeaders("Camel*");
        // The family's own request headers, sent again as they were on every attempt (after an attempt the message
        // carries the provider's answer and its headers).
        exchange.setProperty(HEADERS, new java.util.LinkedHashMap<>(in.getHeaders()));
    }

    /** One attempt: the request budget, the bearer token, the request restored. */
    public void authorize(Exchange exchange) {
        String family = exchange.getProperty(FAMILY, String.class);
        exchange.setProperty(ATTEMPT, exchange.getProperty(ATTEMPT, 0, Integer.class) + 1);
        exchange.setProperty(RETRY, false);
        exchange.removeProperty(TRANSIENT);
        exchange.setProperty(FAILURE, new Failure());
        Long spentUntil = burstSpent.get(family + ":" + connection(exchange));
        long burstWait = spentUntil == null ? 0 : Math.min(spentUntil - System.currentTimeMillis(),
                properties.getMaxRetryAfter().toMillis());
        if (burstWait > 0) {
            try {
                Thread.sleep(burstWait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderCallException(Kind.UNAVAILABLE, 0, "interrupted while waiting for the burst window", null);
            }
        }
        try {
            // The identity call right after consent has no tenant context yet: it shares one fair-queue slot.
            UUID tenant = tenant(exchange);
            budget.acquire(exchange.getProperty(PROVIDER, family, String.class), tenant != null ? tenant : NO_TENANT,
                    connection(exchange));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderCallException(Kind.UNAVAILABLE, 0, "interrupted while waiting for the request budget", null);
        }
        Message in = exchange.getMessage();
        in.removeHeaders("*");
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> request = exchange.getProperty(HEADERS, java.util.Map.class);
        if (request != null) {
            in.getHeaders().putAll(request);
        }
        in.removeHeader("Authorization");
        if (!exchange.getProperty(ANONYMOUS, false, Boolean.class)) {
            String token = exchange.getProperty(TOKEN, String.class);
            if (token == null) {
                token = exchange.getProperty(BEARER, String.class);
            }
            if (token == null) {
                try {
                    token = bearers().bearer(tenant(exchange), connection(exchange));
                } catch (BearerTokens.ReauthorizationRequired e) {
                    throw new ProviderCallException(Kind.UNAUTHORIZED, 0, e.getMessage(), null);
                }
            }
            exchange.setProperty(TOKEN, token);
            in.setHeader("Authorization", exchange.getProperty(BASIC_KEY, false, Boolean.class) && token.indexOf(':') > 0
                    ? "Basic " + java.util.Base64.getEncoder().encodeToString(token.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    : "Bearer " + token);
        }
        // the enum camel-http reads it as: a String made the type converter look up String → HttpMethods on every call
        // (an eighth of the webhook consumers' allocation in bench/webhooks; docs/performance.md, thirteenth session)
        in.setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(exchange.getProperty(METHOD, String.class)));
        in.setHeader(Exchange.HTTP_URI, exchange.getProperty(URL));
        in.setBody(exchange.getProperty(BODY));
    }

    /**
     * Inside the circuit breaker, right after the call, while the connection is open: a 2xx body bound for the
     * caller's sink ({@value #SINK}) is copied there in small buffers; any other body is read into a
     * {@code byte[]}. A body that breaks off after bytes reached the sink is not fetched again (the sink would hold
     * its start twice): that ends the call as {@code UNAVAILABLE}.
     */
    public void drain(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        if (!(body instanceof InputStream in)) {
            return;
        }
        int status = status(exchange);
        OutputStream sink = exchange.getProperty(SINK, OutputStream.class);
        try (in) {
            if (sink != null && status >= 200 && status < 300) {
                long copied = 0;
                byte[] buffer = new byte[64 * 1024];
                try {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        sink.write(buffer, 0, n);
                        copied += n;
                    }
                } catch (IOException broke) {
                    if (copied > 0) {
                        throw new ProviderCallException(Kind.UNAVAILABLE, 0, exchange.getProperty(FAMILY, String.class)
                                + " body broke off after " + copied + " bytes (" + broke.getClass().getSimpleName() + ")",
                                null);
                    }
                    throw broke;
                }
                message.setBody(null);
            } else {
                message.setBody(in.readAllBytes());
            }
        }
    }

    /**
     * Inside the circuit breaker, after the call: a 5xx (or a 408) counts as a failure of the provider. The breaker runs its
     * steps on a copy of the exchange and hands the fallback the message as it was before the call, so what the
     * provider answered travels in a holder set up before the breaker.
     */
    public void judge(Exchange exchange) {
        int status = status(exchange);
        // 408 Request Timeout: the provider gave up waiting (RFC 9110 lets a client repeat the request), like a 5xx.
        if (status >= 500 || status == 408) {
            Failure failure = exchange.getProperty(FAILURE, Failure.class);
            if (failure != null) {
                failure.status = status;
                failure.retryAfter = exchange.getMessage().getHeader("Retry-After", String.class);
            }
            throw new ProviderServerError(status, exchange.getMessage().getHeader("Retry-After", String.class));
        }
    }

    /** The circuit breaker's fallback: open → the call is refused at once; a failure → maybe another attempt. */
    public void fallback(Exchange exchange) {
        String family = exchange.getProperty(FAMILY, String.class);
        // A call the breaker refused reaches the fallback without an exception of its own (camel-resilience4j 4.17
        // does not set CamelCircuitBreakerResponseRejected here): nothing was sent.
        Object caught = exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT);
        if (caught == null || caught instanceof CallNotPermittedException
                || Boolean.TRUE.equals(exchange.getProperty(ExchangePropertyKey.CIRCUIT_BREAKER_RESPONSE_REJECTED))) {
            throw new ProviderCallException(Kind.UNAVAILABLE, 0, family
                    + " calls are paused: the circuit breaker is open after repeated failures",
                    Instant.now().plusSeconds(exchange.getProperty(BREAKER_WAIT, 30L, Long.class)));
        }
        if (caught instanceof ProviderCallException verdict) {
            throw verdict; // a body that broke off midway into the caller's sink: not sent again
        }
        Failure failure = exchange.getProperty(FAILURE, Failure.class);
        // No status: the provider could not be reached (connect or read timeout, connection refused).
        exchange.setProperty(TRANSIENT, failure == null ? new ProviderServerError(0, null)
                : new ProviderServerError(failure.status, failure.retryAfter));
    }

    /** What the provider answered inside the breaker, for the fallback. */
    static final class Failure {
        volatile int status;
        volatile String retryAfter;
    }

    /** After an attempt: wait and try again (5xx, timeouts, 429, one 401 refresh), or stop. */
    public void decide(Exchange exchange) throws InterruptedException {
        // camel-resilience4j's fallback marks the exchange's exception handled (EXCEPTION_HANDLED); left set, an
        // enclosing doCatch (a sync run's sync.run.catch) would skip the ProviderCallException this call ends with.
        exchange.removeProperty(ExchangePropertyKey.EXCEPTION_HANDLED.getName());
        String family = exchange.getProperty(FAMILY, String.class);
        noteBurstWindow(exchange, family);
        int attempt = exchange.getProperty(ATTEMPT, 1, Integer.class);
        ProviderServerError failure = exchange.getProperty(TRANSIENT, ProviderServerError.class);
        if (failure != null) {
            if (attempt >= properties.getMaxAttempts()) {
                throw new ProviderCallException(Kind.UNAVAILABLE, failure.status(), family
                        + (failure.status() == 0 ? " could not be reached" : " answered " + failure.status())
                        + " after " + attempt + " attempts", null);
            }
            Duration wait = failure.retryAfter() != null ? ProviderHttp.parseRetryAfter(failure.retryAfter(),
                    properties.getDefaultRetryAfter()) : backoff(attempt);
            pause(exchange, wait.compareTo(properties.getMaxRetryAfter()) > 0 ? properties.getMaxRetryAfter() : wait);
            return;
        }
        int status = status(exchange);
        if (status == 401 && exchange.getProperty(BEARER) == null && !exchange.getProperty(ANONYMOUS, false, Boolean.class)
                && !exchange.getProperty(REFRESHED, false, Boolean.class)) {
            LOG.info("{} answered 401 for connection {}; refreshing its token", family, connection(exchange));
            try {
                exchange.setProperty(TOKEN, bearers().refreshAfterUnauthorized(tenant(exchange), connection(exchange),
                        exchange.getProperty(TOKEN, String.class)));
            } catch (BearerTokens.ReauthorizationRequired e) {
                throw new ProviderCallException(Kind.UNAUTHORIZED, 401, e.getMessage(), null);
            }
            exchange.setProperty(REFRESHED, true);
            exchange.setProperty(RETRY, true);
            return;
        }
        if (status == 429 && passesExplicitly(exchange, status)) {
            return; // the family waits out its provider's 429 itself (e.g. Drive: exponential, no Retry-After)
        }
        if (status == 429) {
            Message in = exchange.getMessage();
            String retryAfter = in.getHeader("Retry-After", String.class);
            // A provider that sends no number (Square) gets exponential backoff with jitter from the default wait.
            Duration wait = retryAfter == null || retryAfter.isBlank() ? backoff429(attempt)
                    : ProviderHttp.parseRetryAfter(retryAfter, properties.getDefaultRetryAfter());
            if (ProviderHttp.isDailyLimit(in.getHeader("X-Rate-Limit-Problem", String.class), in.getBody(String.class))) {
                Instant resume = Instant.now().plus(wait);
                throw new ProviderCallException(Kind.DAILY_QUOTA, 429, family + " daily API limit reached, resumes at "
                        + resume.plusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS), resume);
            }
            if (wait.compareTo(properties.getMaxRetryAfter()) > 0 || attempt >= properties.getMaxAttempts()) {
                throw new ProviderCallException(Kind.QUOTA, 429, family + " kept answering 429 Too Many Requests",
                        Instant.now().plus(wait));
            }
            LOG.info("{} answered 429 for connection {}; waiting {} ms", family, connection(exchange), wait.toMillis());
            pause(exchange, wait);
        }
    }

    /** The verdict: the provider's answer for the family, or a {@link ProviderCallException}. */
    public void finish(Exchange exchange) {
        String family = exchange.getProperty(FAMILY, String.class);
        int status = status(exchange);
        Message in = exchange.getMessage();
        in.removeHeader("Authorization");
        in.removeHeaders("Camel*");
        String pass = exchange.getProperty(PASS, String.class);
        for (String p : new String[] {BODY, FAILURE, TOKEN, TRANSIENT, METHOD, URL, PASS, RETRY, REFRESHED, ATTEMPT,
                SINK, ANONYMOUS, BREAKER_WAIT, HEADERS, RATE_LIMIT}) {
            exchange.removeProperty(p);
        }
        in.setHeader("ProviderStatus", status);
        if (status < 400 || pass != null && Arrays.stream(pass.split(",")).map(String::trim)
                .anyMatch(s -> s.equals(Integer.toString(status)) || s.equals(ANY_4XX) && status < 500 && status != 401)) {
            return;
        }
        String detail = describe(in.getBody(String.class));
        if (status == 401) {
            throw new ProviderCallException(Kind.UNAUTHORIZED, status, family
                    + " rejected the connection's token even after a refresh" + detail, null);
        }
        throw new ProviderCallException(Kind.REJECTED, status, family + " rejected the request with " + status + detail, null);
    }

    /** The status is listed by number in the call's {@code ProviderPassThrough} (not just covered by {@code 4xx}). */
    private static boolean passesExplicitly(Exchange exchange, int status) {
        String pass = exchange.getProperty(PASS, String.class);
        return pass != null && Arrays.stream(pass.split(",")).map(String::trim).anyMatch(Integer.toString(status)::equals);
    }

    /**
     * The connection's base URL: its config field named by the family's {@code connectionUrl} (exchange property
     * {@code HubConfig}, checked again as when it was stored), else the operator's
     * {@code hub.providers.<family>.connection-url} (one account for the whole hub).
     */
    private String connectionUrl(Exchange exchange, String family) {
        io.integrationhub.platform.catalog.ProviderDefinition definition = catalog.find(family)
                .orElseThrow(() -> new IllegalStateException(family + " is not in the catalog"));
        io.integrationhub.platform.catalog.FamilySpec spec = catalog.family(family).orElseThrow();
        Object config = exchange.getProperty("HubConfig");
        String own = config instanceof java.util.Map<?, ?> map && spec.connectionUrl() != null
                && map.get(spec.connectionUrl().config()) instanceof String text ? text.trim() : null;
        if (own == null || own.isEmpty()) {
            own = environment.getProperty("hub.providers." + definition.settingsKey() + ".connection-url");
            if (own == null || own.isBlank()) {
                throw new IllegalArgumentException(family + ": the connection has no base URL (config."
                        + (spec.connectionUrl() == null ? "?" : spec.connectionUrl().config()) + ")");
            }
        } else {
            String problem = catalog.connectionUrlProblem(definition, own);
            if (problem != null) {
                throw new IllegalArgumentException(family + ": the connection's base URL is refused: " + problem);
            }
        }
        while (own.endsWith("/")) {
            own = own.substring(0, own.length() - 1);
        }
        return own;
    }

    /** The connection's own API root where its family has one ({@code connectionUrl.root}) and it is set, else null. */
    private String apiRoot(Exchange exchange, String family) {
        io.integrationhub.platform.catalog.FamilySpec spec = catalog == null ? null : catalog.family(family).orElse(null);
        if (spec == null || spec.connectionUrl() == null || !spec.connectionUrl().root()
                || !(exchange.getProperty("HubConfig") instanceof java.util.Map<?, ?> map)
                || !(map.get(spec.connectionUrl().config()) instanceof String text) || text.isBlank()) {
            return null;
        }
        return connectionUrl(exchange, family);
    }

    private static boolean isAbsoluteHttp(String url) {
        try {
            URI uri = URI.create(url);
            return ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    /**
     * A provider that announces its burst window in headers (template parameter rateLimitHeaders): when the answer
     * says no request is left in the window, the connection's next call waits the window's length.
     */
    private void noteBurstWindow(Exchange exchange, String family) {
        String names = exchange.getProperty(RATE_LIMIT, String.class);
        if (names == null || "none".equals(names) || !names.contains("|")) {
            return;
        }
        Message in = exchange.getMessage();
        String remaining = in.getHeader(names.substring(0, names.indexOf('|')), String.class);
        String interval = in.getHeader(names.substring(names.indexOf('|') + 1), String.class);
        String key = family + ":" + connection(exchange);
        try {
            if (remaining != null && Long.parseLong(remaining.trim()) <= 0 && interval != null) {
                burstSpent.put(key, System.currentTimeMillis() + Long.parseLong(interval.trim()));
            } else if (remaining != null) {
                burstSpent.remove(key);
            }
        } catch (NumberFormatException e) {
            burstSpent.remove(key);
        }
    }

    private void pause(Exchange exchange, Duration wait) throws InterruptedException {
        if (!wait.isNegative() && !wait.isZero()) {
            Thread.sleep(wait.toMillis());
        }
        exchange.setProperty(RETRY, true);
    }

    private Duration backoff429(int attempt) {
        return jittered(properties.getDefaultRetryAfter(), attempt, properties.getMaxRetryAfter());
    }

    private Duration backoff(int attempt) {
        return jittered(properties.getInitialBackoff(), attempt, properties.getMaxBackoff());
    }

    /** {@code first × multiplier^(attempt-1)}, randomised by ± the jitter, at most {@code max}. */
    private Duration jittered(Duration first, int attempt, Duration max) {
        double base = first.toMillis() * Math.pow(properties.getBackoffMultiplier(), attempt - 1);
        double jitter = properties.getJitter();
        double factor = 1 - jitter + 2 * jitter * ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis((long) Math.min(max.toMillis(), base * factor));
    }

    /** Looked up once it exists (a bean lookup on every provider call showed in the profile). */
    private volatile BearerTokens bearerTokens;

    private BearerTokens bearers() {
        BearerTokens bearer = bearerTokens;
        if (bearer == null) {
            bearer = tokens.getIfAvailable();
            bearerTokens = bearer;
        }
        if (bearer == null) {
            throw new ProviderCallException(Kind.UNAUTHORIZED, 0, "no token manager is configured", null);
        }
        return bearer;
    }

    private static int status(Exchange exchange) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return status == null ? 0 : status;
    }

    private static UUID tenant(Exchange exchange) {
        return exchange.getProperty(TENANT, UUID.class);
    }

    private static UUID connection(Exchange exchange) {
        return exchange.getProperty(CONNECTION, UUID.class);
    }

    /** A short description of a provider error body: its code and message fields only, clipped. */
    static String describe(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            String code = json.path("code").asText(json.path("error").path("code").asText(json.path("error").asText("")));
            String message = json.path("message").asText(json.path("error").path("message").asText(""));
            String text = (code + (message.isEmpty() ? "" : ": " + message)).trim();
            if (text.isEmpty() || text.equals(":")) {
                return "";
            }
            return " (" + (text.length() > 300 ? text.substring(0, 300) + "…" : text) + ")";
        } catch (IOException notJson) {
            return "";
        }
    }

    /** A 5xx (or, with status 0, no answer at all) inside the circuit breaker. */
    public static final class ProviderServerError extends RuntimeException {
        private final int status;
        private final String retryAfter;

        public ProviderServerError(int status, String retryAfter) {
            super(status == 0 ? "no answer" : "HTTP " + status, null, false, false);
            this.status = status;
            this.retryAfter = retryAfter;
        }

        public int status() {
            return status;
        }

        public String retryAfter() {
            return retryAfter;
        }
    }
}
