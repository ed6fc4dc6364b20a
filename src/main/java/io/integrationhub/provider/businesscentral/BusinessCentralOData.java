package io.integrationhub.provider.businesscentral;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.http.HttpResponse;
import org.apache.http.HttpVersion;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.impl.nio.client.HttpAsyncClientBuilder;
import org.apache.http.message.BasicStatusLine;
import org.apache.olingo.client.api.communication.ODataClientErrorException;
import org.apache.olingo.commons.api.ex.ODataError;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.integrationhub.platform.resilience.ProviderCallException;

/**
 * The steps of the Business Central family's OData door ({@code routes/business-central/provider.camel.yaml},
 * route {@code business-central.odata}) that a route cannot say well: the camel-olingo4 call's per-exchange
 * headers (the vault's token as {@code endpointHttpHeaders}, never stored in the component; an on-premises
 * web-service key as HTTP Basic), the answer or the OData error turned into a status and a body the platform's
 * provider steps judge (429/408/504 back off, 5xx count for the breaker), the opaque {@code @odata.nextLink} handed
 * back to camel-olingo4, and at most {@code hub.providers.business-central.max-concurrent} (5) calls at a time per
 * environment.
 */
@Component("businessCentralOData")
public class BusinessCentralOData {

    public static final String RESOURCE_PATH = "BcResourcePath";
    public static final String QUERY = "BcQuery";
    public static final String SERVICE_URI = "BcServiceUri";
    private static final String HELD = "BcPermit";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BusinessCentralOData.class);

    private final Map<String, Semaphore> environments = new ConcurrentHashMap<>();
    private final Map<String, String> components = new ConcurrentHashMap<>();
    private final int maxConcurrent;
    private final int maxServiceRoots;
    private final java.util.concurrent.atomic.AtomicInteger schemes = new java.util.concurrent.atomic.AtomicInteger();

    private final HttpAsyncClientBuilder httpClient;

    public BusinessCentralOData(@Value("${hub.providers.business-central.max-concurrent:5}") int maxConcurrent,
            @Value("${hub.providers.business-central.timeout-ms:30000}") int timeout,
            @Value("${hub.providers.business-central.max-service-roots:500}") int maxServiceRoots) {
        this.maxConcurrent = maxConcurrent;
        this.maxServiceRoots = maxServiceRoots;
        this.httpClient = client(maxConcurrent, timeout);
    }

    /**
     * The HTTP client behind the family's camel-olingo4 endpoints: timeouts, and a {@code 429} rewritten as
     * {@code 503 Too Many Requests (429)} because Olingo's {@code HttpStatusCode} has no 429 — camel-olingo4 4.17 fails
     * on it with a NullPointerException and no status (see docs/business-central.md); {@link #refused} turns it back
     * into 429.
     */
    static HttpAsyncClientBuilder client(int maxConcurrent, int timeout) {
        return HttpAsyncClientBuilder.create()
                .setDefaultRequestConfig(RequestConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout)
                        .setConnectionRequestTimeout(timeout).build())
                .setMaxConnPerRoute(Math.max(maxConcurrent, 5)).setMaxConnTotal(200)
                .addInterceptorFirst((HttpResponse response, org.apache.http.protocol.HttpContext context) -> {
                    if (response.getStatusLine().getStatusCode() == 429) {
                        response.setStatusLine(new BasicStatusLine(HttpVersion.HTTP_1_1, 503, "Too Many Requests (429)"));
                    }
                });
    }

    /**
     * The camel-olingo4 component of the connection's environment (its service root): one component per environment,
     * its configuration holding the service root and the family's HTTP client, named {@code bc-olingo4-<n>} (exchange
     * property {@code BcOlingo}, the scheme the route's {@code toD} calls). Under Camel Spring Boot an olingo4 endpoint
     * does not bind {@code serviceUri} from its URI (it falls back to the component's shared client and fails with
     * "serviceUri is not set"), so the service root lives in the component's configuration instead of the URI.
     */
    public void endpoint(Exchange exchange) {
        String root = exchange.getProperty(SERVICE_URI, String.class);
        String name = components.computeIfAbsent(root, r -> {
            org.apache.camel.component.olingo4.Olingo4Configuration configuration =
                    new org.apache.camel.component.olingo4.Olingo4Configuration();
            configuration.setServiceUri(r);
            configuration.setHttpAsyncClientBuilder(httpClient);
            org.apache.camel.component.olingo4.Olingo4Component component =
                    new org.apache.camel.component.olingo4.Olingo4Component(exchange.getContext());
            component.setConfiguration(configuration);
            String scheme = "bc-olingo4-" + schemes.getAndIncrement();
            exchange.getContext().addComponent(scheme, component);
            return scheme;
        });
        exchange.setProperty("BcOlingo", name);
    }

    /**
     * An on-premises connection's own service root ({@code config.serviceRoot}, exchange property {@code HubConfig}) as
     * {@code BcServiceUri}, without a trailing slash. It was checked when stored (https, a host of
     * {@code hub.providers.business-central.allowed-hosts}); the platform's prepare step checks it again.
     */
    public void serviceRoot(Exchange exchange) {
        Object config = exchange.getProperty("HubConfig");
        String root = config instanceof Map<?, ?> map && map.get("serviceRoot") instanceof String text ? text.trim() : "";
        while (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        if (root.isEmpty()) {
            throw new IllegalArgumentException("business-central: config.serviceRoot is empty");
        }
        exchange.setProperty(SERVICE_URI, root);
    }

    /**
     * A call slot of the connection's environment (its service root): at most max-concurrent at a time. The slot is
     * the exchange's own ({@link Slot}: released once, only by the exchange that took it), so a copy of the exchange
     * (a split, a multicast) never gives back its parent's slot and a nested call on the same exchange does not
     * hide the slot already held.
     */
    public void acquire(Exchange exchange) throws InterruptedException {
        String environment = exchange.getProperty(SERVICE_URI, String.class);
        if (!components.containsKey(environment) && components.size() >= maxServiceRoots) {
            // Bounded: each service root keeps a component (and its $metadata) for the life of the instance.
            throw new ProviderCallException(ProviderCallException.Kind.REJECTED, 0, "business-central: this hub instance "
                    + "already serves " + maxServiceRoots + " service roots (hub.providers.business-central."
                    + "max-service-roots)", null);
        }
        Semaphore slots = environments.computeIfAbsent(environment, e -> new Semaphore(maxConcurrent, true));
        if (!slots.tryAcquire(5, TimeUnit.MINUTES)) {
            throw new ProviderCallException(ProviderCallException.Kind.UNAVAILABLE, 0,
                    "business-central: no call slot of the environment became free", null);
        }
        exchange.setProperty(HELD, new Slot(slots, exchange.getExchangeId(), exchange.getProperty(HELD, Slot.class)));
    }

    /** Gives the exchange's slot back (step in a doFinally: whatever the call's outcome); a no-op when none is held. */
    public void release(Exchange exchange) {
        Slot held = exchange.getProperty(HELD, Slot.class);
        if (held == null || !held.owner().equals(exchange.getExchangeId())) {
            return;
        }
        if (held.outer() == null) {
            exchange.removeProperty(HELD);
        } else {
            exchange.setProperty(HELD, held.outer());
        }
        if (held.taken().compareAndSet(true, false)) {
            held.semaphore().release();
        }
    }

    /** Free call slots of an environment (service root) on this instance: max-concurrent when nothing is running. */
    public int freeSlots(String serviceRoot) {
        Semaphore slots = environments.get(serviceRoot);
        return slots == null ? maxConcurrent : slots.availablePermits();
    }

    /** A slot taken by the exchange {@code owner}; {@code outer} is the slot it already held, if any. */
    record Slot(Semaphore semaphore, String owner, Slot outer, java.util.concurrent.atomic.AtomicBoolean taken) {
        Slot(Semaphore semaphore, String owner, Slot outer) {
            this(semaphore, owner, outer, new java.util.concurrent.atomic.AtomicBoolean(true));
        }
    }

    /**
     * Inside the breaker, right before camel-olingo4: resource path, query options and the request headers of this
     * exchange ({@code Authorization} as the platform's authorize step set it for this attempt).
     */
    public void request(Exchange exchange) {
        Message in = exchange.getMessage();
        Map<String, String> headers = new LinkedHashMap<>();
        String authorization = in.getHeader("Authorization", String.class);
        if (authorization != null && authorization.startsWith("Bearer ") && authorization.indexOf(':') > 0) {
            // An on-premises connection's key is "<user>:<web service access key>": HTTP Basic, never a bearer token.
            authorization = "Basic " + Base64.getEncoder().encodeToString(authorization.substring(7)
                    .getBytes(StandardCharsets.UTF_8));
        }
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        String prefer = exchange.getProperty("BcPrefer", String.class);
        if (prefer != null) {
            headers.put("Prefer", prefer);
        }
        in.removeHeaders("*");
        in.setHeader("CamelOlingo4.endpointHttpHeaders", headers);
        in.setHeader("CamelOlingo4.resourcePath", exchange.getProperty(RESOURCE_PATH, String.class));
        @SuppressWarnings("unchecked")
        Map<String, String> query = exchange.getProperty(QUERY, Map.class);
        if (query != null && !query.isEmpty()) {
            in.setHeader("CamelOlingo4.queryParams", new LinkedHashMap<>(query));
        }
        in.setBody(null);
    }

    /** camel-olingo4 answered (uread: the provider's JSON as it came): a 200 with its bytes. */
    public void answered(Exchange exchange) throws IOException {
        Message in = exchange.getMessage();
        Object body = in.getBody();
        byte[] bytes = body instanceof InputStream s ? s.readAllBytes() : in.getBody(byte[].class);
        in.removeHeaders("CamelOlingo4.*");
        in.setBody(bytes);
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
    }

    /**
     * camel-olingo4 failed: an OData error answer becomes its status and BC's error body, so the platform judges it
     * like any other answer; no answer at all (connection refused, timeout) is rethrown for the breaker.
     */
    public void refused(Exchange exchange) throws Exception {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Throwable cause = caught;
        while (cause != null && !(cause instanceof ODataClientErrorException) && cause.getCause() != null
                && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (!(cause instanceof ODataClientErrorException error)) {
            Integer answered = metadataStatus(caught);
            if (answered != null) {
                // The server answered $metadata with an HTTP error but no OData error body (a plain 404 from a root
                // that is not a service root): a refusal of this call, judged by its status — not "no answer".
                answer(exchange, answered, "", "$metadata of " + exchange.getProperty(SERVICE_URI, String.class)
                        + " answered " + answered + " " + cause.getMessage());
                return;
            }
            LOG.warn("business-central OData call got no answer", caught);
            throw caught;
        }
        int status = error.getStatusLine().getStatusCode();
        if (status == 503 && String.valueOf(error.getStatusLine().getReasonPhrase()).contains("(429)")) {
            status = 429;
        }
        ODataError e = error.getODataError();
        answer(exchange, status, e == null ? "" : String.valueOf(e.getCode()),
                e == null ? error.getStatusLine().getReasonPhrase() : String.valueOf(e.getMessage()));
    }

    /** The refusal as the provider endpoint's answer: BC's OData error body {@code {error:{code,message}}} and status. */
    private static void answer(Exchange exchange, int status, String code, String message) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode err = body.putObject("error");
        err.put("code", code);
        err.put("message", message);
        Message in = exchange.getMessage();
        in.removeHeaders("CamelOlingo4.*");
        in.setBody(JSON.writeValueAsBytes(body));
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.removeProperty(Exchange.EXCEPTION_CAUGHT);
        exchange.setException(null);
    }

    /**
     * The status of a {@code $metadata} read the server answered with an HTTP error and no OData error body:
     * camel-olingo4 fails with "Error reading EDM" caused by an {@code ODataException} whose message is only the
     * status line's reason phrase ("Not Found"), mapped back through Olingo's {@code HttpStatusCode}; null otherwise.
     */
    static Integer metadataStatus(Throwable caught) {
        Throwable t = caught;
        boolean edm = false;
        while (t != null) {
            if (t.getMessage() != null && t.getMessage().startsWith("Error reading EDM")) {
                edm = true;
            }
            Throwable next = t.getCause();
            if (edm && next == null && t instanceof org.apache.olingo.commons.api.ex.ODataException && t.getMessage() != null) {
                if (t.getMessage().contains("(429)")) {
                    return 429;
                }
                for (org.apache.olingo.commons.api.http.HttpStatusCode code : org.apache.olingo.commons.api.http.HttpStatusCode.values()) {
                    if (code.getInfo().equalsIgnoreCase(t.getMessage().trim()) && code.getStatusCode() >= 400) {
                        return code.getStatusCode();
                    }
                }
                return null;
            }
            t = next == t ? null : next;
        }
        return null;
    }

    /**
     * The next page: BC's {@code @odata.nextLink} (the run's cursor) as camel-olingo4's resource path and query
     * options. The link stays opaque — its query is sent back exactly as BC wrote it, in its order — and must lie
     * below the connection's service root, so a token never follows a link to another host.
     */
    public void nextLink(Exchange exchange) {
        String link = exchange.getProperty("HubCursor", String.class);
        String root = exchange.getProperty(SERVICE_URI, String.class);
        if (link == null || !link.startsWith(root + "/")) {
            throw new IllegalArgumentException("the cursor is not a next link of this connection's environment");
        }
        String rest = link.substring(root.length() + 1);
        int q = rest.indexOf('?');
        exchange.setProperty(RESOURCE_PATH, q < 0 ? rest : rest.substring(0, q));
        Map<String, String> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : rest.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        exchange.setProperty(QUERY, query);
    }
}
