package io.integrationhub.provider.googledrive.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.camel.Exchange;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.integrationhub.platform.oauth.ProviderSandbox;
import io.integrationhub.platform.oauth.SandboxApi;

/**
 * The zero-setup profile's Google: one {@link GoogleSimulator} (a Drive with a Recipes and an Invoices tree, a
 * Google Doc among them, and a primary calendar) behind {@code /sandbox/google-drive/api} and
 * {@code /sandbox/google-calendar/api}, each accepting only the access tokens the provider sandbox issued for its
 * key. Drive push notifications go to this hub's {@code /webhooks/google-drive}, as Google would send them.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "hub.sandbox.enabled", havingValue = "true")
public class GoogleSandbox {

    @Bean
    GoogleSimulator googleSimulator() {
        GoogleSimulator sim = new GoogleSimulator(token -> true, "cook@sandbox.example.com");
        var recipes = sim.folder("Recipes", null);
        var desserts = sim.folder("Desserts", recipes.id());
        sim.file("Sourdough.txt", recipes.id(), "text/plain", "Flour, water, salt, time.".getBytes(StandardCharsets.UTF_8));
        sim.file("Tiramisu.txt", desserts.id(), "text/plain", "Mascarpone, coffee, savoiardi.".getBytes(StandardCharsets.UTF_8));
        sim.file("Menu plan", recipes.id(), GoogleSimulator.DOC, "Monday: soup".getBytes(StandardCharsets.UTF_8));
        var invoices = sim.folder("Invoices", null);
        sim.file("INV-1001.pdf", invoices.id(), "application/pdf", "%PDF-1.4\n% INV-1001\n".getBytes(StandardCharsets.UTF_8));
        sim.folder("Photos", null);
        return sim;
    }

    @Bean
    SandboxApi googleDriveSandboxApi(GoogleSimulator sim, ProviderSandbox sandbox) {
        return new Api("google-drive", sim, sandbox);
    }

    @Bean
    SandboxApi googleCalendarSandboxApi(GoogleSimulator sim, ProviderSandbox sandbox) {
        return new Api("google-calendar", sim, sandbox);
    }

    /** One key's door to the shared simulator. */
    record Api(String provider, GoogleSimulator sim, ProviderSandbox sandbox) implements SandboxApi {
        @Override
        public void handle(Exchange exchange, String path) throws Exception {
            var in = exchange.getMessage();
            Map<String, String> headers = GoogleSimulator.headers(in.getHeaders());
            String auth = headers.getOrDefault("authorization", "");
            String token = auth.startsWith("Bearer ") ? auth.substring(7) : null;
            GoogleSimulator.Reply reply;
            if (!sandbox.issued(provider, token)) {
                reply = GoogleSimulator.Reply.error(401, "global", "authError", "Invalid Credentials");
            } else {
                byte[] body = in.getBody(byte[].class);
                reply = sim.handle(new GoogleSimulator.Request(in.getHeader(Exchange.HTTP_METHOD, "GET", String.class),
                        path, in.getHeader(Exchange.HTTP_QUERY, String.class), headers, body == null ? new byte[0] : body));
            }
            in.removeHeaders("*");
            in.setHeader(Exchange.HTTP_RESPONSE_CODE, reply.status());
            if (reply.contentType() != null) {
                in.setHeader(Exchange.CONTENT_TYPE, reply.contentType());
            }
            in.setBody(reply.body());
        }
    }
}
