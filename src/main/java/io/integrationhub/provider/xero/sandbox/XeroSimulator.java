package io.integrationhub.provider.xero.sandbox;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A wire-level Xero (shared/providers.md §2) for the zero-setup sandbox and for tests: {@code GET /connections} and
 * {@code DELETE /connections/{id}} (the grant's organisations), and below {@code /api.xro/2.0} Contacts (search by
 * {@code where}, create), Invoices (list with {@code where}, {@code page}/{@code pageSize}, {@code If-Modified-Since};
 * create by {@code PUT}, update by {@code POST /Invoices/{id}}; {@code Idempotency-Key}; {@code ValidationException}
 * answers with Xero's messages), attachments and Payments. Every Accounting call needs a bearer token of the grant
 * and its organisation's {@code xero-tenant-id}; dates come as {@code /Date(ms+0000)/} with ISO {@code …String}
 * variants; queued faults answer {@code 429} with {@code X-Rate-Limit-Problem} and {@code Retry-After}.
 * Plain Java (Jackson only): the hub serves it at {@code /sandbox/xero/api} ({@link XeroSandbox}), tests behind a JDK
 * HTTP server.
 */
public final class XeroSimulator {

    public record Request(String method, String path, String query, Map<String, String> headers, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public record Reply(int status, Map<String, String> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** One organisation: the Xero-side connection of a grant to it and its books. */
    public static final class Organisation {
        final String tenantId;
        final String name;
        final String connectionId = UUID.randomUUID().toString();
        final String connectedAt;
        volatile boolean connected = true;
        final Map<String, ObjectNode> contacts = new ConcurrentHashMap<>();
        final Map<String, ObjectNode> invoices = new ConcurrentHashMap<>();
        final Map<String, ObjectNode> payments = new ConcurrentHashMap<>();
        final Map<String, Map<String, byte[]>> attachments = new ConcurrentHashMap<>();

        Organisation(String tenantId, String name) {
            this.tenantId = tenantId;
            this.name = name;
            this.connectedAt = LocalDate.now(ZoneOffset.UTC) + "T09:30:00.0000000";
        }

        public String tenantId() {
            return tenantId;
        }

        public String connectionId() {
            return connectionId;
        }

        public boolean connected() {
            return connected;
        }

        public List<ObjectNode> invoices() {
            return List.copyOf(invoices.values());
        }

        public List<ObjectNode> contacts() {
            return List.copyOf(contacts.values());
        }

        public Map<String, byte[]> attachments(String invoiceId) {
            return attachments.getOrDefault(invoiceId, Map.of());
        }
    }

    static final Set<String> ACCOUNT_CODES = Set.of("090", "200", "260", "300", "310", "400", "429", "453", "800");
    static final Set<String> TAX_TYPES = Set.of("OUTPUT2", "INPUT2", "NONE", "EXEMPTOUTPUT", "EXEMPTINPUT", "OUTPUT", "INPUT");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/api.xro/2.0";
    private static final Pattern WHERE = Pattern.compile("^\\s*(\\w+)\\s*==\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*$");
    private static final Pattern ONE = Pattern.compile("/(Invoices|Contacts)/([0-9a-fA-F-]{36})");
    private static final Pattern ATTACHMENT = Pattern.compile("/Invoices/([0-9a-fA-F-]{36})/Attachments/([^/]+)");

    private final Map<String, Organisation> organisations = new ConcurrentHashMap<>();
    private final Function<String, List<String>> grantOf;
    private final Map<String, Reply> idempotent = new ConcurrentHashMap<>();
    private final Deque<Reply> faults = new ConcurrentLinkedDeque<>();
    private final List<Map.Entry<java.util.function.Predicate<Request>, Reply>> faultsOn = new CopyOnWriteArrayList<>();
    private final List<Request> calls = new CopyOnWriteArrayList<>();
    private volatile Duration autoPay;
    private long last;

    /**
     * @param grantOf the tenantIds an access token's grant reaches (empty: the token is not valid)
     */
    public XeroSimulator(Function<String, List<String>> grantOf) {
        this.grantOf = grantOf;
    }

    /** The sandbox's books: two organisations with customers, suppliers, invoices, a bill and a payment. */
    public static XeroSimulator sandbox(Function<String, Boolean> issued) {
        List<String> both = List.of("00000000-0000-4000-8000-00000000beef", "00000000-0000-4000-8000-00000000cafe");
        XeroSimulator sim = new XeroSimulator(token -> Boolean.TRUE.equals(issued.apply(token)) ? both : List.of());
        Organisation demo = sim.organisation(both.get(0), "Sandbox Company (NZ)");
        sim.organisation(both.get(1), "Sandbox Trading Ltd");
        String ridgeway = sim.contact(demo.tenantId, "Ridgeway University", "CUST-001", "accounts@ridgeway.example");
        String bayside = sim.contact(demo.tenantId, "Bayside Club", "CUST-002", "treasurer@bayside.example");
        String supplier = sim.contact(demo.tenantId, "PowerDirect", "SUP-001", "billing@powerdirect.example");
        String paid = sim.seedInvoice(demo, "ACCREC", "INV-0001", ridgeway, "AUTHORISED", 1200);
        sim.seedInvoice(demo, "ACCREC", "INV-0002", bayside, "AUTHORISED", 480);
        sim.seedInvoice(demo, "ACCREC", "INV-0003", ridgeway, "DRAFT", 75);
        sim.seedInvoice(demo, "ACCPAY", "PD-7781", supplier, "AUTHORISED", 310);
        sim.pay(demo.tenantId, paid, new BigDecimal("1380.00"));
        // Approved invoices the hub pushes are paid in full a minute later, so "Sync payments now" shows it.
        sim.autoPay(Duration.ofMinutes(1));
        return sim;
    }

    public Organisation organisation(String tenantId, String name) {
        return organisations.computeIfAbsent(tenantId, id -> new Organisation(id, name));
    }

    public Organisation organisation(String tenantId) {
        return organisations.get(tenantId);
    }

    /** Approved invoices are paid in full once they are this old (sandbox), or never (null). */
    public void autoPay(Duration after) {
        this.autoPay = after;
    }

    public List<Request> calls() {
        return List.copyOf(calls);
    }

    public void clearCalls() {
        calls.clear();
    }

    /** The next Accounting answers, in order, before the normal ones. */
    public void fail(Reply... next) {
        faults.addAll(List.of(next));
    }

    /** Answers {@code reply} once, to the first Accounting call {@code when} matches. */
    public void failOn(java.util.function.Predicate<Request> when, Reply reply) {
        faultsOn.add(Map.entry(when, reply));
    }

    public void clearFaults() {
        faults.clear();
        faultsOn.clear();
    }

    /** Xero's 429: {@code problem} is {@code minute}, {@code day}, {@code concurrent} or {@code appminute}. */
    public static Reply rateLimited(String problem, long retryAfterSeconds) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Rate-Limit-Problem", problem);
        headers.put("Retry-After", Long.toString(retryAfterSeconds));
        return new Reply(429, headers, ("{\"Title\":\"Too Many Requests\",\"Status\":429,\"Detail\":\"Rate limit exceeded: "
                + problem + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    public String contact(String tenantId, String name, String number, String email) {
        ObjectNode c = JSON.createObjectNode();
        String id = UUID.randomUUID().toString();
        c.put("ContactID", id).put("ContactNumber", number).put("ContactStatus", "ACTIVE").put("Name", name)
                .put("EmailAddress", email).put("IsSupplier", false).put("IsCustomer", true)
                .put("UpdatedDateUTC", msDate(tick()));
        c.putArray("Addresses");
        organisations.get(tenantId).contacts.put(id, c);
        return id;
    }

    private String seedInvoice(Organisation org, String type, String number, String contactId, String status, int amount) {
        ObjectNode in = JSON.createObjectNode().put("Type", type).put("InvoiceNumber", number).put("Status", status)
                .put("Date", LocalDate.now(ZoneOffset.UTC).minusDays(20).toString())
                .put("DueDate", LocalDate.now(ZoneOffset.UTC).plusDays(10).toString()).put("CurrencyCode", "NZD")
                .put("LineAmountTypes", "Exclusive");
        in.putObject("Contact").put("ContactID", contactId);
        in.putArray("LineItems").addObject().put("Description", "Services " + number).put("Quantity", 1)
                .put("UnitAmount", amount).put("AccountCode", "ACCPAY".equals(type) ? "429" : "200")
                .put("TaxType", "ACCPAY".equals(type) ? "INPUT2" : "OUTPUT2");
        ObjectNode created = JSON.createObjectNode();
        write(org, in, null, created);
        // Only what the hub pushes gets paid by itself (autoPay); the seeded books stay as they are.
        org.invoices.get(created.path("InvoiceID").asText()).remove("AuthorisedAt");
        return created.path("InvoiceID").asText();
    }

    /** A payment of {@code amount} on an invoice, as if entered in Xero; returns its PaymentID. */
    public synchronized String pay(String tenantId, String invoiceId, BigDecimal amount) {
        Organisation org = organisations.get(tenantId);
        ObjectNode invoice = org.invoices.get(invoiceId);
        String id = UUID.randomUUID().toString();
        Instant now = tick();
        ObjectNode p = JSON.createObjectNode();
        p.put("PaymentID", id).put("Date", msDate(now)).put("Amount", amount).put("BankAmount", amount)
                .put("Reference", "Payment " + invoice.path("InvoiceNumber").asText()).put("CurrencyRate", 1)
                .put("PaymentType", "ACCPAY".equals(invoice.path("Type").asText()) ? "ACCPAYPAYMENT" : "ACCRECPAYMENT")
                .put("Status", "AUTHORISED").put("UpdatedDateUTC", msDate(now)).put("IsReconciled", false);
        p.putObject("Account").put("AccountID", "ceef66a5-a545-413b-9312-78a53caadbc4").put("Code", "090");
        p.putObject("Invoice").put("Type", invoice.path("Type").asText()).put("InvoiceID", invoiceId)
                .put("InvoiceNumber", invoice.path("InvoiceNumber").asText())
                .put("CurrencyCode", invoice.path("CurrencyCode").asText())
                .set("Contact", invoice.get("Contact").deepCopy());
        org.payments.put(id, p);
        settle(invoice, amount, now);
        return id;
    }

    /** Voids a payment as a Xero user would (Status DELETED); its invoice is due again. */
    public synchronized void voidPayment(String tenantId, String paymentId) {
        Organisation org = organisations.get(tenantId);
        ObjectNode p = org.payments.get(paymentId);
        Instant now = tick();
        p.put("Status", "DELETED").put("UpdatedDateUTC", msDate(now));
        settle(org.invoices.get(p.path("Invoice").path("InvoiceID").asText()), p.path("Amount").decimalValue().negate(), now);
    }

    private static void settle(ObjectNode invoice, BigDecimal amount, Instant now) {
        BigDecimal paid = invoice.path("AmountPaid").decimalValue().add(amount);
        BigDecimal due = invoice.path("Total").decimalValue().subtract(paid);
        invoice.put("AmountPaid", paid).put("AmountDue", due).put("UpdatedDateUTC", msDate(now));
        if (due.signum() == 0) {
            invoice.put("Status", "PAID").put("FullyPaidOnDate", msDate(now));
        } else {
            invoice.put("Status", "AUTHORISED").remove("FullyPaidOnDate");
        }
        ArrayNode payments = invoice.putArray("Payments");
        payments.addObject().put("Amount", paid);
    }

    /** An invoice changed in Xero by a user (its reference), for webhook tests. */
    public void editReference(String tenantId, String invoiceId, String reference) {
        organisations.get(tenantId).invoices.get(invoiceId).put("Reference", reference).put("UpdatedDateUTC", msDate(tick()));
    }

    public Reply handle(Request request) {
        calls.add(request);
        String token = bearer(request.header("Authorization"));
        List<String> grant = token == null ? List.of() : grantOf.apply(token);
        if (grant == null || grant.isEmpty()) {
            return problem(401, "Unauthorized", "AuthenticationUnsuccessful");
        }
        String path = request.path();
        if (path.equals("/connections") && request.method().equals("GET")) {
            ArrayNode list = JSON.createArrayNode();
            grant.stream().map(organisations::get).filter(o -> o != null && o.connected).forEach(o -> list.addObject()
                    .put("id", o.connectionId).put("authEventId", UUID.nameUUIDFromBytes(token.getBytes(StandardCharsets.UTF_8)).toString())
                    .put("tenantId", o.tenantId).put("tenantType", "ORGANISATION").put("tenantName", o.name)
                    .put("createdDateUtc", o.connectedAt).put("updatedDateUtc", o.connectedAt));
            return json(200, list);
        }
        if (path.startsWith("/connections/") && request.method().equals("DELETE")) {
            String id = path.substring("/connections/".length());
            Organisation o = grant.stream().map(organisations::get)
                    .filter(org -> org != null && org.connected && org.connectionId.equals(id)).findFirst().orElse(null);
            if (o == null) {
                return problem(404, "Not Found", "The connection was not found");
            }
            o.connected = false;
            return new Reply(204, Map.of(), new byte[0]);
        }
        if (!path.startsWith(API + "/")) {
            return problem(404, "Not Found", "The resource you're looking for cannot be found");
        }
        String tenantId = request.header("xero-tenant-id");
        Organisation org = tenantId == null ? null : organisations.get(tenantId);
        if (org == null || !org.connected || !grant.contains(tenantId)) {
            return problem(403, "Forbidden", "AuthenticationUnsuccessful");
        }
        Reply fault = faults.poll();
        if (fault != null) {
            return fault;
        }
        for (Map.Entry<java.util.function.Predicate<Request>, Reply> on : faultsOn) {
            if (on.getKey().test(request) && faultsOn.remove(on)) {
                return on.getValue();
            }
        }
        String key = request.header("Idempotency-Key");
        if (key != null && !request.method().equals("GET")) {
            Reply first = idempotent.get(tenantId + ":" + key);
            if (first != null) {
                return first;
            }
        }
        Reply reply = accounting(org, request, path.substring(API.length()));
        if (key != null && !request.method().equals("GET") && reply.status() < 500) {
            idempotent.putIfAbsent(tenantId + ":" + key, reply);
        }
        return reply;
    }

    private synchronized Reply accounting(Organisation org, Request request, String path) {
        payDue(org);
        String method = request.method();
        Map<String, String> query = query(request.query());
        Matcher one = ONE.matcher(path);
        Matcher attachment = ATTACHMENT.matcher(path);
        try {
            if (method.equals("GET") && path.equals("/Invoices")) {
                return list("Invoices", org.invoices.values(), request, query);
            }
            if (method.equals("GET") && path.equals("/Payments")) {
                return list("Payments", org.payments.values(), request, query);
            }
            if (method.equals("GET") && path.equals("/Contacts")) {
                return list("Contacts", org.contacts.values(), request, query);
            }
            if (method.equals("GET") && one.matches()) {
                ObjectNode found = ("Invoices".equals(one.group(1)) ? org.invoices : org.contacts).get(one.group(2));
                return found == null ? problem(404, "Not Found", "The resource you're looking for cannot be found")
                        : envelope(one.group(1), List.of(found), null);
            }
            if (method.equals("PUT") && path.equals("/Contacts")) {
                return createContacts(org, read(request));
            }
            if ((method.equals("PUT") || method.equals("POST")) && path.equals("/Invoices")) {
                return writeInvoices(org, read(request), null, method.equals("PUT"));
            }
            if (method.equals("POST") && one.matches() && "Invoices".equals(one.group(1))) {
                if (!org.invoices.containsKey(one.group(2))) {
                    return problem(404, "Not Found", "The resource you're looking for cannot be found");
                }
                return writeInvoices(org, read(request), one.group(2), false);
            }
            if ((method.equals("PUT") || method.equals("POST")) && attachment.matches()) {
                return attach(org, attachment.group(1), URLDecoder.decode(attachment.group(2), StandardCharsets.UTF_8), request);
            }
        } catch (IllegalArgumentException e) {
            return problem(400, "Bad Request", e.getMessage());
        }
        return problem(404, "Not Found", "The resource you're looking for cannot be found");
    }

    private void payDue(Organisation org) {
        Duration after = autoPay;
        if (after == null) {
            return;
        }
        Instant due = Instant.now().minus(after);
        for (ObjectNode invoice : List.copyOf(org.invoices.values())) {
            if ("AUTHORISED".equals(invoice.path("Status").asText()) && invoice.path("AmountPaid").decimalValue().signum() == 0
                    && invoice.has("AuthorisedAt") && Instant.parse(invoice.path("AuthorisedAt").asText()).isBefore(due)) {
                pay(org.tenantId, invoice.path("InvoiceID").asText(), invoice.path("AmountDue").decimalValue());
            }
        }
    }

    private Reply list(String name, java.util.Collection<ObjectNode> all, Request request, Map<String, String> query) {
        Instant since = modifiedSince(request.header("If-Modified-Since"));
        String where = query.get("where");
        Matcher clause = where == null ? null : WHERE.matcher(where);
        if (clause != null && !clause.matches()) {
            throw new IllegalArgumentException("The where clause could not be parsed: " + where);
        }
        List<ObjectNode> matching = new ArrayList<>();
        for (ObjectNode o : all) {
            if (since != null && !instant(o.path("UpdatedDateUTC").asText()).isAfter(since)) {
                continue;
            }
            if (clause != null && !o.path(clause.group(1)).asText("").equalsIgnoreCase(clause.group(2).replace("\\\"", "\""))) {
                continue;
            }
            matching.add(o);
        }
        matching.sort(Comparator.comparing((ObjectNode o) -> instant(o.path("UpdatedDateUTC").asText())));
        int pageSize = Math.min(1000, Integer.parseInt(query.getOrDefault("pageSize", "100")));
        int page = Integer.parseInt(query.getOrDefault("page", "1"));
        if (page < 1 || pageSize < 1) {
            throw new IllegalArgumentException("page and pageSize must be positive");
        }
        int from = Math.min(matching.size(), (page - 1) * pageSize);
        int to = Math.min(matching.size(), from + pageSize);
        ObjectNode pagination = JSON.createObjectNode().put("page", page).put("pageSize", pageSize)
                .put("pageCount", (matching.size() + pageSize - 1) / pageSize).put("itemCount", matching.size());
        return envelope(name, matching.subList(from, to), pagination);
    }

    private Reply createContacts(Organisation org, JsonNode body) {
        List<ObjectNode> created = new ArrayList<>();
        for (JsonNode c : body.path("Contacts")) {
            String name = c.path("Name").asText("").trim();
            List<String> errors = new ArrayList<>();
            if (name.isEmpty()) {
                errors.add("The contact name must be specified.");
            } else if (org.contacts.values().stream().anyMatch(o -> o.path("Name").asText().equalsIgnoreCase(name))) {
                errors.add("The contact name " + name + " is already assigned to another contact. The contact name must be "
                        + "unique across all active contacts.");
            }
            if (!errors.isEmpty()) {
                return validation(c, errors);
            }
            String id = contact(org.tenantId, name, c.path("ContactNumber").asText(null), c.path("EmailAddress").asText(null));
            ObjectNode stored = org.contacts.get(id);
            if (c.hasNonNull("FirstName")) {
                stored.put("FirstName", c.get("FirstName").asText());
            }
            if (c.hasNonNull("LastName")) {
                stored.put("LastName", c.get("LastName").asText());
            }
            created.add(stored);
        }
        return envelope("Contacts", created, null);
    }

    private Reply writeInvoices(Organisation org, JsonNode body, String pathId, boolean createOnly) {
        List<ObjectNode> written = new ArrayList<>();
        for (JsonNode in : body.path("Invoices")) {
            String id = pathId != null ? pathId : in.path("InvoiceID").asText(null);
            if (createOnly && id != null) {
                return validation(in, List.of("InvoiceID may not be given when creating an invoice (PUT)."));
            }
            ObjectNode out = JSON.createObjectNode();
            List<String> errors = write(org, in, id, out);
            if (!errors.isEmpty()) {
                return validation(in, errors);
            }
            written.add(out);
        }
        return envelope("Invoices", written, null);
    }

    /** Creates or updates one invoice; answers Xero's validation messages, or none and fills {@code out}. */
    private List<String> write(Organisation org, JsonNode in, String id, ObjectNode out) {
        ObjectNode existing = id == null ? null : org.invoices.get(id);
        List<String> errors = new ArrayList<>();
        if (id != null && existing == null) {
            errors.add("Invoice " + id + " could not be found.");
            return errors;
        }
        String status = in.path("Status").asText(existing != null ? existing.path("Status").asText() : "DRAFT");
        if (existing != null) {
            String was = existing.path("Status").asText();
            if (Set.of("PAID", "VOIDED", "DELETED").contains(was)) {
                errors.add("This document cannot be edited as it has a status of " + was + ".");
            } else if ("AUTHORISED".equals(was) && Set.of("DRAFT", "SUBMITTED").contains(status)) {
                errors.add("Invoice not of valid status for modification. An AUTHORISED invoice cannot go back to " + status + ".");
            }
        }
        String type = in.path("Type").asText(existing != null ? existing.path("Type").asText() : "");
        if (!Set.of("ACCREC", "ACCPAY").contains(type)) {
            errors.add("Invoice Type must be specified (ACCREC or ACCPAY).");
        }
        String contactId = in.path("Contact").path("ContactID").asText(existing != null
                ? existing.path("Contact").path("ContactID").asText() : "");
        ObjectNode contact = org.contacts.get(contactId);
        if (contact == null) {
            errors.add("A Contact must be specified with this type of transaction");
        }
        JsonNode lines = in.has("LineItems") ? in.get("LineItems") : existing != null ? existing.get("LineItems") : null;
        if (lines == null || !lines.isArray() || lines.isEmpty()) {
            errors.add("One or more line items must be specified");
        }
        String number = in.path("InvoiceNumber").asText(existing != null ? existing.path("InvoiceNumber").asText(null) : null);
        if ("ACCREC".equals(type) && number != null && org.invoices.values().stream().anyMatch(o -> !o.path("InvoiceID")
                .asText().equals(id) && "ACCREC".equals(o.path("Type").asText()) && number.equals(o.path("InvoiceNumber").asText()))) {
            errors.add("Invoice # must be unique.");
        }
        String amountTypes = in.path("LineAmountTypes").asText(existing != null ? existing.path("LineAmountTypes").asText() : "Exclusive");
        ArrayNode items = JSON.createArrayNode();
        BigDecimal subTotal = BigDecimal.ZERO;
        BigDecimal tax = BigDecimal.ZERO;
        if (lines != null) {
            for (JsonNode l : lines) {
                String account = l.path("AccountCode").asText(null);
                if (account != null && !ACCOUNT_CODES.contains(account)) {
                    errors.add("Account code '" + account + "' is not a valid code for this document.");
                }
                String taxType = l.path("TaxType").asText("ACCPAY".equals(type) ? "INPUT2" : "OUTPUT2");
                if (!TAX_TYPES.contains(taxType)) {
                    errors.add("The TaxType code '" + taxType + "' does not exist or cannot be used for this type of transaction.");
                }
                BigDecimal qty = l.has("Quantity") ? l.get("Quantity").decimalValue() : BigDecimal.ONE;
                BigDecimal unit = l.path("UnitAmount").decimalValue();
                BigDecimal amount = qty.multiply(unit).setScale(2, RoundingMode.HALF_UP);
                BigDecimal lineTax = "NoTax".equals(amountTypes) || !Set.of("OUTPUT2", "INPUT2").contains(taxType)
                        ? BigDecimal.ZERO : amount.multiply(new BigDecimal("0.15")).setScale(2, RoundingMode.HALF_UP);
                subTotal = subTotal.add(amount);
                tax = tax.add(lineTax);
                ObjectNode item = items.addObject().put("LineItemID", UUID.randomUUID().toString())
                        .put("Description", l.path("Description").asText("")).put("Quantity", qty).put("UnitAmount", unit)
                        .put("TaxType", taxType).put("TaxAmount", lineTax).put("LineAmount", amount);
                if (account != null) {
                    item.put("AccountCode", account);
                }
                if (l.hasNonNull("ItemCode")) {
                    item.put("ItemCode", l.get("ItemCode").asText());
                }
            }
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        Instant now = tick();
        String invoiceId = id != null ? id : UUID.randomUUID().toString();
        ObjectNode stored = existing != null ? existing : JSON.createObjectNode();
        LocalDate date = day(in, "Date", existing, LocalDate.now(ZoneOffset.UTC));
        LocalDate dueDate = day(in, "DueDate", existing, date.plusDays(20));
        BigDecimal total = subTotal.add(tax);
        BigDecimal paid = existing != null ? existing.path("AmountPaid").decimalValue() : BigDecimal.ZERO;
        stored.put("Type", type).put("InvoiceID", invoiceId)
                .put("InvoiceNumber", number != null ? number : ("ACCREC".equals(type) ? "INV-" + (1000 + org.invoices.size()) : ""))
                .put("Reference", in.path("Reference").asText(existing != null ? existing.path("Reference").asText("") : ""))
                .put("Date", msDate(date.atStartOfDay(ZoneOffset.UTC).toInstant())).put("DateString", date + "T00:00:00")
                .put("DueDate", msDate(dueDate.atStartOfDay(ZoneOffset.UTC).toInstant())).put("DueDateString", dueDate + "T00:00:00")
                .put("Status", status).put("LineAmountTypes", amountTypes)
                .put("SubTotal", subTotal).put("TotalTax", tax).put("Total", total)
                .put("AmountPaid", paid).put("AmountDue", total.subtract(paid)).put("AmountCredited", 0)
                .put("CurrencyCode", in.path("CurrencyCode").asText(existing != null ? existing.path("CurrencyCode").asText() : "NZD"))
                .put("UpdatedDateUTC", msDate(now)).put("HasAttachments", existing != null && existing.path("HasAttachments").asBoolean());
        stored.set("Contact", JSON.createObjectNode().put("ContactID", contact.path("ContactID").asText())
                .put("Name", contact.path("Name").asText()).put("ContactNumber", contact.path("ContactNumber").asText(null))
                .put("EmailAddress", contact.path("EmailAddress").asText(null)));
        stored.set("LineItems", items);
        if (!stored.has("Payments")) {
            stored.putArray("Payments");
        }
        if ("AUTHORISED".equals(status) && !stored.has("AuthorisedAt")) {
            stored.put("AuthorisedAt", now.toString());
        }
        if ("ACCPAY".equals(type)) {
            contact.put("IsSupplier", true);
        }
        org.invoices.put(invoiceId, stored);
        ObjectNode shown = stored.deepCopy();
        shown.remove("AuthorisedAt");
        out.setAll(shown);
        return errors;
    }

    private Reply attach(Organisation org, String invoiceId, String fileName, Request request) {
        ObjectNode invoice = org.invoices.get(invoiceId);
        if (invoice == null) {
            return problem(404, "Not Found", "The resource you're looking for cannot be found");
        }
        byte[] bytes = request.body() == null ? new byte[0] : request.body();
        if (bytes.length == 0) {
            throw new IllegalArgumentException("The attachment has no content.");
        }
        org.attachments.computeIfAbsent(invoiceId, k -> new ConcurrentHashMap<>()).put(fileName, bytes);
        invoice.put("HasAttachments", true).put("UpdatedDateUTC", msDate(tick()));
        ObjectNode a = JSON.createObjectNode();
        a.putArray("Attachments").addObject().put("AttachmentID", UUID.randomUUID().toString()).put("FileName", fileName)
                .put("Url", "https://api.xero.com/api.xro/2.0/Invoices/" + invoiceId + "/Attachments/" + fileName)
                .put("MimeType", request.header("Content-Type") == null ? "application/octet-stream" : request.header("Content-Type"))
                .put("ContentLength", bytes.length);
        return json(200, a);
    }

    private static LocalDate day(JsonNode in, String field, ObjectNode existing, LocalDate fallback) {
        String given = in.path(field).asText(null);
        if (given != null && !given.isBlank()) {
            try {
                return LocalDate.parse(given.length() > 10 ? given.substring(0, 10) : given);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(field + " '" + given + "' is not a date (yyyy-MM-dd)");
            }
        }
        if (existing != null && existing.hasNonNull(field + "String")) {
            return LocalDate.parse(existing.get(field + "String").asText().substring(0, 10));
        }
        return fallback;
    }

    private Reply envelope(String name, List<ObjectNode> items, ObjectNode pagination) {
        ObjectNode answer = JSON.createObjectNode().put("Id", UUID.randomUUID().toString()).put("Status", "OK")
                .put("ProviderName", "Integration Hub").put("DateTimeUTC", msDate(Instant.now()));
        if (pagination != null) {
            answer.set("pagination", pagination);
        }
        ArrayNode list = answer.putArray(name);
        items.forEach(i -> {
            ObjectNode shown = i.deepCopy();
            shown.remove("AuthorisedAt");
            list.add(shown);
        });
        return json(200, answer);
    }

    private static Reply validation(JsonNode element, List<String> messages) {
        ObjectNode body = JSON.createObjectNode().put("ErrorNumber", 10).put("Type", "ValidationException")
                .put("Message", "A validation exception occurred");
        ObjectNode el = body.putArray("Elements").addObject();
        if (element != null && element.isObject()) {
            el.setAll((ObjectNode) element.deepCopy());
        }
        ArrayNode v = el.putArray("ValidationErrors");
        messages.forEach(m -> v.addObject().put("Message", m));
        return json(400, body);
    }

    private static Reply problem(int status, String title, String detail) {
        return json(status, JSON.createObjectNode().put("Type", (String) null).put("Title", title).put("Status", status)
                .put("Detail", detail));
    }

    private static Reply json(int status, JsonNode body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("X-DayLimit-Remaining", "4990");
        headers.put("X-MinLimit-Remaining", "59");
        headers.put("X-AppMinLimit-Remaining", "9999");
        return new Reply(status, headers, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode read(Request request) {
        try {
            return request.body() == null || request.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(request.body());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("The request body is not JSON");
        }
    }

    private static String bearer(String authorization) {
        return authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** If-Modified-Since as Xero takes it: ISO 8601 (with or without offset) or an HTTP date. */
    static Instant modifiedSince(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                return java.time.LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notLocal) {
                return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            }
        }
    }

    static String msDate(Instant at) {
        return "/Date(" + at.toEpochMilli() + "+0000)/";
    }

    static Instant instant(String msDate) {
        return Instant.ofEpochMilli(Long.parseLong(msDate.substring(6, msDate.indexOf('+', 6) > 0 ? msDate.indexOf('+', 6)
                : msDate.indexOf(')'))));
    }

    /** Strictly increasing times near the real clock, so If-Modified-Since tells every change apart. */
    private synchronized Instant tick() {
        long now = Math.max(System.currentTimeMillis(), last + 1);
        last = now;
        return Instant.ofEpochMilli(now);
    }
}
