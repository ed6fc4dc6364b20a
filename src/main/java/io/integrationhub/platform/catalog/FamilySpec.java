package io.integrationhub.platform.catalog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One provider family's {@code catalog.json}, read (docs/adding-a-provider.md has the reference):
 * <ul>
 * <li>{@code key}, {@code name}, {@code category}, {@code webhooks};</li>
 * <li>{@code auth}: {@code type} ({@code oauth2} | {@code api_key}), {@code clientAuth} ({@code form} | {@code basic} |
 * {@code json} | {@code basic-json}), {@code pkce}, {@code authorizeParams}, {@code scopes}, {@code scopeSeparator},
 * {@code requiredScopes}, {@code clientCredentials} (a tenant may connect with its own key pair instead of consent:
 * the client credentials grant);</li>
 * <li>{@code endpoints}: default {@code authorize-url}, {@code token-url}, {@code revoke-url}, {@code api-url}
 * (each overridden by {@code hub.providers.<key>.*}); {@code sandbox}: the same, relative to the hub's public URL,
 * used when the provider sandbox is on;</li>
 * <li>{@code entities}: {@code name}, {@code model}, {@code pull} (route {@code direct:<key>.<entity>.page}),
 * {@code statusEvents} (status → event type announced when a record reaches that status), {@code maxRange} (the
 * longest sync range {@code POST /syncs} accepts, an ISO-8601 duration);</li>
 * <li>{@code actions}: {@code name}, {@code model}, {@code kind} ({@code upsert} | {@code delete}), {@code resend}
 * (push runs send an upsert action's objects again) (route {@code direct:<key>.action.<name>}; the hub-created objects
 * a push run lists: {@code direct:<key>.action.<name>.pushed});</li>
 * <li>{@code config}: connection config fields the family reads, each with {@code type}, {@code pattern},
 * {@code description};</li>
 * <li>{@code connectionUrl} (optional): {@code {config, hosts}} — the provider lives at a base URL of each account
 * (a Simpro build): the config field holding it and the host patterns it may name ({@code *.example.com}); endpoints
 * may then contain {@code {connectionUrl}}, replaced per connection ({@link ConnectionUrl}). With {@code "root": true}
 * the field is optional and, when set, is the connection's whole API root (path and port allowed, e.g. a Business
 * Central on-premises service root) in place of {@code api-url}; connections without it use {@code api-url}.</li>
 * </ul>
 * Identity (who the connection is) is the route {@code direct:<settingsKey>.identity} (the key, unless several keys
 * share a folder: {@code direct:microsoft.identity}), unless {@code auth.identity} is
 * {@code java} (a family whose OAuth profile is Java). {@code settingsKey} names the {@code hub.providers.*} block when
 * several keys share one (default: the key); {@code order} places the entry in the provider list (default 1000).
 */
