package io.integrationhub.platform.api;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.spi.RestClientRequestValidator;
import org.apache.camel.support.MessageHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.Problem;
import io.integrationhub.platform.problem.Problem.FieldError;
import io.swagger.v3.oas.models.OpenAPI;

/**
 * Validates REST requests against the OpenAPI document and answers failures as problem+json with
 * each field at fault. Camel's rest binding picks this bean up as the only
 * {@link RestClientRequestValidator} in the registry.
 * <p>
 * Security is not validated here: the auth filter has already accepted the caller. On failure the
 * request headers are removed from the message so none of them (Authorization included) is echoed.
 */
@Component
public class ProblemRequestValidator implements RestClientRequestValidator {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemRequestValidator.class);
    private static final Pattern QUOTED_NAMES = Pattern.compile("\"([^\"]+)\"");

    private final ObjectMapper mapper;
    private final ApiJson json;
    /**
     * The validator of each parsed contract, by identity: {@code OpenAPI.hashCode()} and {@code equals} walk the whole
     * document (every path, operation and schema), which a {@code ConcurrentHashMap} lookup did on every request.
     * Replaced, never changed, when a contract is added (one per rest-openapi endpoint; a reload parses a new one).
     */
    private volatile Map<OpenAPI, OpenApiInteractionValidator> validators = new IdentityHashMap<>();

    public ProblemRequestValidator(ObjectMapper mapper, ApiJson json) {
        this.mapper = mapper;
        this.json = json;
    }

    @Override
    public ValidationError validate(Exchange exchange, ValidationContext context) {
        try {
            OpenAPI api = exchange.getProperty(Exchange.REST_OPENAPI, OpenAPI.class);
            if (api == null) {
                return null;
            }
            Request request = request(exchange, basePath(api));
            // Before the schema validator parses the body with its own (unbounded) Jackson settings.
            String beyond = request.getBody().map(json::constraintProblem).orElse(null);
            if (beyond != null) {
                return problem(exchange, 400, "invalid-request", "Invalid request",
                        "The request body is beyond this hub's JSON limits: " + beyond, List.of());
            }
            ValidationReport report = validator(api).validateRequest(request);
            if (!report.hasErrors()) {
                return null;
            }
            return failure(exchange, report);
        } catch (RuntimeException e) {
            // Never let a validator bug turn bad input into a 500; the handler still checks what it reads.
            LOG.warn("Request validation could not run: {}", e.toString());
            return null;
        }
    }

    private OpenApiInteractionValidator validator(OpenAPI api) {
        OpenApiInteractionValidator validator = validators.get(api);
        if (validator == null) {
            synchronized (this) {
                validator = validators.get(api);
                if (validator == null) {
                    // a few contracts at most; contracts of routes reloaded many times are dropped with the rest
                    Map<OpenAPI, OpenApiInteractionValidator> next = validators.size() < 16
                            ? new IdentityHashMap<>(validators) : new IdentityHashMap<>();
                    validator = validatorFor(api);
                    next.put(api, validator);
                    validators = next;
                }
            }
        }
        return validator;
    }

    private OpenApiInteractionValidator validatorFor(OpenAPI api) {
        LevelResolver levels = LevelResolver.create()
                .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                .withLevel("validation.response", ValidationReport.Level.IGNORE)
                .build();
        return OpenApiInteractionValidator.createFor(api).withBasePathOverride(basePath(api))
                .withLevelResolver(levels).build();
    }

    /** The path of the document's server URL ({@code /api/v1}), which the validator matches requests under. */
    private static String basePath(OpenAPI api) {
        if (api.getServers() == null || api.getServers().isEmpty()) {
            return "/";
        }
        String url = api.getServers().get(0).getUrl();
        String path = URI.create(url).getPath();
        return path == null || path.isEmpty() ? "/" : path;
    }

    private static Request request(Exchange exchange, String basePath) {
        String method = exchange.getMessage().getHeader(Exchange.HTTP_METHOD, "GET", String.class);
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, "/", String.class);
        // Depending on the stage, Camel has or has not stripped the base path already.
        if (!"/".equals(basePath) && !path.startsWith(basePath + "/") && !path.equals(basePath)) {
            path = basePath + (path.startsWith("/") ? path : "/" + path);
        }
        SimpleRequest.Builder builder = new SimpleRequest.Builder(method, path.isEmpty() ? "/" : path);
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (contentType != null) {
            builder.withContentType(contentType);
        }
        String accept = exchange.getMessage().getHeader("Accept", String.class);
        if (accept != null) {
            builder.withAccept(accept);
        }
        Object raw = exchange.getMessage().getBody();
        if (raw instanceof java.nio.file.Path || raw instanceof java.io.File
                || contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
            // A multipart upload the container spooled to disk: never read it into memory here. The validator does
            // not check multipart bodies (the operation's handler checks the fields); it only needs to see one.
            builder.withBody("multipart");
        } else {
            String body = MessageHelper.extractBodyAsString(exchange.getMessage());
            if (body != null && !body.isEmpty()) {
                builder.withBody(body);
            }
        }
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                builder.withQueryParam(name, value);
            }
        }
        return builder.build();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private ValidationError failure(Exchange exchange, ValidationReport report) {
        List<FieldError> errors = new ArrayList<>();
        int status = 400;
        for (ValidationReport.Message message : report.getMessages()) {
            if (message.getLevel() != ValidationReport.Level.ERROR) {
                continue;
            }
            String key = message.getKey();
            if (key.startsWith("validation.request.contentType")) {
                status = 415;
            }
            collect(message, errors);
        }
        String title = status == 415 ? "Unsupported media type" : "Invalid request";
        String kind = status == 415 ? "unsupported-media-type" : "invalid-request";
        String detail = errors.isEmpty() ? "The request does not match the API document."
                : errors.size() == 1 ? errors.get(0).message()
                : errors.size() + " problems with the request; see errors.";
        return problem(exchange, status, kind, title, detail, errors);
    }

    private ValidationError problem(Exchange exchange, int status, String kind, String title, String detail,
            List<FieldError> errors) {
        Problem problem = Problem.of(status, kind, title, detail).withErrors(errors)
                .withInstance(exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class));
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, Problem.MEDIA_TYPE);
        try {
            return new ValidationError(status, mapper.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            return new ValidationError(status, "{\"status\":" + status + ",\"title\":\"" + title + "\"}");
        }
    }

    private static void collect(ValidationReport.Message message, List<FieldError> errors) {
        boolean combinator = message.getKey().endsWith(".schema.anyOf") || message.getKey().endsWith(".schema.oneOf");
        if (combinator && !message.getNestedMessages().isEmpty()) {
            message.getNestedMessages().forEach(nested -> collect(nested, errors));
            return;
        }
        for (String field : fields(message)) {
            errors.add(new FieldError(field, clean(message.getMessage())));
        }
    }

    /** The fields a message is about: the JSON pointer, made precise for required/additional properties. */
    private static Set<String> fields(ValidationReport.Message message) {
        Set<String> fields = new LinkedHashSet<>();
        var context = message.getContext();
        var parameter = context.flatMap(c -> c.getParameter());
        if (parameter.isPresent()) {
            fields.add(parameter.get().getName());
            return fields;
        }
        String pointer = context.flatMap(c -> c.getPointers()).map(p -> p.getInstance()).orElse(null);
        String key = message.getKey();
        if (pointer != null && (key.endsWith(".schema.required") || key.endsWith(".schema.additionalProperties"))) {
            int list = message.getMessage().lastIndexOf('[');
            Matcher names = QUOTED_NAMES.matcher(list < 0 ? "" : message.getMessage().substring(list));
            String base = pointer.endsWith("/") ? pointer : pointer + "/";
            while (names.find()) {
                fields.add(base + names.group(1));
            }
        }
        if (fields.isEmpty()) {
            fields.add(pointer != null ? (pointer.isEmpty() ? "/" : pointer)
                    : key.contains(".body") ? "body" : key.contains("contentType") ? "Content-Type" : "request");
        }
        return fields;
    }

    /** Drops the validator's "[Path '/x'] " prefix; the field already says where. */
    private static String clean(String text) {
        return text.replaceFirst("^\\[Path '[^']*'\\]\\s*", "");
    }
}
