package io.integrationhub.provider.businesscentral.sandbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Calendar;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.apache.olingo.commons.api.data.ContextURL;
import org.apache.olingo.commons.api.data.Entity;
import org.apache.olingo.commons.api.data.EntityCollection;
import org.apache.olingo.commons.api.data.Link;
import org.apache.olingo.commons.api.data.Property;
import org.apache.olingo.commons.api.data.ValueType;
import org.apache.olingo.commons.api.edm.EdmEntityType;
import org.apache.olingo.commons.api.edm.EdmPrimitiveTypeKind;
import org.apache.olingo.commons.api.format.ContentType;
import org.apache.olingo.commons.api.http.HttpHeader;
import org.apache.olingo.commons.api.http.HttpMethod;
import org.apache.olingo.commons.api.http.HttpStatusCode;
import org.apache.olingo.server.api.OData;
import org.apache.olingo.server.api.ODataApplicationException;
import org.apache.olingo.server.api.ODataHandler;
import org.apache.olingo.server.api.ODataLibraryException;
import org.apache.olingo.server.api.ODataRequest;
import org.apache.olingo.server.api.ODataResponse;
import org.apache.olingo.server.api.ServiceMetadata;
import org.apache.olingo.server.api.processor.EntityCollectionProcessor;
import org.apache.olingo.server.api.processor.EntityProcessor;
import org.apache.olingo.server.api.serializer.EntityCollectionSerializerOptions;
import org.apache.olingo.server.api.serializer.EntitySerializerOptions;
import org.apache.olingo.server.api.uri.UriInfo;
import org.apache.olingo.server.api.uri.UriParameter;
import org.apache.olingo.server.api.uri.UriResource;
import org.apache.olingo.server.api.uri.UriResourceEntitySet;
import org.apache.olingo.server.api.uri.UriResourceNavigation;
import org.apache.olingo.server.api.uri.queryoption.expression.BinaryOperatorKind;
import org.apache.olingo.server.api.uri.queryoption.expression.Expression;
import org.apache.olingo.server.api.uri.queryoption.expression.ExpressionVisitor;
import org.apache.olingo.server.api.uri.queryoption.expression.Literal;
import org.apache.olingo.server.api.uri.queryoption.expression.Member;
import org.apache.olingo.server.api.uri.queryoption.expression.MethodKind;
import org.apache.olingo.server.api.uri.queryoption.expression.UnaryOperatorKind;
import org.apache.olingo.commons.api.edm.EdmEnumType;
import org.apache.olingo.commons.api.edm.EdmType;

/**
 * A Business Central API v2.0 service in process, built on the Apache Olingo OData v4 server library: BC's entity
 * shapes and {@code $metadata} ({@link BcModel}), company-scoped resources ({@code companies(<id>)/customers}),
 * {@code $filter} on properties ({@code lastModifiedDateTime gt 2026-01-01T00:00:00Z}), {@code $select},
 * {@code $expand=salesOrderLines}, server-driven paging (an opaque {@code @odata.nextLink} with a
 * {@code $skiptoken}; {@code Prefer: odata.maxpagesize}), weak ETags ({@code @odata.etag}, {@code ETag}),
 * {@code POST} (201), {@code PATCH} with a required {@code If-Match} (a stale one answers BC's {@code 409}
 * {@code Request_EntityChanged}, a missing one {@code 400 BadRequest_InvalidToken}), {@code DELETE} (204), and BC's
 * error body {@code {"error":{"code","message"}}}. Faults ({@code 429}, {@code 504}, …) can be queued for tests.
 *
 * <p>Served by the zero-setup profile's sandbox ({@code routes/business-central/sandbox.camel.yaml}, through
 * {@link BcSandbox}) and by the family's tests; the hub reaches it over real HTTP through camel-olingo4.
 */
public final class BcODataService {

