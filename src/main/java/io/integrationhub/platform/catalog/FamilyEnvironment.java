package io.integrationhub.platform.catalog;

import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * Makes each family's endpoint defaults ({@code catalog.json} {@code endpoints}, or {@code sandbox} when the
 * provider sandbox is on) visible as {@code hub.providers.<key>.*} with the lowest precedence, so routes use
 * {@code {{hub.providers.notion.api-url}}} and an operator's setting always wins. Read live from the catalog.
 */
public class FamilyEnvironment implements EnvironmentPostProcessor {

    public static final String SOURCE = "hub-provider-families";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        if (env.getPropertySources().contains(SOURCE)) {
            return;
        }
        env.getPropertySources().addLast(new Defaults(folderOf(env), env));
    }

    private static FamilyCatalog folderOf(ConfigurableEnvironment env) {
        return new FamilyCatalog(() -> Path.of(env.getProperty("hub.routes-dir", "routes")));
    }

    /** The catalog behind the environment's defaults (one per environment). */
    public static FamilyCatalog catalog(ConfigurableEnvironment env) {
        PropertySource<?> source = env.getPropertySources().get(SOURCE);
        if (source instanceof Defaults d) {
            return d.getSource();
        }
        FamilyCatalog catalog = folderOf(env);
        env.getPropertySources().addLast(new Defaults(catalog, env));
        return catalog;
    }

    static final class Defaults extends PropertySource<FamilyCatalog> {
        private static final String PREFIX = "hub.providers.";
        private final ConfigurableEnvironment env;

        Defaults(FamilyCatalog catalog, ConfigurableEnvironment env) {
            super(SOURCE, catalog);
            this.env = env;
        }

        @Override
        public Object getProperty(String name) {
            if (!name.startsWith(PREFIX)) {
                return null;
            }
            String rest = name.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot <= 0) {
                return null;
            }
            String key = rest.substring(0, dot);
            String setting = rest.substring(dot + 1);
            FamilySpec family;
            try {
                // By catalog key, or by the settings block several keys share (hub.providers.microsoft.*).
                family = getSource().find(key).orElseGet(() -> getSource().all().stream()
                        .filter(f -> f.settingsKey().equals(key)).findFirst().orElse(null));
            } catch (RuntimeException unreadable) {
                return null;
            }
            if (family == null) {
                return null;
            }
            if (!family.sandbox().isEmpty() && Boolean.parseBoolean(env.getProperty("hub.sandbox.enabled", "false"))) {
                Map<String, String> sandbox = family.sandbox();
                switch (setting) {
                    case "client-id":
                        return "sandbox-client";
                    case "client-secret":
                        return "sandbox-secret";
                    default:
                        String path = sandbox.get(setting);
                        if (path != null) {
                            return path.startsWith("/") ? env.getProperty("hub.public-url", "http://localhost:8080") + path : path;
                        }
                }
            }
            return family.endpoints().get(setting);
        }
    }
}
