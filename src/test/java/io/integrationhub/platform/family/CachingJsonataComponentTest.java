package io.integrationhub.platform.family;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The routes' {@code jsonata:} steps with {@link CachingJsonataComponent}, as a family uses them (a mapping file,
 * {@code contentCache=false}, JSON text in and out): the mapping is parsed once while its text stays the same, an edit
 * applies to the next message, and one parsed mapping serves several threads at once.
 */
class CachingJsonataComponentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    CamelContext camel;
    ProducerTemplate template;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(dir.resolve("invoice.jsonata"), "{ \"number\": InvoiceNumber, \"total\": Total * 2 }");
        Files.writeString(dir.resolve("contact.jsonata"), "{ \"name\": $uppercase(Name) }");
        Files.writeString(dir.resolve("lines.jsonata"), "(\n  $amount := function($l) { $l.qty * $l.price };\n"
                + "  { \"total\": $sum(lines.$amount($)) }\n)");
        // a variable named like a built-in function, bound from that function (as square/mappings/orders-state does)
        Files.writeString(dir.resolve("shadow.jsonata"), "( c ? $eval(c) : ( $now := $now(); { \"at\": $now, \"n\": n } ) )");
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("jsonata", new CachingJsonataComponent());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:invoice").to("jsonata:file:" + dir.resolve("invoice.jsonata")
                        + "?contentCache=false&inputType=JsonString&outputType=JsonString");
                from("direct:contact").to("jsonata:file:" + dir.resolve("contact.jsonata")
                        + "?contentCache=false&inputType=JsonString&outputType=JsonString");
                from("direct:lines").to("jsonata:file:" + dir.resolve("lines.jsonata")
                        + "?contentCache=false&inputType=JsonString&outputType=JsonString");
                from("direct:shadow").to("jsonata:file:" + dir.resolve("shadow.jsonata")
                        + "?contentCache=false&inputType=JsonString&outputType=JsonString");
                from("direct:tree").to("jsonata:file:" + dir.resolve("contact.jsonata") + "?inputType=Jackson&outputType=Jackson");
            }
        });
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void shouldParseAMappingOnceAndApplyAnEditedFileToTheNextMessage() throws Exception {
        assertThat(map("direct:invoice", "{\"InvoiceNumber\":\"INV-1\",\"Total\":10}"))
                .isEqualTo(JSON.readTree("{\"number\":\"INV-1\",\"total\":20}"));
        CachingJsonataComponent.CachingEndpoint endpoint = camel.getEndpoints().stream()
                .filter(e -> e.getEndpointUri().contains("invoice.jsonata"))
                .map(CachingJsonataComponent.CachingEndpoint.class::cast).findFirst().orElseThrow();
        Jsonata first = endpoint.expression();
        map("direct:invoice", "{\"InvoiceNumber\":\"INV-2\",\"Total\":1}");
        assertThat(endpoint.expression()).as("the same text is not parsed again").isSameAs(first);

        Files.writeString(dir.resolve("invoice.jsonata"), "{ \"number\": InvoiceNumber, \"total\": Total * 3 }");
        assertThat(map("direct:invoice", "{\"InvoiceNumber\":\"INV-3\",\"Total\":10}"))
                .isEqualTo(JSON.readTree("{\"number\":\"INV-3\",\"total\":30}"));
        assertThat(endpoint.expression()).isNotSameAs(first);
    }

    @Test
    void shouldKeepCamelJsonataResultsForJacksonBodies() throws Exception {
        Object out = template.requestBody("direct:tree", JSON.readTree("{\"Name\":\"ada\"}"));
        assertThat(out).isInstanceOf(JsonNode.class).isEqualTo(JSON.readTree("{\"name\":\"ADA\"}"));
    }

    @Test
    void shouldEvaluateAMappingThatDefinesFunctionsAfterAnotherMappingRanOnTheSameThread() throws Exception {
        // jsonata-java keeps evaluation state in a per-thread "current" instance that parsing sets: a parsed
        // mapping evaluated after another one was parsed on the same thread must still see its own functions.
        // the same mapping twice in a row on one thread: the second evaluation starts from a clean frame
        // (jsonata-java 0.9.9 left the first one's block frame behind: "$now" was its text, not the function)
        assertThat(map("direct:shadow", "{\"n\":1}").path("at").asText()).endsWith("Z");
        assertThat(map("direct:shadow", "{\"n\":2}").path("at").asText()).endsWith("Z");
        String order = "{\"lines\":[{\"qty\":2,\"price\":3},{\"qty\":1,\"price\":4}]}";
        for (int i = 0; i < 3; i++) {
            assertThat(map("direct:lines", order)).isEqualTo(JSON.readTree("{\"total\":10}"));
            assertThat(map("direct:contact", "{\"Name\":\"ada\"}")).isEqualTo(JSON.readTree("{\"name\":\"ADA\"}"));
            assertThat(map("direct:invoice", "{\"InvoiceNumber\":\"A\",\"Total\":1}"))
                    .isEqualTo(JSON.readTree("{\"number\":\"A\",\"total\":2}"));
            // a state carried in a cursor is read back with $eval (square/mappings/orders-state does)
            assertThat(map("direct:shadow", "{\"c\":\"{'n': 7, 'at': 'cursor'}\"}").path("at").asText()).isEqualTo("cursor");
            JsonNode shadow = map("direct:shadow", "{\"n\":" + i + "}");
            assertThat(shadow.path("n").asInt()).isEqualTo(i);
            assertThat(shadow.path("at").asText()).as("evaluation %d binds $now again", i).endsWith("Z");
        }
    }

    @Test
    void shouldServeSeveralThreadsWithOneParsedMappingEach() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        String n = thread + "-" + i;
                        assertThat(map("direct:invoice", "{\"InvoiceNumber\":\"" + n + "\",\"Total\":" + i + "}"))
                                .isEqualTo(JSON.readTree("{\"number\":\"" + n + "\",\"total\":" + (2 * i) + "}"));
                        assertThat(map("direct:contact", "{\"Name\":\"n" + n + "\"}"))
                                .isEqualTo(JSON.readTree("{\"name\":\"N" + n.toUpperCase() + "\"}"));
                        assertThat(map("direct:lines", "{\"lines\":[{\"qty\":" + i + ",\"price\":2}]}"))
                                .isEqualTo(JSON.readTree("{\"total\":" + (2 * i) + "}"));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private JsonNode map(String uri, String body) throws Exception {
        return JSON.readTree(template.requestBody(uri, body.getBytes(StandardCharsets.UTF_8), String.class));
    }
}
