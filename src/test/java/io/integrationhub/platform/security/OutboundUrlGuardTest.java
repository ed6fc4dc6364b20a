package io.integrationhub.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The address check and DNS re-check of URLs the hub fetches on a tenant's behalf (issue 15 item 7). */
class OutboundUrlGuardTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldRefuseEveryNonPublicRangeIncludingTheOnesThatCarryAnIpv4Inside() {
        for (String address : List.of(
                "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                "168.63.129.16", // Azure wire server
                "192.0.0.170", "192.0.0.8", // 192.0.0.0/24
                "198.18.0.1", "198.19.255.254", // benchmarking
                "240.0.0.1", "255.255.255.255", "224.0.0.1",
                "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
                "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::a00:1", // NAT64 of loopback, metadata, 10/8
                "64:ff9b:1::a00:1", // local-use NAT64
                "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:c0a8:101::", // 6to4 of loopback, metadata, 192.168/16
                "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
                "::ffff:10.0.0.1", "::127.0.0.1", "2001:db8::1")) {
            assertThat(OutboundUrlGuard.isPublic(ip(address))).as(address).isFalse();
        }
        for (String address : List.of("8.8.8.8", "1.1.1.1", "20.50.2.1", "168.63.129.17", "198.20.0.1", "2606:4700::1111",
                "64:ff9b::808:808", "2002:808:808::1")) {
            assertThat(OutboundUrlGuard.isPublic(ip(address))).as(address).isTrue();
        }
    }

    @Test
    void shouldCheckTheUrlItself() throws Exception {
        OutboundUrlGuard guard = new OutboundUrlGuard(List.of());
        for (String url : List.of("file:///etc/passwd", "gopher://8.8.8.8/", "http://user:pw@8.8.8.8/x", "not a url",
                "http://[64:ff9b::a9fe:a9fe]/latest/meta-data", "http://168.63.129.16/machine", "http://[2002:7f00:1::]/")) {
            assertThatThrownBy(() -> guard.check(url)).as(url).isInstanceOf(OutboundUrlGuard.Refused.class);
        }
        OutboundUrlGuard listed = new OutboundUrlGuard(List.of("files.example.com", "*.cdn.example.com"));
        assertThatThrownBy(() -> listed.check("https://evil.example.com/x")).isInstanceOf(OutboundUrlGuard.Refused.class)
                .hasMessageContaining("does not fetch from");
        assertThat(listed.check("https://a.cdn.example.com/x").getHost()).isEqualTo("a.cdn.example.com");
    }

    @Test
    void shouldResolveAndCheckAgainForEveryConnectionSoARebindingIsRefused() throws Exception {
        AtomicReference<String> dns = new AtomicReference<>("8.8.8.8");
        OutboundUrlGuard guard = new OutboundUrlGuard(List.of(), host -> new InetAddress[] {ip(dns.get())},
                OutboundUrlGuard::isPublic);
        guard.check("https://files.rebind.test/report.pdf");
        assertThat(guard.dnsResolver().resolve("files.rebind.test")).containsExactly(ip("8.8.8.8"));

        dns.set("169.254.169.254");
        assertThatThrownBy(() -> guard.dnsResolver().resolve("files.rebind.test"))
                .isInstanceOf(OutboundUrlGuard.Refused.class).hasMessageContaining("private or local network");
    }
}
