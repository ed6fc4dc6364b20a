package io.integrationhub.platform.tenancy;

import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.stereotype.Component;

/**
 * What a connect-session token may reach: the calls the dashboard makes for one end user (the catalog, that end
 * user's connections with their syncs, health, settings and danger zone, and its own session) and nothing else.
 * A connection or sync run of anyone else is {@code 404}, exactly like one that does not exist; any other
 * operation (tenant administration, webhook events, dead letters, records, actions, webhook endpoints, ...) is
 * {@code 403}. Decided on the routed path, before any route runs.
 */
@Component
public class SessionAccess {

    public enum Decision { ALLOW, FORBIDDEN, NOT_FOUND }

    private static final String ID = "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";
    private static final Pattern CONNECTION = Pattern.compile("/api/v1/connections/" + ID
            + "(|/check|/reauthorize|/folders|/syncs|/conflicts|/conflicts/[^/]+/resolve)");
    private static final Pattern SYNC_RUN = Pattern.compile("/api/v1/syncs/" + ID + "(|/cancel)");

    /** Tenant-wide calls a session may make (the answers are narrowed to its end user by the API beans). */
    private record Call(String method, String path) {
    }

    private static final List<Call> SESSION_WIDE = List.of(
            new Call("GET", "/api/v1/providers"),
            new Call("GET", "/api/v1/connections"),
            new Call("POST", "/api/v1/connections"),
            new Call("GET", "/api/v1/connect-sessions/current"));

    private final ConnectSessions sessions;

    public SessionAccess(ConnectSessions sessions) {
        this.sessions = sessions;
    }

    public Decision decide(ConnectSession session, String method, String path) {
        if (SESSION_WIDE.contains(new Call(method, path))) {
            return Decision.ALLOW;
        }
        Matcher connection = CONNECTION.matcher(path);
        if (connection.matches()) {
            return sessions.ownsConnection(session, UUID.fromString(connection.group(1))) ? Decision.ALLOW : Decision.NOT_FOUND;
        }
        Matcher run = SYNC_RUN.matcher(path);
        if (run.matches()) {
            return sessions.ownsSyncRun(session, UUID.fromString(run.group(1))) ? Decision.ALLOW : Decision.NOT_FOUND;
        }
        return Decision.FORBIDDEN;
    }
}
