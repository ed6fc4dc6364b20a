package io.integrationhub.platform.oauth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.component.http.HttpComponent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import io.integrationhub.platform.resilience.CamelHttpClients;

/**
 * Calls to providers' OAuth, identity and revocation endpoints, through the Camel route
 * {@code oauth.provider-call} (camel-http, own timeouts). The target URL always comes from
 * configuration; requests and responses never show their headers or bodies in {@code toString}.
 */
@Component
public class OAuthHttp {

    public static final String ROUTE = "direct:oauth.providerCall";

    private final ProducerTemplate producer;
    private final ObjectMapper mapper;

    public OAuthHttp(ProducerTemplate producer, ObjectMapper mapper) {
        this.producer = producer;
        this.mapper = mapper;
    }

    public static final class Request {
        final String method;
        final String url;
        final Map<String, String> headers = new LinkedHashMap<>();
        String body;

        private Request(String method, String url) {
            this.method = method;
            this.url = url;
        }

        public static Request get(String url) { return new Request("GET", url); }
        public static Request post(String url) { return new Request("POST", url); }
        public static Request delete(String url) { return new Request("DELETE", url); }

        public Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Request bearer(String token) {
            return header("Authorization", "Bearer " + token);
        }

        public Request form(Map<String, String> fields) {
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            body = formEncode(fields);
            return this;
        }

        public Request json(String json) {
            headers.put("Content-Type", "application/json");
            body = json;
            return this;
        }

        @Override
        public String toString() {
            return method + " " + url;
        }
    }

    public record Response(int status, String body, JsonNode json) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public boolean transientFailure() {
            return status >= 500 || status == 429 || status == 408;
        }

        @Override
        public String toString() {
            return "Response{status=" + status + "}";
        }
    }

    public Response send(Request request) {
        Exchange result = producer.send(ROUTE, exchange -> {
            var in = exchange.getMessage();
            in.setHeader(Exchange.HTTP_URI, request.url);
            in.setHeader(Exchange.HTTP_METHOD, request.method);
            in.setHeader("Accept", "application/json");
            request.headers.forEach(in::setHeader);
            in.setBody(request.body);
        });
        Exception failure = result.getException();
        if (failure != null) {
            // Only the type: an I/O exception's message may quote the URL, which can carry a token (HubSpot revoke).
            throw new ProviderUnavailableException("no answer from " + host(request.url) + " ("
                    + failure.getClass().getSimpleName() + ")");
        }
        int status = result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = result.getMessage().getBody(String.class);
        return new Response(status, body == null ? "" : body, parse(body));
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return mapper.readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }

    static String host(String url) {
        try {
            return java.net.URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return "provider";
        }
    }

    static String formEncode(Map<String, String> fields) {
        return fields.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * The camel-http component behind {@code oauth-http:} endpoints. Timeouts and retry behaviour come from a
     * client configurer (endpoint option {@code httpClientConfigurer}): Camel Spring Boot's component
     * customizer would reset component properties to the {@code camel.component.http.*} defaults.
     */
    @Configuration(proxyBeanMethods = false)
    static class ComponentConfiguration {
        @Bean("oauth-http")
        HttpComponent oauthHttpComponent() {
            return new HttpComponent();
        }

        @Bean("oauthHttpClientConfigurer")
        HttpClientConfigurer oauthHttpClientConfigurer(OAuthProperties properties) {
            return CamelHttpClients.withoutRetriesOrRedirects(properties.getConnectTimeout(), properties.getResponseTimeout());
        }
    }
}