    /** One HTTP answer. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {
        public String text() {
            return body == null ? "" : new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One request as it arrived (for tests: what the hub sent). */
    public record Call(String method, String path, String query, String ifMatch, String authorization, String prefer) {
    }

    private record Fault(int status, String code) {
    }

    private static final class Row {
        final UUID id;
        final Map<String, Object> values = new LinkedHashMap<>();
        long version = 1;
        final Map<UUID, Row> lines = new LinkedHashMap<>();

        Row(UUID id) {
            this.id = id;
        }
    }

    private final OData odata = OData.newInstance();
    private final ServiceMetadata metadata = odata.createServiceMetadata(new BcModel(), List.of());
    private final ODataHandler handler;
    private final Predicate<String> authorized;
    private final Map<UUID, Row> companies = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<UUID, Map<String, Map<UUID, Row>>> data = new ConcurrentHashMap<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile int pageSize;
    private long lastStamp;

    /**
     * @param pageSize   entities per page when the client asks for no smaller {@code odata.maxpagesize} (BC online:
     *                   20,000; tests use a handful to page)
     * @param authorized whether an {@code Authorization} header value is accepted
     */
    public BcODataService(int pageSize, Predicate<String> authorized) {
        this.pageSize = pageSize;
        this.authorized = authorized;
        this.handler = odata.createRawHandler(metadata);
        this.handler.register(new Processor());
    }

    // --- HTTP ---

