package io.integrationhub.platform.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import db.migration.V31__Field_mappings_in_jsonata;
import io.integrationhub.support.HubClient;

/**
 * Per-connection mapping overrides (JSONata over {@code {data, raw}}): validated on PATCH, applied by the next sync;
 * configs stored in the former rule language are rewritten by migration V31 into JSONata giving the same records.
 */
class FieldMappingsTest extends SyncTestBase {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The former rule language's overrides of {@link #shouldApplyRenamesConstantsFormatsAndLookupsOnTheNextSync}. */
    private static final String OLD_RULES = """
            {"mappings":{"invoice":{
              "reference": "InvoiceNumber",
              "source": {"constant": "xero"},
              "issued": {"path": "DateString", "transform": "date", "pattern": "yyyy-MM-dd'T'HH:mm:ss"},
              "amount": {"path": "Total", "transform": "number"},
              "state": {"path": "Status", "transform": "lookup", "lookup": {"AUTHORISED": "open"}, "default": "other"},
              "number": null
            }}}""";

    private static String config(String entity, String expression) {
        return JSON.createObjectNode().set("config", JSON.createObjectNode().set("mappings",
                JSON.createObjectNode().put(entity, expression))).toString();
    }

    @Test
    void shouldRejectExpressionsThatDoNotParseOldRuleObjectsAndUnknownEntities() {
        Tenant t = tenantWith("xero");
        String path = "/api/v1/connections/" + t.connectionId();
        HubClient.Response broken = hub.patch(path, t.key(), config("invoice", "$merge([data, {\"total\": raw.Total +}])"));
        assertThat(broken.status()).isEqualTo(422);
        JsonNode error = broken.json().path("errors").get(0);
        assertThat(error.path("field").asText()).isEqualTo("/config/mappings/invoice");
        assertThat(error.path("message").asText()).startsWith("not a JSONata expression: ").contains("S0211");

        HubClient.Response unfinished = hub.patch(path, t.key(), config("invoice", "$number("));
        assertThat(unfinished.status()).isEqualTo(422);
        assertThat(unfinished.json().path("errors").get(0).path("field").asText()).isEqualTo("/config/mappings/invoice");

        HubClient.Response old = hub.patch(path, t.key(),
                "{\"config\":{\"mappings\":{\"invoice\":{\"total\":{\"path\":\"Total\",\"transform\":\"number\"}}}}}");
        assertThat(old.status()).isEqualTo(422);
        assertThat(old.json().path("errors").get(0).path("field").asText()).isEqualTo("/config/mappings/invoice");
        assertThat(old.json().path("errors").get(0).path("message").asText()).contains("JSONata", "raw.`Total`");

        assertThat(hub.patch(path, t.key(), config("deal", "data")).status()).isEqualTo(422);
        assertThat(hub.patch(path, t.key(), "{\"config\":{\"mappings\":{\"invoice\":42}}}").status()).isEqualTo(422);
        assertThat(hub.get(path, t.key()).json().path("config").has("mappings")).as("nothing refused was stored").isFalse();
    }

    @Test
    void shouldRemoveAnOverrideWithNull() {
        Tenant t = tenantWith("xero");
        String path = "/api/v1/connections/" + t.connectionId();
        assertThat(hub.patch(path, t.key(), config("invoice", "data")).status()).isEqualTo(200);
        assertThat(hub.get(path, t.key()).json().path("config").path("mappings").has("invoice")).isTrue();

        // The document types an override as "any value" (OpenAPI 3.0 has no "string or null"): null still passes.
        HubClient.Response removed = hub.patch(path, t.key(), "{\"config\":{\"mappings\":{\"invoice\":null}}}");

        assertThat(removed.status()).as(removed.body()).isEqualTo(200);
        assertThat(hub.get(path, t.key()).json().path("config").path("mappings").has("invoice")).isFalse();
    }

    @Test
    void shouldApplyRenamesConstantsFormatsAndLookupsOnTheNextSync() {
        Tenant t = tenantWith("xero");
        HubClient.Response patched = hub.patch("/api/v1/connections/" + t.connectionId(), t.key(), config("invoice", """
                $merge([
                  $sift(data, function($v, $k) { $k != "number" }),
                  {
                    "reference": raw.InvoiceNumber,
                    "source": "xero",
                    "issued": $date(raw.DateString, "yyyy-MM-dd'T'HH:mm:ss"),
                    "amount": $number(raw.Total),
                    "state": raw.Status = "AUTHORISED" ? "open" : "other"
                  }
                ])"""));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        stubInvoice();

        awaitStatus(t, startSync(t, "{\"entity\":\"invoice\"}"), "succeeded");

        assertOverridden(records(t, "invoice", "").path("records").get(0).path("data"));
    }

    @Test
    void shouldGiveTheSameRecordsFromRulesOfTheFormerLanguageAfterMigrationV31() {
        assertThat(jdbc.getJdbcTemplate().queryForObject("SELECT COUNT(*) FROM flyway_schema_history WHERE version = '31' "
                + "AND success = TRUE", Integer.class)).as("Flyway ran V31 when the hub started").isEqualTo(1);
        Tenant t = tenantWith("xero");
        jdbc.update("UPDATE connections SET config = :config WHERE id = :id",
                java.util.Map.of("config", OLD_RULES, "id", t.connectionId()));

        int rewritten = jdbc.getJdbcTemplate().execute(
                (org.springframework.jdbc.core.ConnectionCallback<Integer>) V31__Field_mappings_in_jsonata::rewrite);

        assertThat(rewritten).isGreaterThanOrEqualTo(1);
        JsonNode stored = hub.get("/api/v1/connections/" + t.connectionId(), t.key()).json().path("config")
                .path("mappings").path("invoice");
        assertThat(stored.isTextual()).as(stored.toString()).isTrue();
        assertThat(jdbc.getJdbcTemplate().execute(
                (org.springframework.jdbc.core.ConnectionCallback<Integer>) V31__Field_mappings_in_jsonata::rewrite))
                .as("a second run finds nothing left to rewrite").isZero();
        stubInvoice();

        awaitStatus(t, startSync(t, "{\"entity\":\"invoice\"}"), "succeeded");

        assertOverridden(records(t, "invoice", "").path("records").get(0).path("data"));
    }

    private static void stubInvoice() {
        PROVIDER.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/api.xro/2.0/Invoices"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(
                        SyncResilienceTest.xero(List.of(SyncResilienceTest.invoice(7, 70.5))))));
    }

    private static void assertOverridden(JsonNode data) {
        assertThat(data.path("reference").asText()).isEqualTo("INV-7");
        assertThat(data.path("source").asText()).isEqualTo("xero");
        assertThat(data.path("issued").asText()).isEqualTo("2026-01-08");
        assertThat(data.path("amount").decimalValue()).isEqualByComparingTo("70.5");
        assertThat(data.path("state").asText()).isEqualTo("open");
        assertThat(data.has("number")).isFalse();
        assertThat(data.path("status").asText()).isEqualTo("AUTHORISED");
    }
}
