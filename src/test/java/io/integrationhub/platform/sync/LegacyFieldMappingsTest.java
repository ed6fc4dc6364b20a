package io.integrationhub.platform.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Every rule of the former {@code config.mappings} language, rewritten into JSONata (what migration V31 stores) and
 * applied by {@link FieldMappings}: the record comes out as the former language made it (expected values worked out
 * from its rules: paths with array indexes, absent paths as null, constants, number/string/case/date transforms,
 * lookups with and without default, defaults for null, dropped fields).
 */
class LegacyFieldMappingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    private static JsonNode apply(ObjectNode rules, ObjectNode mapped, JsonNode raw) {
        ObjectNode config = JSON.createObjectNode();
        config.putObject("mappings").put("invoice", LegacyFieldMappings.toJsonata(rules));
        return new FieldMappings().compile("xero", "invoice", config).apply(mapped, raw);
    }

    @Test
    void shouldGiveWhatTheFormerRulesGave() throws Exception {
        ObjectNode raw = json("""
                {"Contact": {"Name": "Acme", "Emails": ["a@x.example", "b@x.example"]},
                 "Lines": [{"Amount": " 1,234.50 "}, {"Amount": 3}], "Status": "DRAFT", "Code": "ab", "Count": 7,
                 "Updated": "/Date(1767225600000+0000)/", "Due": "1767225600000", "Nothing": null, "we.ird": "x"}""");
        ObjectNode rules = json("""
                {"contact": "Contact.Name",
                 "secondEmail": "Contact.Emails.1",
                 "phone": "Contact.Phone",
                 "amount": {"path": "Lines.0.Amount", "transform": "number"},
                 "second": {"path": "Lines.1.Amount", "transform": "number"},
                 "updated": {"path": "Updated", "transform": "datetime"},
                 "due": {"path": "Due", "transform": "date"},
                 "code": {"path": "Code", "transform": "uppercase"},
                 "lower": {"constant": "MiXed", "transform": "lowercase"},
                 "count": {"path": "Count", "transform": "string"},
                 "state": {"path": "Status", "transform": "lookup", "lookup": {"AUTHORISED": "open"}, "default": "other"},
                 "kept": {"path": "Status", "transform": "lookup", "lookup": {"PAID": "closed"}},
                 "none": {"path": "Nothing", "default": "n/a"},
                 "noneAtAll": {"path": "Nowhere", "transform": "number"},
                 "fixed": {"constant": {"a": [1, 2], "quote": "it's \\"quoted\\""}},
                 "number": null}""");
        JsonNode out = apply(rules, json("{\"id\": \"i1\", \"number\": \"N1\", \"status\": \"DRAFT\"}"), raw);

        assertThat(out.path("amount").decimalValue()).isEqualByComparingTo("1234.50");
        JsonNode rest = ((ObjectNode) out.deepCopy()).without("amount");
        assertThat(rest).isEqualTo(json("""
                {"id": "i1", "status": "DRAFT", "contact": "Acme", "secondEmail": "b@x.example", "phone": null,
                 "second": 3, "updated": "2026-01-01T00:00:00Z", "due": "2026-01-01", "code": "AB", "lower": "mixed",
                 "count": "7", "state": "other", "kept": "DRAFT", "none": "n/a", "noneAtAll": null,
                 "fixed": {"a": [1, 2], "quote": "it's \\"quoted\\""}}"""));
    }

    @Test
    void shouldKeepTheRecordForAnEmptyRuleSetAndFailARecordAsTheFormerRulesDid() throws Exception {
        ObjectNode mapped = json("{\"id\": \"i1\", \"total\": 5}");
        assertThat(apply(json("{}"), mapped, json("{}"))).isEqualTo(mapped);
        assertThatThrownBy(() -> apply(json("{\"amount\": {\"path\": \"Total\", \"transform\": \"number\"}}"), mapped,
                json("{\"Total\": \"lots\"}"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> apply(json("{\"d\": {\"path\": \"When\", \"transform\": \"date\"}}"), mapped,
                json("{\"When\": \"someday\"}"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a date");
    }

    @Test
    void shouldEvaluateAnOverrideOnceParsedAndRefuseOneThatGivesNoObject() throws Exception {
        FieldMappings mappings = new FieldMappings();
        ObjectNode config = JSON.createObjectNode();
        config.putObject("mappings").put("invoice", "raw.Total");
        assertThat(mappings.expression("raw.Total")).isSameAs(mappings.expression("raw.Total"));
        assertThatThrownBy(() -> mappings.compile("xero", "invoice", config).apply(json("{}"), json("{\"Total\": 5}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config.mappings.invoice gave no object");
        config.with("mappings").put("invoice", "($f := function() { $f() }; $f())");
        assertThatThrownBy(() -> mappings.compile("xero", "invoice", config).apply(json("{}"), json("{}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("config.mappings.invoice: ");
    }
}
