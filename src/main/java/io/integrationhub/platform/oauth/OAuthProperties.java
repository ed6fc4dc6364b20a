package io.integrationhub.platform.oauth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** OAuth flow and token-keeping settings under {@code hub.oauth.*}. */
@ConfigurationProperties("hub.oauth")
public class OAuthProperties {

    /**
     * Where a finished connect flow may send the browser: a {@code returnUrl} must have the scheme, host and port
     * of one of these and a path at or below its path on a segment boundary; userinfo, backslashes, dot segments
     * and encoded separators are refused (see {@link ReturnUrlAllowList}). Anything else is rejected with 400.
     */
    private List<String> allowedReturnUrls = new ArrayList<>();

    /** How long an authorization {@code state} stays usable. */
    private Duration stateTtl = Duration.ofMinutes(10);

    /** Access tokens are refreshed when they expire within this margin. */
    private Duration refreshSkew = Duration.ofMinutes(2);

    /** Attempts at the token endpoint for one refresh when it answers 5xx or times out. */
    private int refreshAttempts = 3;

    /** First back-off between those attempts (doubles each time). */
    private Duration refreshBackoff = Duration.ofMillis(500);

    /** Timeouts of every call to a provider's OAuth and identity endpoints. */
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration responseTimeout = Duration.ofSeconds(15);

    /**
     * The keep-alive job refreshes a refresh token this close to its horizon. (How often it runs:
     * {@code hub.oauth.keep-alive-period}, a Camel timer period such as {@code 1h}.)
     */
    private Duration keepAliveLead = Duration.ofDays(5);

    /**
     * Refresh tokens that expire when unused for this long (sliding: each refresh restarts the clock), by
     * settings key ({@code microsoft}, {@code xero}, ...). The keep-alive job refreshes them before that.
     */
    private Map<String, Duration> refreshTokenIdleLifetime = new LinkedHashMap<>();

    /**
     * Refresh tokens that expire a fixed time after consent whatever is done (Google apps in "Testing"
     * publishing status: 7 days). Only shown as the horizon; re-authorization is the only cure.
     */
    private Map<String, Duration> refreshTokenAbsoluteLifetime = new LinkedHashMap<>();

    public List<String> getAllowedReturnUrls() { return allowedReturnUrls; }
    public void setAllowedReturnUrls(List<String> allowedReturnUrls) { this.allowedReturnUrls = allowedReturnUrls; }
    public Duration getStateTtl() { return stateTtl; }
    public void setStateTtl(Duration stateTtl) { this.stateTtl = stateTtl; }
    public Duration getRefreshSkew() { return refreshSkew; }
    public void setRefreshSkew(Duration refreshSkew) { this.refreshSkew = refreshSkew; }
    /**
     * The longest a token refresh may take, retries included, and so the longest a caller waits for one (its own
     * or another caller's, on any instance) before it gets "provider unavailable". No database connection or row
     * lock is held while the token endpoint is called.
     */
    private Duration refreshDeadline = Duration.ofSeconds(15);

    public Duration getRefreshDeadline() { return refreshDeadline; }
    public void setRefreshDeadline(Duration refreshDeadline) { this.refreshDeadline = refreshDeadline; }
    public int getRefreshAttempts() { return refreshAttempts; }
    public void setRefreshAttempts(int refreshAttempts) { this.refreshAttempts = refreshAttempts; }
    public Duration getRefreshBackoff() { return refreshBackoff; }
    public void setRefreshBackoff(Duration refreshBackoff) { this.refreshBackoff = refreshBackoff; }
    public Duration getConnectTimeout() { return connectTimeout; }
    public void setConnectTimeout(Duration connectTimeout) { this.connectTimeout = connectTimeout; }
    public Duration getResponseTimeout() { return responseTimeout; }
    public void setResponseTimeout(Duration responseTimeout) { this.responseTimeout = responseTimeout; }
    public Duration getKeepAliveLead() { return keepAliveLead; }
    public void setKeepAliveLead(Duration keepAliveLead) { this.keepAliveLead = keepAliveLead; }
    public Map<String, Duration> getRefreshTokenIdleLifetime() { return refreshTokenIdleLifetime; }
    public void setRefreshTokenIdleLifetime(Map<String, Duration> m) { this.refreshTokenIdleLifetime = m; }
    public Map<String, Duration> getRefreshTokenAbsoluteLifetime() { return refreshTokenAbsoluteLifetime; }
    public void setRefreshTokenAbsoluteLifetime(Map<String, Duration> m) { this.refreshTokenAbsoluteLifetime = m; }
}
