package io.integrationhub.platform.api;

import io.integrationhub.platform.problem.Problem;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Nothing a caller sends comes back in an answer of a platform-http route.
 *
 * <p>Camel's HTTP binding writes every message header as a response header, and the message starts with
 * the request's headers and query parameters. Routes that answer through {@link ApiExchange#respond} drop
 * them, but an answer no route wrote — rest-openapi's own {@code 404}/{@code 405} for a path Spring routed
 * to it but the contract does not know (e.g. {@code /%61pi/v1/providers}) — went out with every request
 * header ({@code Authorization}, any {@code X-…: <script>}) and the request body as its body, in the request's
 * content type. When the route that consumed the request is done, before the answer is written, this policy
 *
 * <ul>
 * <li>removes every header whose name and value equal a request header or query parameter (whatever the
 * status; {@code Content-Type} is the binding's, see below);</li>
 * <li>turns rest-openapi's unmatched-request answer (status {@code 404}/{@code 405} with the route stopped,
 * the body untouched) into a problem document that names nothing from the request.</li>
 * </ul>
 */
@Component
public class NoEchoRoutePolicyFactory implements RoutePolicyFactory {

    private final RoutePolicy policy = new NoEcho();

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        return policy;
    }

    static final class NoEcho extends RoutePolicySupport {

        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
            // Only where the HTTP request entered: sub-routes (direct:) share the exchange and are done earlier.
            if (!(exchange.getIn() instanceof PlatformHttpMessage in) || !route.getId().equals(exchange.getFromRouteId())) {
                return;
            }
            HttpServletRequest request = in.getRequest();
            Message answer = exchange.getMessage();
            int status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class);
            if (exchange.isRouteStop() && (status == 404 || status == 405)) {
                unmatched(answer, status);
                return;
            }
            if (request != null) {
                dropEchoes(answer, request);
            }
        }

        private static void unmatched(Message answer, int status) {
            Object allow = answer.getHeader("Allow");
            answer.removeHeaders("*");
            answer.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
            if (status == 405 && allow != null) {
                answer.setHeader("Allow", allow);
            }
            answer.setHeader(Exchange.CONTENT_TYPE, Problem.MEDIA_TYPE);
            String title = status == 404 ? "Not Found" : HttpStatus.valueOf(status).getReasonPhrase();
            answer.setBody(("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + "}")
                    .getBytes(StandardCharsets.UTF_8));
        }

        private static void dropEchoes(Message answer, HttpServletRequest request) {
            List<String> echoed = new ArrayList<>();
            for (Map.Entry<String, Object> header : answer.getHeaders().entrySet()) {
                String name = header.getKey();
                if (name.startsWith("Camel") || name.equalsIgnoreCase(Exchange.CONTENT_TYPE)) {
                    continue;
                }
                if (sent(Collections.list(request.getHeaders(name)), header.getValue())
                        || sent(parameter(request, name), header.getValue())) {
                    echoed.add(name);
                }
            }
            echoed.forEach(answer::removeHeader);
        }

        private static List<String> parameter(HttpServletRequest request, String name) {
            for (Map.Entry<String, String[]> p : request.getParameterMap().entrySet()) {
                if (p.getKey().equalsIgnoreCase(name)) {
                    return List.of(p.getValue());
                }
            }
            return List.of();
        }

        private static boolean sent(List<String> sentValues, Object value) {
            if (sentValues.isEmpty() || value == null) {
                return false;
            }
            if (value instanceof Iterable<?> values) {
                for (Object v : values) {
                    if (sentValues.contains(String.valueOf(v))) {
                        return true;
                    }
                }
                return false;
            }
            return sentValues.contains(String.valueOf(value));
        }
    }
}
