package io.integrationhub.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;

/**
 * Route-level tests of a provider family: a plain CamelContext (no Spring Boot, database or Kafka) that loads the
 * family's YAML routes from the routes folder exactly as the hub does (the YAML DSL routes loader), with the
 * {@code {{hub.*}}} properties the routes read. The context is not started until the test has woven out the
 * steps that need the platform ({@code AdviceWith}) and calls {@code context.start()}.
 */
abstract class FamilyRoutesTestSupport extends CamelTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The family's route files, relative to the routes folder (e.g. {@code notion/sync.camel.yaml}). */
    protected abstract List<String> routeFiles();

    /** The folder the routes and their mappings are read from: property {@code hub.routes-dir}. */
    protected Path routesDir() {
        return Path.of("routes").toAbsolutePath();
    }

    /** Further properties the family's routes read ({@code hub.providers.<key>.*}, ...). */
    protected Properties familyProperties() {
        return new Properties();
    }

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        configuration.withUseAdviceWith(true);
    }

    /** The hub's {@code jsonata:} component (mappings parsed once per text), as the routes get it in the hub. */
    @Override
    protected void bindToRegistry(org.apache.camel.spi.Registry registry) throws Exception {
        registry.bind("jsonata", new io.integrationhub.platform.family.CachingJsonataComponent());
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties properties = familyProperties();
        properties.setProperty("hub.routes-dir", routesDir().toString());
        return properties;
    }

    @Override
    protected RoutesBuilder[] createRouteBuilders() throws Exception {
        List<Resource> resources = new ArrayList<>();
        for (String file : routeFiles()) {
            Path path = routesDir().resolve(file);
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException("route file not found: " + path);
            }
            resources.add(ResourceHelper.resolveMandatoryResource(context, "file:" + path));
        }
        return PluginHelper.getRoutesLoader(context).findRoutesBuilders(resources).toArray(RoutesBuilder[]::new);
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
