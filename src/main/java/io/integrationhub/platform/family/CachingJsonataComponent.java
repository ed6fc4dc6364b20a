package io.integrationhub.platform.family;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.jsonata.JsonataComponent;
import org.apache.camel.component.jsonata.JsonataEndpoint;
import org.apache.camel.component.jsonata.JsonataFrameBinding;
import org.apache.camel.component.jsonata.JsonataInputOutputType;
import org.apache.camel.support.ExchangeHelper;
import org.springframework.stereotype.Component;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The {@code jsonata:} component of the routes (bean {@code jsonata}, found by Camel before its own): the same
 * endpoint options and results as camel-jsonata's, but a mapping is parsed once per text instead of once per message.
 *
 * <p>camel-jsonata 4.17 parses the expression on every exchange, and family mappings are referenced with
 * {@code contentCache=false} so that an edited file applies at once: in the webhook benchmark's profile the parsing
 * alone was about a tenth of the hub's CPU (docs/performance.md). Here the resource is still read on every exchange
 * (an edit applies to the next message, as before), and the parsed expression is reused while the text is the same.
 * Evaluation is as camel-jsonata's: a new frame per message (with the component's frame binding), JSON text or
 * Jackson in and out as {@code inputType} / {@code outputType} say. Each thread has its own parse of a text
 * ({@link JsonataCache}: jsonata-java keeps an evaluation's state on the parsed instance). With
 * {@code allowTemplateFromHeader} the message may bring its own expression: such endpoints are left to camel-jsonata.
 */
@Component("jsonata")
public class CachingJsonataComponent extends JsonataComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        CachingEndpoint endpoint = new CachingEndpoint(uri, this, remaining, getFrameBinding());
        endpoint.setContentCache(isContentCache());
        endpoint.setAllowTemplateFromHeader(isAllowTemplateFromHeader());
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** A jsonata endpoint that evaluates the parse of its resource's text kept by {@link JsonataCache}. */
    static final class CachingEndpoint extends JsonataEndpoint {

        private static final ObjectMapper JSON = new ObjectMapper();
        /**
         * Shared by the endpoints: the same mapping file used by several routes is parsed once per thread. Up to 128
         * texts per thread (the families ship 95 mapping files; beyond that a text is only parsed again).
         */
        private static final JsonataCache PARSED = new JsonataCache(128);

        CachingEndpoint(String uri, JsonataComponent component, String resourceUri, JsonataFrameBinding frameBinding) {
            super(uri, component, resourceUri, frameBinding);
        }

        @Override
        protected void onExchange(Exchange exchange) throws Exception {
            if (isAllowTemplateFromHeader()) {
                super.onExchange(exchange);
                return;
            }
            Jsonata expression = expression();
            Object input = getInputType() == JsonataInputOutputType.JsonString
                    ? JSON.readValue(exchange.getIn().getMandatoryBody(InputStream.class), Object.class)
                    : JSON.convertValue(exchange.getIn().getBody(), Object.class);
            Jsonata.Frame frame = expression.createFrame();
            if (getFrameBinding() != null) {
                getFrameBinding().bindToFrame(frame);
            }
            Object result = expression.evaluate(input, frame);
            Object output;
            if (getOutputType() == JsonataInputOutputType.JsonString) {
                output = isPrettyPrint() ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result)
                        : JSON.writeValueAsString(result);
            } else {
                output = JSON.valueToTree(result);
            }
            ExchangeHelper.setInOutBodyPatternAware(exchange, output);
        }

        /** This thread's parse of the resource's current text: parsed again only when the text changed. */
        Jsonata expression() throws Exception {
            try (InputStream in = getResourceAsInputStream()) {
                return PARSED.get(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }
}
