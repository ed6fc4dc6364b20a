package io.integrationhub.routes;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import io.integrationhub.provider.businesscentral.BcFake;

class BcProbeTest {
    @Test
    void probe() throws Exception {
        BcFake fake = new BcFake(2);
        UUID c = fake.service().addCompany("CRONUS");
        for (int i = 0; i < 5; i++) {
            fake.service().put(c, "customers", Map.of("displayName", "Cust " + i, "number", "C" + i));
        }
        UUID o = fake.service().put(c, "salesOrders", Map.of("number", "S1", "customerNumber", "C1"));
        fake.service().putLine(c, o, Map.of("description", "Bike", "quantity", new java.math.BigDecimal("2")));
        String token = fake.issue();
        CamelContext ctx = new DefaultCamelContext();
        ctx.start();
        ProducerTemplate t = ctx.createProducerTemplate();
        String svc = fake.apiUrl() + "/production/api/v2.0";
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("CamelOlingo4.endpointHttpHeaders", Map.of("Authorization", "Bearer " + token));
        h.put("CamelOlingo4.resourcePath", "companies(" + c + ")/customers");
        Map<String, String> q = new LinkedHashMap<>();
        q.put("$filter", "lastModifiedDateTime gt 2020-01-01T00:00:00Z");
        q.put("$select", "id,number,displayName,lastModifiedDateTime");
        h.put("CamelOlingo4.queryParams", q);
        Object r = t.requestBodyAndHeaders("olingo4://uread?serviceUri=" + svc, null, h);
        System.out.println("PAGE1 " + new String(((InputStream) r).readAllBytes()));
        h.put("CamelOlingo4.resourcePath", "companies(" + c + ")/salesOrders");
        h.put("CamelOlingo4.queryParams", Map.of("$expand", "salesOrderLines"));
        r = t.requestBodyAndHeaders("olingo4://uread?serviceUri=" + svc, null, h);
        System.out.println("ORDERS " + new String(((InputStream) r).readAllBytes()));
        h.remove("CamelOlingo4.queryParams");
        h.put("CamelOlingo4.resourcePath", "companies(" + c + ")/customers");
        String id = fake.service().calls().isEmpty() ? null : null;
        UUID cid = fake.service().put(c, "customers", Map.of("displayName", "X"));
        h.put("CamelOlingo4.resourcePath", "companies(" + c + ")/customers(" + cid + ")");
        h.put("CamelOlingo4.endpointHttpHeaders", Map.of("Authorization", "Bearer " + token, "If-Match", fake.service().etag(c, "customers", cid)));
        try {
            t.requestBodyAndHeaders("olingo4://patch?serviceUri=" + svc, "{\"displayName\":\"Again\"}", h);
        } catch (Exception e) {
            Throwable x = e; while (x.getCause() != null && x.getCause() != x) x = x.getCause();
            System.out.println("PATCHERR " + x.getClass() + " " + x);
        }
        fake.service().failNext(429, "Application_TooManyRequests", 1);
        try {
            h.put("CamelOlingo4.resourcePath", "companies(" + c + ")/customers");
            t.requestBodyAndHeaders("olingo4://uread?serviceUri=" + svc, null, h);
        } catch (Exception e) {
            Throwable x = e; while (x.getCause() != null && x.getCause() != x) x = x.getCause();
            System.out.println("429 " + x.getClass() + " " + x);
        }
        fake.service().calls().forEach(cl -> System.out.println("CALL " + cl));
        ctx.stop();
    }
}