public record FamilySpec(
        String key,
        String name,
        String category,
        String authType,
        String clientAuth,
        boolean pkce,
        Map<String, String> authorizeParams,
        List<String> scopes,
        String scopeSeparator,
        List<String> requiredScopes,
        Map<String, String> endpoints,
        Map<String, String> sandbox,
        List<Entity> entities,
        List<Action> actions,
        boolean webhooks,
        Map<String, ConfigField> config,
        String settingsKey,
        int order,
        boolean javaIdentity,
        Path folder,
        ConnectionUrl connectionUrl,
        boolean clientCredentials) {

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]{1,40}");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,60}");

    /**
     * {@code statusEvents}: a record of this entity whose {@code data.status} becomes one of the keys (created or
     * changed by a pull or a webhook) is also announced on {@code hub.records.changes} with the value as event type,
     * e.g. {@code {"paid": "invoice.paid"}}.
     * {@code maxRange} (ISO-8601 duration, e.g. {@code P731D}; null: no limit): the longest {@code from}–{@code to}
     * range {@code POST /connections/{id}/syncs} accepts for the entity (longer: 422 naming {@code /to}).
     */
    public record Entity(String name, String model, boolean pull, Map<String, String> statusEvents, Duration maxRange) {
        public Entity(String name, String model, boolean pull) {
            this(name, model, pull, Map.of(), null);
        }

        public Entity(String name, String model, boolean pull, Map<String, String> statusEvents) {
            this(name, model, pull, statusEvents, null);
        }
    }

    /**
     * {@code resend}: push runs may send the action's objects again (the hub keeps what it last pushed with each link);
     * with a route {@code direct:<key>.action.<name>.pushed} a push run also lists what the hub created.
     */
    public record Action(String name, String model, String kind, boolean resend) {
    }

    /**
     * A connection config field; {@code choosesAccount}: its value picks which of the grant's organisations the connection
     * works on (Xero's {@code tenantId}), so changing it asks the family which account that is.
     */
    public record ConfigField(String name, String type, Pattern pattern, String description, boolean choosesAccount) {
        public ConfigField(String name, String type, Pattern pattern, String description) {
            this(name, type, pattern, description, false);
        }
    }

    /**
     * The connection's own base URL: config field {@code config}, allowed host patterns {@code hosts}; {@code root}:
     * the URL is the connection's API root itself (with a path), optional, used in place of {@code api-url} when set.
     */
    public record ConnectionUrl(String config, List<String> hosts, boolean root) {
        public ConnectionUrl(String config, List<String> hosts) {
            this(config, hosts, false);
        }
    }

    /** Who a connection is: one route per family folder, shared by its keys ({@code settingsKey}, e.g. microsoft). */
    public String identityRoute() {
        return "direct:" + settingsKey + ".identity";
    }

    public String pageRoute(String entity) {
        return "direct:" + key + "." + entity + ".page";
    }

    public String actionRoute(String action) {
        return "direct:" + key + ".action." + action;
    }

    /**
     * The entries of one {@code catalog.json}: the file is one entry, or {@code {"providers": [...]}} for a family
     * folder serving several catalog keys (the Microsoft family: onedrive, outlook, outlook-calendar).
     */
    static List<FamilySpec> all(JsonNode file, Path folder) {
        List<FamilySpec> out = new ArrayList<>();
        if (file.has("providers")) {
            for (JsonNode entry : file.path("providers")) {
                out.add(of(entry, folder, false));
            }
        } else {
            out.add(of(file, folder, true));
        }
        return out;
    }

    static FamilySpec of(JsonNode spec, Path folder, boolean single) {
        String key = text(spec, "key");
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("'key' must be lower-case letters, digits and dashes");
        }
        if (single && !key.equals(folder.getFileName().toString())) {
            throw new IllegalArgumentException("'key' " + key + " must equal its folder's name " + folder.getFileName());
        }
        JsonNode auth = spec.path("auth");
        String authType = auth.path("type").asText("oauth2");
        if (!authType.equals("oauth2") && !authType.equals("api_key")) {
            throw new IllegalArgumentException("auth.type must be oauth2 or api_key");
        }
        String clientAuth = auth.path("clientAuth").asText("form").toLowerCase(Locale.ROOT);
        if (!List.of("form", "basic", "json", "basic-json").contains(clientAuth)) {
            throw new IllegalArgumentException("auth.clientAuth must be form, basic, json or basic-json");
        }
        List<Entity> entities = new ArrayList<>();
        for (JsonNode e : spec.path("entities")) {
            String name = name(e, "entities[].name");
            entities.add(new Entity(name, e.path("model").asText(name), e.path("pull").asBoolean(true),
                    strings(e.path("statusEvents")), maxRange(e, name)));
        }
        List<Action> actions = new ArrayList<>();
        for (JsonNode a : spec.path("actions")) {
            String name = name(a, "actions[].name");
            String kind = a.path("kind").asText("upsert");
            if (!kind.equals("upsert") && !kind.equals("delete")) {
                throw new IllegalArgumentException("actions[].kind must be upsert or delete");
            }
            actions.add(new Action(name, a.path("model").asText(name), kind, a.path("resend").asBoolean(false)));
        }
        Map<String, ConfigField> config = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = spec.path("config").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String pattern = f.getValue().path("pattern").asText(null);
            config.put(f.getKey(), new ConfigField(f.getKey(), f.getValue().path("type").asText("string"),
                    pattern == null ? null : Pattern.compile(pattern), f.getValue().path("description").asText(""),
                    f.getValue().path("choosesAccount").asBoolean(false)));
        }
        return new FamilySpec(key, spec.path("name").asText(key), spec.path("category").asText("other"), authType,
                clientAuth, auth.path("pkce").asBoolean(false), strings(auth.path("authorizeParams")),
                list(auth.path("scopes")), auth.path("scopeSeparator").asText(" "), list(auth.path("requiredScopes")),
                strings(spec.path("endpoints")), strings(spec.path("sandbox")), List.copyOf(entities),
                List.copyOf(actions), spec.path("webhooks").asBoolean(false), Map.copyOf(config),
                spec.path("settingsKey").asText(key), spec.path("order").asInt(1000),
                "java".equals(auth.path("identity").asText("route")), folder,
                spec.hasNonNull("connectionUrl") ? new ConnectionUrl(spec.path("connectionUrl").path("config").asText("baseUrl"),
                        list(spec.path("connectionUrl").path("hosts")),
                        spec.path("connectionUrl").path("root").asBoolean(false)) : null,
                auth.path("clientCredentials").asBoolean(false));
    }

    private static Duration maxRange(JsonNode entity, String name) {
        String text = text(entity, "maxRange");
        if (text == null) {
            return null;
        }
        try {
            Duration range = Duration.parse(text);
            if (range.isNegative() || range.isZero()) {
                throw new IllegalArgumentException("entities[" + name + "].maxRange must be positive");
            }
            return range;
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("entities[" + name + "].maxRange must be an ISO-8601 duration (P731D)");
        }
    }

    private static String name(JsonNode node, String what) {
        String name = text(node, "name");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be lower-case letters, digits, '-' and '_'");
        }
        return name;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> list(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return Map.copyOf(out);
    }
}
