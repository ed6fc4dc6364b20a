package io.integrationhub.platform.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import io.integrationhub.platform.tenancy.ApiKeys;

/**
 * In the zero-setup profile only (recognised by {@code hub.demo.enabled=true}): makes {@code hub.data-dir}
 * absolute (H2 refuses paths relative to the working directory unless they start with "./"), and fills
 * in the admin token and the demo tenant's key when the environment does not set them, from
 * {@link LocalSecrets}. Every other profile must be given its secrets.
 */
public class DefaultProfileEnvironment implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        if (!env.getProperty("hub.demo.enabled", Boolean.class, false)) {
            return;
        }
        Path dataDir = Path.of(env.getProperty("hub.data-dir", "./data")).toAbsolutePath().normalize();
        env.getPropertySources().addFirst(new MapPropertySource("hub-data-dir", Map.of("hub.data-dir", dataDir.toString())));
        createRoutesDir(env);
        LocalSecrets secrets = new LocalSecrets(dataDir);
        Map<String, Object> generated = new HashMap<>();
        if (isBlank(env.getProperty("hub.admin-token"))) {
            generated.put("hub.admin-token", secrets.getOrCreate("admin-token", ApiKeys::generate));
        }
        if (isBlank(env.getProperty("hub.demo.api-key"))) {
            generated.put("hub.demo.api-key", secrets.getOrCreate("demo-api-key", ApiKeys::generate));
        }
        if (!generated.isEmpty()) {
            env.getPropertySources().addLast(new MapPropertySource("hub-local-secrets", generated));
        }
    }

    /**
     * The route watcher needs its folder; a jar started outside a checkout has none yet. A folder without any
     * route file gets editable copies of the provider families shipped in the jar ({@code bundled-routes/}),
     * so the zero-setup hub has its Microsoft family wherever it is started.
     */
    private static void createRoutesDir(ConfigurableEnvironment env) {
        Path dir = Path.of(env.getProperty("hub.routes-dir", "routes"));
        try {
            Files.createDirectories(dir);
            boolean empty;
            try (var files = Files.walk(dir)) {
                empty = files.noneMatch(f -> f.toString().endsWith(".yaml"));
            }
            if (empty) {
                seedRoutes(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the routes folder " + env.getProperty("hub.routes-dir"), e);
        }
    }

    private static void seedRoutes(Path dir) throws IOException {
        var resolver = new org.springframework.core.io.support.PathMatchingResourcePatternResolver(
                DefaultProfileEnvironment.class.getClassLoader());
        for (var resource : resolver.getResources("classpath*:" + BUNDLED + "**/*")) {
            if (!resource.isReadable() || resource.getFilename() == null || resource.getFilename().isEmpty()) {
                continue;
            }
            String url = resource.getURL().toString();
            if (url.endsWith("/")) {
                continue;
            }
            int at = url.lastIndexOf(BUNDLED);
            if (at < 0) {
                continue;
            }
            Path target = dir.resolve(url.substring(at + BUNDLED.length())).normalize();
            if (!target.startsWith(dir.normalize())) {
                continue;
            }
            Files.createDirectories(target.getParent());
            try (var in = resource.getInputStream()) {
                Files.copy(in, target);
            }
        }
    }

    private static final String BUNDLED = "bundled-routes/";

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