    /**
     * Answers one request below the service root ({@code path} like {@code /companies(<id>)/customers} or
     * {@code /$metadata}; {@code query} raw, without {@code ?}).
     */
    public Answer handle(String method, String serviceRoot, String path, String query, Map<String, String> headers,
            byte[] body) {
        Map<String, String> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        calls.add(new Call(method, path, query, h.get("If-Match"), h.get("Authorization"), h.get("Prefer")));
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            if (!authorized.test(h.get("Authorization"))) {
                return error(401, "Authentication_InvalidCredentials", "The server has rejected the client credentials.");
            }
            if (!faults.isEmpty()) {
                Fault fault = faults.remove(0);
                return error(fault.status(), fault.code(), "Simulated " + fault.status() + " (" + fault.code() + ").");
            }
            ODataRequest request = new ODataRequest();
            request.setMethod(HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)));
            String root = serviceRoot.endsWith("/") ? serviceRoot.substring(0, serviceRoot.length() - 1) : serviceRoot;
            request.setRawBaseUri(root);
            request.setRawODataPath(path);
            request.setRawQueryPath(query);
            request.setRawRequestUri(root + path + (query == null || query.isEmpty() ? "" : "?" + query));
            request.setRawServiceResolutionUri(null);
            request.setProtocol("HTTP/1.1");
            h.forEach(request::addHeader);
            request.setBody(new ByteArrayInputStream(body == null ? new byte[0] : body));
            ODataResponse response = handler.process(request);
            Map<String, String> out = new LinkedHashMap<>();
            response.getAllHeaders().forEach((k, v) -> out.put(k, String.join(",", v)));
            byte[] bytes = response.getContent() == null ? new byte[0] : response.getContent().readAllBytes();
            return new Answer(response.getStatusCode(), out, bytes);
        } catch (IOException e) {
            return error(500, "Internal_ServerError", e.getMessage());
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static Answer error(int status, String code, String message) {
        String json = "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message.replace("\"", "'")
                + "  CorrelationId:  " + UUID.randomUUID() + ".\"}}";
        return new Answer(status, Map.of("Content-Type", "application/json; charset=utf-8"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    // --- data (tests and the sandbox seed) ---

    public UUID addCompany(String name) {
        return addCompany(UUID.randomUUID(), name);
    }

    public UUID addCompany(UUID id, String name) {
        Row company = new Row(id);
        company.values.put("systemVersion", "26.0.30643.32481");
        company.values.put("name", name);
        company.values.put("displayName", name);
        company.values.put("businessProfileId", "");
        company.values.put("systemModifiedAt", stamp());
        companies.put(id, company);
        data.put(id, new ConcurrentHashMap<>());
        return id;
    }

    /** Adds an entity to a company's set (customers, items, vendors, salesOrders, salesInvoices); returns its id. */
    public synchronized UUID put(UUID company, String set, Map<String, Object> values) {
        Row row = new Row(values.get("id") instanceof UUID u ? u : UUID.randomUUID());
        values.forEach((k, v) -> {
            if (!k.equals("id")) {
                row.values.put(k, v);
            }
        });
        row.values.put("lastModifiedDateTime", stamp());
        set(company, set).put(row.id, row);
        return row.id;
    }

    /** Adds a line to a sales order. */
    public synchronized UUID putLine(UUID company, UUID order, Map<String, Object> values) {
        Row line = new Row(UUID.randomUUID());
        line.values.putAll(values);
        line.values.put("documentId", order);
        Row o = set(company, "salesOrders").get(order);
        line.values.put("sequence", (o.lines.size() + 1) * 10000);
        o.lines.put(line.id, line);
        return line.id;
    }

    /** Changes an entity as a BC user would: a new ETag and lastModifiedDateTime. */
    public synchronized void change(UUID company, String set, UUID id, Map<String, Object> changes) {
        Row row = set(company, set).get(id);
        row.values.putAll(changes);
        touch(row);
    }

    public synchronized void remove(UUID company, String set, UUID id) {
        set(company, set).remove(id);
    }

    public synchronized Map<String, Object> get(UUID company, String set, UUID id) {
        Row row = set(company, set).get(id);
        return row == null ? null : Map.copyOf(row.values);
    }

    public synchronized String etag(UUID company, String set, UUID id) {
        return etag(set(company, set).get(id));
    }

    /** The next {@code times} requests answer {@code status} with BC's error body of {@code code}. */
    public void failNext(int status, String code, int times) {
        for (int i = 0; i < times; i++) {
            faults.add(new Fault(status, code));
        }
    }

    public void clearFaults() {
        faults.clear();
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public void clearCalls() {
        calls.clear();
        maxInFlight.set(inFlight.get());
    }

    /** The most requests this service handled at the same time since {@link #clearCalls()}. */
    public int maxConcurrent() {
        return maxInFlight.get();
    }

    public void pageSize(int size) {
        this.pageSize = size;
    }

    private Map<UUID, Row> set(UUID company, String set) {
        Map<String, Map<UUID, Row>> sets = data.get(company);
        if (sets == null) {
            throw new IllegalArgumentException("no company " + company);
        }
        return sets.computeIfAbsent(set, s -> Collections.synchronizedMap(new LinkedHashMap<>()));
    }

    private synchronized Timestamp stamp() {
        long now = Math.max(Instant.now().toEpochMilli(), lastStamp + 1);
        lastStamp = now;
        return new Timestamp(now);
    }

    private void touch(Row row) {
        row.version++;
        row.values.put("lastModifiedDateTime", stamp());
    }

    private static String etag(Row row) {
        // BC's ETags are weak and opaque: W/"JzQ0O0VnQUFBQUo3...'"
        return "W/\"" + Base64.getEncoder().encodeToString(("44;" + row.id + ";" + row.version + ";")
                .getBytes(StandardCharsets.UTF_8)) + "\"";
    }

    // --- OData ---

    /** Where a request points: a company, one of its sets (and an entity), or a sales order's lines. */
    private record Target(UUID company, String set, String type, UUID id, UUID order, String path) {
        boolean companies() {
            return set == null;
        }
    }

    private final class Processor implements EntityCollectionProcessor, EntityProcessor {

        @Override
        public void init(OData o, ServiceMetadata m) {
        }

        @Override
        public void readEntityCollection(ODataRequest request, ODataResponse response, UriInfo uriInfo,
                ContentType format) throws ODataApplicationException, ODataLibraryException {
            synchronized (BcODataService.this) {
                Target target = target(uriInfo);
                List<Row> rows = new ArrayList<>(rows(target));
                Expression filter = uriInfo.getFilterOption() == null ? null : uriInfo.getFilterOption().getExpression();
                if (filter != null) {
                    List<Row> kept = new ArrayList<>();
                    for (Row r : rows) {
                        if (Boolean.TRUE.equals(evaluate(filter, r))) {
                            kept.add(r);
                        }
                    }
                    rows = kept;
                }
                int offset = uriInfo.getSkipTokenOption() == null ? 0 : offset(uriInfo.getSkipTokenOption().getValue());
                int size = pageSize;
                String prefer = request.getHeader(HttpHeader.PREFER);
                if (prefer != null && prefer.contains("odata.maxpagesize=")) {
                    size = Math.min(size, Integer.parseInt(prefer.replaceAll(".*odata.maxpagesize=(\\d+).*", "$1")));
                    response.setHeader("Preference-Applied", "odata.maxpagesize=" + size);
                }
                if (uriInfo.getTopOption() != null) {
                    size = Math.min(size, uriInfo.getTopOption().getValue());
                }
                EntityCollection collection = new EntityCollection();
                EdmEntityType type = edmType(target.type());
                int end = Math.min(rows.size(), offset + size);
                for (Row r : rows.subList(Math.min(offset, rows.size()), end)) {
                    collection.getEntities().add(entity(target, r, uriInfo.getExpandOption() != null));
                }
                if (end < rows.size() && uriInfo.getTopOption() == null) {
                    collection.setNext(URI.create(request.getRawBaseUri() + request.getRawODataPath() + "?"
                            + withoutSkipToken(request.getRawQueryPath()) + "$skiptoken=" + token(end)));
                }
                ContextURL context = ContextURL.with().serviceRoot(URI.create(request.getRawBaseUri() + "/"))
                        .entitySetOrSingletonOrType(target.path())
                        .selectList(odata.createUriHelper().buildContextURLSelectList(type, uriInfo.getExpandOption(),
                                uriInfo.getSelectOption()))
                        .build();
                response.setContent(odata.createSerializer(format).entityCollection(metadata, type, collection,
                        EntityCollectionSerializerOptions.with().contextURL(context).select(uriInfo.getSelectOption())
                                .expand(uriInfo.getExpandOption()).build()).getContent());
                response.setStatusCode(HttpStatusCode.OK.getStatusCode());
                response.setHeader(HttpHeader.CONTENT_TYPE, format.toContentTypeString());
            }
        }

        @Override
        public void readEntity(ODataRequest request, ODataResponse response, UriInfo uriInfo, ContentType format)
                throws ODataApplicationException, ODataLibraryException {
            synchronized (BcODataService.this) {
                Target target = target(uriInfo);
                Row row = row(target);
                write(request, response, uriInfo, format, target, row, HttpStatusCode.OK);
            }
        }

        @Override
        public void createEntity(ODataRequest request, ODataResponse response, UriInfo uriInfo, ContentType requestFormat,
                ContentType responseFormat) throws ODataApplicationException, ODataLibraryException {
            synchronized (BcODataService.this) {
                Target target = target(uriInfo);
                if (target.companies() || target.id() != null) {
                    throw new ODataApplicationException("Entities are created in a company's entity set.",
                            405, Locale.ROOT, "BadRequest_MethodNotAllowed");
                }
                Entity in = read(request.getBody(), target.type());
                Row row = new Row(UUID.randomUUID());
                row.values.putAll(values(in, target.type()));
                Link deep = in.getNavigationLink("salesOrderLines");
                if ("salesOrder".equals(target.type()) && deep != null && deep.getInlineEntitySet() != null) {
                    // BC's deep insert: a new order with its lines in one POST.
                    for (Entity l : deep.getInlineEntitySet().getEntities()) {
                        Row line = new Row(UUID.randomUUID());
                        line.values.putAll(values(l, "salesOrderLine"));
                        line.values.put("documentId", row.id);
                        line.values.put("sequence", (row.lines.size() + 1) * 10000);
                        row.lines.put(line.id, line);
                    }
                }
                if (!row.values.containsKey("number") && BcModel.TYPES.get(target.type()).containsKey("number")) {
                    row.values.put("number", String.format("%s%05d", target.type().substring(0, 1).toUpperCase(Locale.ROOT),
                            10000 + rows(target).size() * 10 + 10));
                }
                if (BcModel.TYPES.get(target.type()).containsKey("lastModifiedDateTime")) {
                    row.values.put("lastModifiedDateTime", stamp());
                }
                if (target.order() != null) {
                    set(target.company(), "salesOrders").get(target.order()).lines.put(row.id, row);
                } else {
                    set(target.company(), target.set()).put(row.id, row);
                }
                Target created = new Target(target.company(), target.set(), target.type(), row.id, target.order(),
                        target.path());
                response.setHeader(HttpHeader.LOCATION, request.getRawBaseUri() + "/" + target.path() + "(" + row.id + ")");
                write(request, response, uriInfo, responseFormat, created, row, HttpStatusCode.CREATED);
            }
        }

        @Override
        public void updateEntity(ODataRequest request, ODataResponse response, UriInfo uriInfo, ContentType requestFormat,
                ContentType responseFormat) throws ODataApplicationException, ODataLibraryException {
            synchronized (BcODataService.this) {
                if (request.getMethod() != HttpMethod.PATCH) {
                    throw new ODataApplicationException("Use PATCH to change an entity.", 405, Locale.ROOT,
                            "BadRequest_MethodNotAllowed");
                }
                Target target = target(uriInfo);
                Row row = row(target);
                checkETag(request, row);
                row.values.putAll(values(request.getBody(), target.type()));
                touch(row);
                write(request, response, uriInfo, responseFormat, target, row, HttpStatusCode.OK);
            }
        }

        @Override
        public void deleteEntity(ODataRequest request, ODataResponse response, UriInfo uriInfo)
                throws ODataApplicationException, ODataLibraryException {
            synchronized (BcODataService.this) {
                Target target = target(uriInfo);
                Row row = row(target);
                checkETag(request, row);
                set(target.company(), target.set()).remove(row.id);
                response.setStatusCode(HttpStatusCode.NO_CONTENT.getStatusCode());
            }
        }

        private void write(ODataRequest request, ODataResponse response, UriInfo uriInfo, ContentType format,
                Target target, Row row, HttpStatusCode status) throws ODataLibraryException {
            EdmEntityType type = edmType(target.type());
            ContextURL context = ContextURL.with().serviceRoot(URI.create(request.getRawBaseUri() + "/"))
                    .entitySetOrSingletonOrType(target.path()).suffix(ContextURL.Suffix.ENTITY).build();
            response.setContent(odata.createSerializer(format).entity(metadata, type, entity(target, row,
                    uriInfo.getExpandOption() != null), EntitySerializerOptions.with().contextURL(context)
                            .select(uriInfo.getSelectOption()).expand(uriInfo.getExpandOption()).build()).getContent());
            response.setStatusCode(status.getStatusCode());
            response.setHeader(HttpHeader.CONTENT_TYPE, format.toContentTypeString());
            if (!target.companies()) {
                response.setHeader(HttpHeader.ETAG, etag(row));
            }
        }
    }

    private void checkETag(ODataRequest request, Row row) throws ODataApplicationException {
        String ifMatch = request.getHeader(HttpHeader.IF_MATCH);
        if (ifMatch == null || ifMatch.isBlank()) {
            throw new ODataApplicationException("Could not validate the client concurrency token required by the service. "
                    + "Please provide a valid token in the client request.", 400, Locale.ROOT, "BadRequest_InvalidToken");
        }
        if (!ifMatch.trim().equals("*") && !ifMatch.trim().equals(etag(row))) {
            throw new ODataApplicationException("Another user has already changed the record.", 409, Locale.ROOT,
                    "Request_EntityChanged");
        }
    }

    private Target target(UriInfo uriInfo) throws ODataApplicationException {
        List<UriResource> parts = uriInfo.getUriResourceParts();
        UriResourceEntitySet root = (UriResourceEntitySet) parts.get(0);
        if (parts.size() == 1) {
            UUID id = key(root.getKeyPredicates());
            return new Target(id, null, "company", id, null, "companies");
        }
        UUID company = key(root.getKeyPredicates());
        if (company == null || !companies.containsKey(company)) {
            throw notFound("company");
        }
        UriResourceNavigation set = (UriResourceNavigation) parts.get(1);
        String name = set.getProperty().getName();
        String path = "companies(" + company + ")/" + name;
        if (parts.size() == 2) {
            return new Target(company, name, BcModel.COMPANY_SETS.get(name), key(set.getKeyPredicates()), null, path);
        }
        UUID order = key(set.getKeyPredicates());
        UriResourceNavigation lines = (UriResourceNavigation) parts.get(2);
        if (order == null || set(company, name).get(order) == null) {
            throw notFound("salesOrder");
        }
        return new Target(company, name, "salesOrderLine", key(lines.getKeyPredicates()), order,
                path + "(" + order + ")/salesOrderLines");
    }

    private Row row(Target target) throws ODataApplicationException {
        Row row = null;
        if (target.companies()) {
            row = companies.get(target.id());
        } else if (target.order() != null) {
            row = set(target.company(), "salesOrders").get(target.order()).lines.get(target.id());
        } else if (target.id() != null) {
            row = set(target.company(), target.set()).get(target.id());
        }
        if (row == null) {
            throw notFound(target.type());
        }
        return row;
    }

    private List<Row> rows(Target target) {
        if (target.companies()) {
            return new ArrayList<>(companies.values());
        }
        if (target.order() != null) {
            return new ArrayList<>(set(target.company(), "salesOrders").get(target.order()).lines.values());
        }
        return new ArrayList<>(set(target.company(), target.set()).values());
    }

    private static ODataApplicationException notFound(String type) {
        return new ODataApplicationException("The " + type + " does not exist. Identification fields and values: "
                + "not found", 404, Locale.ROOT, "Internal_RecordNotFound");
    }

    private static UUID key(List<UriParameter> keys) throws ODataApplicationException {
        if (keys == null || keys.isEmpty()) {
            return null;
        }
        try {
            return UUID.fromString(keys.get(0).getText().replace("'", ""));
        } catch (IllegalArgumentException e) {
            throw new ODataApplicationException("Invalid key " + keys.get(0).getText(), 400, Locale.ROOT,
                    "BadRequest_InvalidKey");
        }
    }

    private EdmEntityType edmType(String type) {
        return metadata.getEdm().getEntityType(BcModel.type(type));
    }

    private Entity entity(Target target, Row row, boolean expand) {
        Entity e = new Entity();
        e.addProperty(new Property(null, "id", ValueType.PRIMITIVE, row.id));
        row.values.forEach((k, v) -> e.addProperty(new Property(null, k, ValueType.PRIMITIVE, v)));
        e.setId(URI.create(target.path() + "(" + row.id + ")"));
        if (!target.companies()) {
            e.setETag(etag(row));
        }
        if (expand && "salesOrder".equals(target.type())) {
            EntityCollection lines = new EntityCollection();
            Target lineTarget = new Target(target.company(), target.set(), "salesOrderLine", null, row.id,
                    target.path() + "(" + row.id + ")/salesOrderLines");
            row.lines.values().forEach(l -> lines.getEntities().add(entity(lineTarget, l, false)));
            Link link = new Link();
            link.setTitle("salesOrderLines");
            link.setInlineEntitySet(lines);
            e.getNavigationLinks().add(link);
        }
        return e;
    }

    private Entity read(InputStream body, String type) throws ODataApplicationException {
        try {
            return odata.createDeserializer(ContentType.JSON, metadata).entity(body, edmType(type)).getEntity();
        } catch (ODataLibraryException e) {
            throw new ODataApplicationException(e.getMessage(), 400, Locale.ROOT, "BadRequest_InvalidRequestBody");
        }
    }

    private Map<String, Object> values(InputStream body, String type) throws ODataApplicationException {
        return values(read(body, type), type);
    }

    private static Map<String, Object> values(Entity in, String type) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, EdmPrimitiveTypeKind> kinds = BcModel.TYPES.get(type);
        for (Property p : in.getProperties()) {
            if (p.getName().equals("id") || p.getName().equals("lastModifiedDateTime") || !kinds.containsKey(p.getName())) {
                continue;
            }
            values.put(p.getName(), normalise(kinds.get(p.getName()), p.getValue()));
        }
        return values;
    }

    private static Object normalise(EdmPrimitiveTypeKind kind, Object value) {
        if (value instanceof Calendar c) {
            return kind == EdmPrimitiveTypeKind.Date
                    ? java.sql.Date.valueOf(LocalDate.of(c.get(Calendar.YEAR), c.get(Calendar.MONTH) + 1,
                            c.get(Calendar.DAY_OF_MONTH)))
                    : new Timestamp(c.getTimeInMillis());
        }
        return value;
    }

    private static String token(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"o\":" + offset + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static int offset(String token) throws ODataApplicationException {
        try {
            String json = new String(Base64.getUrlDecoder().decode(URLDecoder.decode(token, StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8);
            return Integer.parseInt(json.replaceAll("\\D", ""));
        } catch (IllegalArgumentException e) {
            throw new ODataApplicationException("The skip token is not valid.", 400, Locale.ROOT, "BadRequest_InvalidToken");
        }
    }

    private static String withoutSkipToken(String query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (String pair : query.split("&")) {
            if (!pair.isEmpty() && !pair.startsWith("$skiptoken=") && !pair.startsWith("%24skiptoken=")) {
                b.append(pair).append('&');
            }
        }
        return b.toString();
    }

    // --- $filter: comparisons of properties with literals, and/or/not ---

    private Object evaluate(Expression expression, Row row) throws ODataApplicationException {
        try {
            return expression.accept(new Evaluator(row));
        } catch (org.apache.olingo.server.api.uri.queryoption.expression.ExpressionVisitException e) {
            throw new ODataApplicationException(e.getMessage(), 400, Locale.ROOT, "BadRequest_InvalidFilter");
        }
    }

    private static final class Evaluator implements ExpressionVisitor<Object> {
        private final Row row;

        Evaluator(Row row) {
            this.row = row;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object visitBinaryOperator(BinaryOperatorKind op, Object left, Object right) throws ODataApplicationException {
            switch (op) {
                case AND:
                    return Boolean.TRUE.equals(left) && Boolean.TRUE.equals(right);
                case OR:
                    return Boolean.TRUE.equals(left) || Boolean.TRUE.equals(right);
                case EQ:
                    return left == null ? right == null : right != null && compare(left, right) == 0;
                case NE:
                    return left == null ? right != null : right == null || compare(left, right) != 0;
                case GT:
                    return left != null && right != null && compare(left, right) > 0;
                case GE:
                    return left != null && right != null && compare(left, right) >= 0;
                case LT:
                    return left != null && right != null && compare(left, right) < 0;
                case LE:
                    return left != null && right != null && compare(left, right) <= 0;
                default:
                    throw new ODataApplicationException("Operator " + op + " is not supported.", 501, Locale.ROOT,
                            "BadRequest_NotSupported");
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static int compare(Object left, Object right) {
            if (left instanceof java.util.Date l && right instanceof java.util.Date r) {
                return Long.compare(l.getTime(), r.getTime());
            }
            if (left instanceof Number l && right instanceof Number r) {
                return new BigDecimal(l.toString()).compareTo(new BigDecimal(r.toString()));
            }
            if (left instanceof Comparable c && left.getClass().isInstance(right)) {
                return c.compareTo(right);
            }
            return left.toString().compareTo(right.toString());
        }

        @Override
        public Object visitUnaryOperator(UnaryOperatorKind op, Object operand) {
            return op == UnaryOperatorKind.NOT ? !Boolean.TRUE.equals(operand) : operand;
        }

        @Override
        public Object visitMethodCall(MethodKind method, List<Object> parameters) throws ODataApplicationException {
            if (method == MethodKind.CONTAINS && parameters.size() == 2 && parameters.get(0) != null) {
                return parameters.get(0).toString().contains(String.valueOf(parameters.get(1)));
            }
            throw new ODataApplicationException("Function " + method + " is not supported.", 501, Locale.ROOT,
                    "BadRequest_NotSupported");
        }

        @Override
        public Object visitLambdaExpression(String f, String v, Expression e) throws ODataApplicationException {
            throw new ODataApplicationException("Lambda expressions are not supported.", 501, Locale.ROOT,
                    "BadRequest_NotSupported");
        }

        @Override
        public Object visitLiteral(Literal literal) throws ODataApplicationException {
            String text = literal.getText();
            EdmType type = literal.getType();
            if (type == null || text.equals("null")) {
                return null;
            }
            String name = type.getName();
            try {
                return switch (name) {
                    case "String" -> text.substring(1, text.length() - 1).replace("''", "'");
                    case "DateTimeOffset" -> Timestamp.from(java.time.OffsetDateTime.parse(text).toInstant());
                    case "Date" -> java.sql.Date.valueOf(LocalDate.parse(text));
                    case "Guid" -> UUID.fromString(text);
                    case "Boolean" -> Boolean.parseBoolean(text);
                    default -> new BigDecimal(text);
                };
            } catch (RuntimeException e) {
                throw new ODataApplicationException("Invalid literal " + text, 400, Locale.ROOT, "BadRequest_InvalidFilter");
            }
        }

        @Override
        public Object visitMember(Member member) {
            UriResource last = member.getResourcePath().getUriResourceParts()
                    .get(member.getResourcePath().getUriResourceParts().size() - 1);
            String name = last.getSegmentValue();
            return name.equals("id") ? row.id : row.values.get(name);
        }

        @Override
        public Object visitAlias(String alias) throws ODataApplicationException {
            throw new ODataApplicationException("Aliases are not supported.", 501, Locale.ROOT, "BadRequest_NotSupported");
        }

        @Override
        public Object visitTypeLiteral(EdmType type) throws ODataApplicationException {
            throw new ODataApplicationException("Type literals are not supported.", 501, Locale.ROOT,
                    "BadRequest_NotSupported");
        }

        @Override
        public Object visitLambdaReference(String name) throws ODataApplicationException {
            throw new ODataApplicationException("Lambda references are not supported.", 501, Locale.ROOT,
                    "BadRequest_NotSupported");
        }

        @Override
        public Object visitEnum(EdmEnumType type, List<String> values) throws ODataApplicationException {
            throw new ODataApplicationException("Enums are not supported.", 501, Locale.ROOT, "BadRequest_NotSupported");
        }

        @Override
        public Object visitBinaryOperator(BinaryOperatorKind op, Object left, List<Object> right)
                throws ODataApplicationException {
            if (op == BinaryOperatorKind.IN) {
                for (Object r : right) {
                    if (left != null && r != null && compare(left, r) == 0) {
                        return true;
                    }
                }
                return false;
            }
            throw new ODataApplicationException("Operator " + op + " is not supported.", 501, Locale.ROOT,
                    "BadRequest_NotSupported");
        }
    }
}
