package io.integrationhub.provider.businesscentral.sandbox;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.config.HubProperties;
import io.integrationhub.platform.oauth.ProviderSandbox;

/**
 * Business Central for the zero-setup profile: {@link BcODataService} (an Apache Olingo OData v4 server with BC's
 * entity shapes) seeded with a CRONUS-like company, served by {@code routes/business-central/sandbox.camel.yaml} at
 * {@code /sandbox/business-central-api/v2.0/<environment>/api/v2.0}, accepting the tokens the platform's OAuth
 * sandbox issued for {@code business-central} and any on-premises key ({@code <user>:<key>}, HTTP Basic). Kept in memory: a restart starts from the seed again. The bean
 * exists in every profile (the route refers to it); its route starts only with the sandbox.
 */
@Component("businessCentralSandbox")
public class BcSandbox {

    static final UUID COMPANY = UUID.fromString("f2a5738a-44e3-ea11-bb43-000d3a2feca1");
    private static final Pattern PATH = Pattern.compile(".*/sandbox/business-central-api/v2\\.0/([A-Za-z0-9_-]+)/api/v2\\.0(/.*)?");

    private final ProviderSandbox sandbox;
    private final String root;
    private BcODataService service;

    public BcSandbox(HubProperties hub, ProviderSandbox sandbox) {
        this.root = hub.getPublicUrl() + "/sandbox/business-central-api/v2.0";
        this.sandbox = sandbox;
    }

    /** The service, seeded on first use (the route only runs while the sandbox is on). */
    synchronized BcODataService service() {
        if (service == null) {
            // Online: tokens the platform's OAuth sandbox issued for business-central; on-premises: any
            // "<user>:<web service key>" (HTTP Basic), so the dashboard's key form connects too.
            service = new BcODataService(50, a -> a != null && (a.startsWith("Basic ")
                    || a.startsWith("Bearer ") && sandbox.issued("business-central", a.substring(7))));
            seed(service);
        }
        return service;
    }

    /** One request of the route: method, path below the environment's service root, query, headers, body. */
    public void handle(Exchange exchange) {
        Message in = exchange.getMessage();
        String uri = in.getHeader(Exchange.HTTP_URI, String.class);
        String path = uri == null ? "" : uri.replaceFirst("\\?.*", "");
        Matcher m = PATH.matcher(path);
        Map<String, String> headers = new LinkedHashMap<>();
        in.getHeaders().forEach((k, v) -> {
            if (v != null && !k.startsWith("Camel")) {
                headers.put(k, v.toString());
            }
        });
        BcODataService.Answer answer = m.matches()
                ? service().handle(in.getHeader(Exchange.HTTP_METHOD, "GET", String.class), root + "/" + m.group(1) + "/api/v2.0",
                        m.group(2) == null ? "/" : m.group(2), in.getHeader(Exchange.HTTP_QUERY, String.class), headers,
                        in.getBody(byte[].class))
                : new BcODataService.Answer(404, Map.of("Content-Type", "application/json"),
                        "{\"error\":{\"code\":\"BadRequest_NotFound\",\"message\":\"No HTTP resource was found.\"}}".getBytes());
        in.removeHeaders("*");
        in.setHeader(Exchange.HTTP_RESPONSE_CODE, answer.status());
        answer.headers().forEach(in::setHeader);
        in.setBody(answer.body());
    }

    static void seed(BcODataService s) {
        UUID c = s.addCompany(COMPANY, "CRONUS USA, Inc.");
        String[][] customers = {
            {"10000", "Adatum Corporation", "robert.townes@contoso.com", "Atlanta", "US"},
            {"20000", "Trey Research", "helen.ray@contoso.com", "Chicago", "US"},
            {"30000", "School of Fine Art", "meagan.bond@contoso.com", "Miami", "US"},
            {"40000", "Alpine Ski House", "ian.deberry@contoso.com", "Atlanta", "US"},
            {"50000", "Relecloud", "jesse.homer@contoso.com", "Miami", "US"},
        };
        Map<String, UUID> ids = new LinkedHashMap<>();
        for (String[] r : customers) {
            ids.put(r[0], s.put(c, "customers", Map.of("number", r[0], "displayName", r[1], "type", "Company",
                    "email", r[2], "city", r[3], "country", r[4], "currencyCode", "USD", "blocked", "_x0020_")));
        }
        String[][] items = {{"1896-S", "ATHENS Desk", "1000.8"}, {"1900-S", "PARIS Guest Chair, black", "192.8"},
            {"1906-S", "ATHENS Mobile Pedestal", "281.4"}, {"1908-S", "LONDON Swivel Chair, blue", "190.1"}};
        Map<String, UUID> itemIds = new LinkedHashMap<>();
        for (String[] r : items) {
            itemIds.put(r[0], s.put(c, "items", Map.of("number", r[0], "displayName", r[1], "type", "Inventory",
                    "blocked", false, "baseUnitOfMeasureCode", "PCS", "unitPrice", new BigDecimal(r[2]),
                    "inventory", new BigDecimal("10"))));
        }
        s.put(c, "vendors", Map.of("number", "10000", "displayName", "Fabrikam, Inc.", "email", "accounts@fabrikam.com",
                "city", "Atlanta", "country", "US", "currencyCode", "USD", "blocked", "_x0020_"));
        s.put(c, "vendors", Map.of("number", "20000", "displayName", "First Up Consultants", "email", "ap@firstup.com",
                "city", "Chicago", "country", "US", "currencyCode", "USD", "blocked", "_x0020_"));
        UUID order = s.put(c, "salesOrders", Map.of("number", "101001", "orderDate", java.sql.Date.valueOf(LocalDate.of(2026, 11, 30)),
                "customerId", ids.get("10000"), "customerNumber", "10000", "customerName", "Adatum Corporation",
                "currencyCode", "USD", "status", "Open", "totalAmountIncludingTax", new BigDecimal("2001.6")));
        s.putLine(c, order, Map.of("lineType", "Item", "itemId", itemIds.get("1896-S"), "lineObjectNumber", "1896-S",
                "description", "ATHENS Desk", "quantity", new BigDecimal("2"), "unitPrice", new BigDecimal("1000.8"),
                "netAmount", new BigDecimal("2001.6")));
        s.put(c, "salesInvoices", Map.of("number", "103001", "invoiceDate", java.sql.Date.valueOf(LocalDate.of(2026, 11, 2)),
                "dueDate", java.sql.Date.valueOf(LocalDate.of(2026, 12, 2)), "customerId", ids.get("20000"),
                "customerNumber", "20000", "customerName", "Trey Research", "currencyCode", "USD", "status", "Open",
                "totalAmountIncludingTax", new BigDecimal("385.6")));
    }
}
