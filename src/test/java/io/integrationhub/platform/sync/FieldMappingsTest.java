package io.integrationhub.platform.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.integrationhub.support.HubClient;

/** Per-connection mapping overrides: validated on PATCH, applied by the next sync. */
class FieldMappingsTest extends SyncTestBase {

    @Test
    void shouldRejectUnknownMappingKeysTransformsAndEntities() {
        Tenant t = tenantWith("xero");
        String path = "/api/v1/connections/" + t.connectionId();
        HubClient.Response badTransform = hub.patch(path, t.key(),
                "{\"config\":{\"mappings\":{\"invoice\":{\"total\":{\"path\":\"Total\",\"transform\":\"sqrt\"}}}}}");
        assertThat(badTransform.status()).isEqualTo(422);
        assertThat(badTransform.json().path("errors").get(0).path("field").asText())
                .isEqualTo("/config/mappings/invoice/total/transform");

        HubClient.Response badKey = hub.patch(path, t.key(),
                "{\"config\":{\"mappings\":{\"invoice\":{\"total\":{\"path\":\"Total\",\"round\":2}}}}}");
        assertThat(badKey.status()).isEqualTo(422);
        assertThat(badKey.json().path("errors").get(0).path("field").asText()).isEqualTo("/config/mappings/invoice/total/round");

        assertThat(hub.patch(path, t.key(), "{\"config\":{\"mappings\":{\"deal\":{\"x\":\"y\"}}}}").status()).isEqualTo(422);
        assertThat(hub.patch(path, t.key(), "{\"config\":{\"mappings\":{\"invoice\":{\"x\":{\"transform\":\"number\"}}}}}")
                .status()).isEqualTo(422);
    }

    @Test
    void shouldApplyRenamesConstantsFormatsAndLookupsOnTheNextSync() {
        Tenant t = tenantWith("xero");
        HubClient.Response patched = hub.patch("/api/v1/connections/" + t.connectionId(), t.key(), """
                {"config":{"mappings":{"invoice":{
                  "reference": "InvoiceNumber",
                  "source": {"constant": "xero"},
                  "issued": {"path": "DateString", "transform": "date", "pattern": "yyyy-MM-dd'T'HH:mm:ss"},
                  "amount": {"path": "Total", "transform": "number"},
                  "state": {"path": "Status", "transform": "lookup", "lookup": {"AUTHORISED": "open"}, "default": "other"},
                  "number": null
                }}}}""");
        assertThat(patched.status()).isEqualTo(200);
        PROVIDER.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/api.xro/2.0/Invoices"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(
                        SyncResilienceTest.xero(java.util.List.of(SyncResilienceTest.invoice(7, 70.5))))));

        awaitStatus(t, startSync(t, "{\"entity\":\"invoice\"}"), "succeeded");

        JsonNode data = records(t, "invoice", "").path("records").get(0).path("data");
        assertThat(data.path("reference").asText()).isEqualTo("INV-7");
        assertThat(data.path("source").asText()).isEqualTo("xero");
        assertThat(data.path("issued").asText()).isEqualTo("2026-01-08");
        assertThat(data.path("amount").decimalValue()).isEqualByComparingTo("70.5");
        assertThat(data.path("state").asText()).isEqualTo("open");
        assertThat(data.has("number")).isFalse();
        assertThat(data.path("status").asText()).isEqualTo("AUTHORISED");
    }
}
