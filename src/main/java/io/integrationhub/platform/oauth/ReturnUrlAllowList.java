package io.integrationhub.platform.oauth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a connect flow's {@code returnUrl} is on {@code hub.oauth.allowed-return-urls}. An entry admits a URL
 * with the same scheme, host and (effective) port, whose path is the entry's path or lies below it on a segment
 * boundary: {@code https://app/app} admits {@code https://app/app} and {@code https://app/app/x}, never
 * {@code https://app/app-evil}. URLs that browsers and servers may read differently are refused outright: userinfo,
 * backslashes, control characters or spaces, dot segments, percent-encoded slashes, backslashes, dots or controls in the
 * host or path (the query may carry encoded URLs of its own), and anything but an absolute {@code http(s)} URL.
 */
final class ReturnUrlAllowList {

    /** %2F %5C %2E and any encoded control character: each can turn into a path separator or dot segment later. */
    private static final Pattern ENCODED_TRICK = Pattern.compile("(?i)%(2f|5c|2e|[01][0-9a-f]|7f)");

    private ReturnUrlAllowList() {
    }

    /** The URL to redirect to, or empty when no entry admits {@code returnUrl}. */
    static Optional<String> admit(String returnUrl, List<String> allowed) {
        URI candidate = strictUrl(returnUrl);
        if (candidate == null) {
            return Optional.empty();
        }
        for (String entry : allowed) {
            URI a = strictUrl(entry == null ? null : entry.trim());
            if (a != null && a.getScheme().equalsIgnoreCase(candidate.getScheme())
                    && a.getHost().equalsIgnoreCase(candidate.getHost()) && port(a) == port(candidate)
                    && underPath(a.getRawPath(), candidate.getRawPath())) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    /** An absolute http(s) URL with a host and nothing ambiguous in it, or null. */
    static URI strictUrl(String url) {
        if (url == null || url.isEmpty() || url.length() > 2048 || url.indexOf('\\') >= 0
                || url.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.isOpaque() || !(scheme.equals("https") || scheme.equals("http"))
                || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawAuthority() == null
                || uri.getRawAuthority().contains("@")) {
            return null;
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        // Encoded separators in the authority or path (a query may carry its own encoded URLs).
        if (ENCODED_TRICK.matcher(uri.getRawAuthority()).find() || ENCODED_TRICK.matcher(path).find()) {
            return null;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return null;
            }
        }
        return uri;
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** {@code path} is {@code base} or below it on a segment boundary ({@code ""} and {@code "/"} admit every path). */
    static boolean underPath(String base, String path) {
        String b = base == null ? "" : base;
        String p = path == null || path.isEmpty() ? "/" : path;
        if (b.isEmpty() || b.equals("/")) {
            return true;
        }
        if (b.endsWith("/")) {
            return p.startsWith(b) || p.equals(b.substring(0, b.length() - 1));
        }
        return p.equals(b) || p.startsWith(b + "/");
    }
}
