package io.integrationhub.platform.security;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import org.apache.hc.client5.http.DnsResolver;

/**
 * The check for URLs that a tenant names and the hub then fetches itself (OneDrive {@code contentUrl}; later the
 * hosts of signed outbound webhooks): {@code http}/{@code https} only, no credentials in the URL, and either a host
 * on an operator's allow-list or a host whose every address is public — so a tenant cannot make the hub read its
 * own network, the cloud's metadata or wire servers, or anything else that is not the public internet.
 *
 * <p>The check at request time ({@link #check}) answers early; what makes it hold is {@link #dnsResolver()}: the
 * HTTP client resolves every connection through it, so each connection attempt (a resumed download, a new upload
 * session) re-resolves the name, refuses it if any address is not public, and connects only to the addresses it
 * just checked. A name that was public at validation and is re-bound to a private address later is refused at
 * the next connection. Clients using it must not reuse connections and must not use a proxy.
 */
public class OutboundUrlGuard {

    /** Why a URL or address is refused, phrased to follow "the URL …". */
    public static final class Refused extends UnknownHostException {
        public Refused(String reason) {
            super(reason);
        }
    }

    /** How names are resolved (the system resolver; tests give their own). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final List<String> allowedHosts;
    private final Resolver resolver;
    private final Predicate<InetAddress> publicAddress;

    /** @param allowedHosts host names ({@code files.example.com}, {@code *.example.com}); empty = any public host */
    public OutboundUrlGuard(Collection<String> allowedHosts) {
        this(allowedHosts, InetAddress::getAllByName, OutboundUrlGuard::isPublic);
    }

    public OutboundUrlGuard(Collection<String> allowedHosts, Resolver resolver, Predicate<InetAddress> publicAddress) {
        this.allowedHosts = allowedHosts == null ? List.of() : allowedHosts.stream().map(String::trim)
                .filter(h -> !h.isEmpty()).map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.resolver = resolver;
        this.publicAddress = publicAddress;
    }

    /** The URL, when the hub may fetch it now (its host resolved and checked); else {@link Refused}. */
    public URI check(String url) throws Refused {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            throw new Refused("is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new Refused("must be an http or https URL");
        }
        if (uri.getRawUserInfo() != null || uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")) {
            throw new Refused("must not carry credentials");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new Refused("has no host");
        }
        if (!allowedHosts.isEmpty()) {
            if (!allowed(unbracketed(host))) {
                throw new Refused("names a host this hub does not fetch from");
            }
            return uri;
        }
        try {
            resolve(host);
        } catch (Refused e) {
            throw e;
        } catch (UnknownHostException e) {
            throw new Refused("names an unknown host");
        }
        return uri;
    }

    /**
     * The addresses to connect to for {@code host}: all of them, when the host is allow-listed or every one is
     * public; else {@link Refused}. Called for every connection.
     */
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String name = unbracketed(host);
        if (!allowedHosts.isEmpty()) {
            if (!allowed(name)) {
                throw new Refused("names a host this hub does not fetch from");
            }
            return resolver.resolve(name);
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(name);
        } catch (Refused e) {
            throw e;
        } catch (UnknownHostException e) {
            throw new Refused("names an unknown host");
        }
        if (addresses == null || addresses.length == 0) {
            throw new Refused("names an unknown host");
        }
        for (InetAddress address : addresses) {
            if (!publicAddress.test(address)) {
                throw new Refused("names a host on a private or local network");
            }
        }
        return addresses;
    }

    private static String unbracketed(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        return name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
    }

    private boolean allowed(String host) {
        for (String a : allowedHosts) {
            if (a.equals(host) || a.startsWith("*.") && host.endsWith(a.substring(1))) {
                return true;
            }
        }
        return false;
    }

    /** For Apache HttpClient 5 connection managers: every connection resolves through {@link #resolve}. */
    public DnsResolver dnsResolver() {
        return new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                return OutboundUrlGuard.this.resolve(host);
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
    }

    /**
     * Whether an address is on the public internet: not loopback, unspecified, link-local, private (RFC 1918),
     * unique-local, multicast, carrier-grade NAT ({@code 100.64.0.0/10}), IETF protocol assignments
     * ({@code 192.0.0.0/24}), benchmarking ({@code 198.18.0.0/15}), documentation, reserved ({@code 240.0.0.0/4}),
     * {@code 0.0.0.0/8}, or Azure's wire server {@code 168.63.129.16}; IPv6 forms that carry an IPv4 address (NAT64
     * {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}, IPv4-compatible {@code ::/96}) are judged by that address, and
     * Teredo, local-use NAT64, discard-only and documentation prefixes are refused.
     */
    public static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return isPublicV4(b);
        }
        if (!(a instanceof Inet6Address) || b.length != 16) {
            return false;
        }
        int w0 = word(b, 0);
        int w1 = word(b, 2);
        if ((b[0] & 0xfe) == 0xfc) {
            return false; // fc00::/7 unique local
        }
        if ((w0 & 0xffc0) == 0xfec0 || (w0 & 0xffc0) == 0xfe80) {
            return false; // site-local (deprecated), link-local
        }
        if (w0 == 0x0064 && w1 == 0xff9b) {
            if (allZero(b, 4, 12)) {
                return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]}); // 64:ff9b::/96 NAT64
            }
            return false; // 64:ff9b:1::/48 local-use NAT64
        }
        if (w0 == 0x2002) {
            return isPublicV4(new byte[] {b[2], b[3], b[4], b[5]}); // 6to4
        }
        if (w0 == 0x2001 && w1 == 0x0000) {
            return false; // Teredo: the IPv4 server and client are hidden in the address
        }
        if (w0 == 0x2001 && w1 == 0x0db8 || w0 == 0x0100 && allZero(b, 2, 8)) {
            return false; // documentation, discard-only
        }
        if (allZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return isPublicV4(new byte[] {b[12], b[13], b[14], b[15]}); // ::ffff:a.b.c.d IPv4-mapped
        }
        if (allZero(b, 0, 12)) {
            return false; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
        }
        return true;
    }

    private static boolean isPublicV4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        int third = b[2] & 0xff;
        int fourth = b[3] & 0xff;
        return !(first == 0 // 0.0.0.0/8
                || first == 10 // 10/8
                || first == 127 // loopback
                || first == 100 && second >= 64 && second < 128 // 100.64/10 carrier-grade NAT
                || first == 169 && second == 254 // link-local, cloud metadata
                || first == 172 && second >= 16 && second < 32 // 172.16/12
                || first == 192 && second == 168 // 192.168/16
                || first == 192 && second == 0 && third == 0 // 192.0.0.0/24 IETF protocol assignments
                || first == 192 && second == 0 && third == 2 // 192.0.2.0/24 documentation
                || first == 198 && (second == 18 || second == 19) // 198.18/15 benchmarking
                || first == 198 && second == 51 && third == 100 // documentation
                || first == 203 && second == 0 && third == 113 // documentation
                || first >= 224 // multicast 224/4, reserved 240/4, broadcast
                || first == 168 && second == 63 && third == 129 && fourth == 16); // Azure wire server
    }

    private static int word(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
