package io.integrationhub.provider.microsoft.sandbox;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.Exchange;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.oauth.ProviderSandbox;
import io.integrationhub.platform.oauth.SandboxApi;

/**
 * The Graph simulator behind the zero-setup profile's {@code /sandbox/microsoft/api} (route {@code sandbox.api}),
 * accepting the access tokens the provider sandbox issued for Microsoft. Uploaded contents live under
 * {@code {hub.data-dir}/sandbox/graph}.
 */
@Component
@ConditionalOnProperty(name = "hub.sandbox.enabled", havingValue = "true")
public class GraphSandbox implements SandboxApi {

    private final GraphSimulator simulator;

    public GraphSandbox(HubProperties hub, ProviderSandbox sandbox) {
        this.simulator = GraphSimulator.standard(hub.getPublicUrl() + "/sandbox/microsoft/api",
                Path.of(hub.getDataDir(), "sandbox", "graph"), token -> sandbox.issued("microsoft", token));
        // Here notification URLs point at this hub, so drive changes are announced as Graph would.
        simulator.part(GraphDriveSim.class).notifications(true);
    }

    public GraphSimulator simulator() {
        return simulator;
    }

    @Override
    public String provider() {
        return "microsoft";
    }

    @Override
    public void handle(Exchange exchange, String path) throws Exception {
        var in = exchange.getMessage();
        Map<String, String> headers = SandboxApi.requestHeaders(in);
        InputStream body = in.getBody(InputStream.class);
        // The path arrives percent-encoded (colon addressing: root:/Jobs/A%20B:); the simulator, like GraphFake, wants it decoded.
        GraphSimulator.Reply reply = simulator.handle(new GraphSimulator.Request(
                in.getHeader(Exchange.HTTP_METHOD, "GET", String.class),
                java.net.URLDecoder.decode(path, java.nio.charset.StandardCharsets.UTF_8),
                in.getHeader(Exchange.HTTP_QUERY, String.class), headers, body));
        in.removeHeaders("*");
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, reply.status());
        reply.headers().forEach(in::setHeader);
        in.setBody(reply.file() != null ? Files.newInputStream(reply.file()) : reply.body());
    }
}
