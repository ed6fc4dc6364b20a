package io.integrationhub.provider.xero.sandbox;

import org.apache.camel.Exchange;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.oauth.ProviderSandbox;
import io.integrationhub.platform.oauth.SandboxApi;

/**
 * The Xero simulator behind the zero-setup profile's {@code /sandbox/xero/api} (route {@code sandbox.api}; the
 * family's catalog {@code sandbox.api-url}), accepting the access tokens the provider sandbox issued for Xero. Java
 * rather than routes because the sandbox keeps books: what the hub pushes is there on the next pull, approved
 * invoices get paid, attachments are kept.
 */
@Component
@ConditionalOnProperty(name = "hub.sandbox.enabled", havingValue = "true")
public class XeroSandbox implements SandboxApi {

    private final XeroSimulator simulator;

    public XeroSandbox(ProviderSandbox sandbox) {
        this.simulator = XeroSimulator.sandbox(token -> sandbox.issued("xero", token));
    }

    public XeroSimulator simulator() {
        return simulator;
    }

    @Override
    public String provider() {
        return "xero";
    }

    @Override
    public void handle(Exchange exchange, String path) throws Exception {
        var in = exchange.getMessage();
        XeroSimulator.Reply reply = simulator.handle(new XeroSimulator.Request(
                in.getHeader(Exchange.HTTP_METHOD, "GET", String.class), path,
                in.getHeader(Exchange.HTTP_QUERY, String.class), SandboxApi.requestHeaders(in), in.getBody(byte[].class)));
        in.removeHeaders("*");
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, reply.status());
        reply.headers().forEach(in::setHeader);
        in.setBody(reply.body());
    }
}
