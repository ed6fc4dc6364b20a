package io.integrationhub.platform.ops;

import java.util.function.Predicate;

import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * The character rules of Spring Security's {@link StrictHttpFirewall} for header names, header values and parameter
 * names — every code point assigned in Unicode and no control character, a tab allowed in header values — as
 * loops over the code points instead of the firewall's regular expressions
 * ({@code [\p{IsAssigned}&&[^\p{IsControl}]]*} and {@code [\p{IsAssigned}&&[[^\p{IsControl}]||\t]]*}). Same verdict
 * for every string; the firewall checks each header every time it is read (Camel's platform-http binding reads them
 * all), and the webhook bench's profile showed those expressions as one of the larger costs of a signed webhook
 * (docs/performance.md). Printable ASCII, nearly every header, is decided without a Unicode table.
 */
public final class FirewallCharacters {

    /** Header names and parameter names: assigned code points, no control character. */
    public static final Predicate<String> ASSIGNED_NOT_CONTROL = s -> allowed(s, false);
    /** Header values: the same, and a horizontal tab allowed. */
    public static final Predicate<String> HEADER_VALUE = s -> allowed(s, true);

    private FirewallCharacters() {
    }

    static boolean allowed(String s, boolean tab) {
        if (s == null) {
            return true; // the firewall's own predicates are only asked about present names and values
        }
        int n = s.length();
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) { // printable ASCII
                i++;
                continue;
            }
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (type == Character.UNASSIGNED || type == Character.CONTROL && !(tab && cp == '\t')) {
                return false;
            }
        }
        return true;
    }

    /** A {@link StrictHttpFirewall} with every default rule, its character checks done by these predicates. */
    public static StrictHttpFirewall firewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(ASSIGNED_NOT_CONTROL);
        firewall.setAllowedHeaderValues(HEADER_VALUE);
        firewall.setAllowedParameterNames(ASSIGNED_NOT_CONTROL);
        // parameter values: the firewall's default allows any
        return firewall;
    }
}
