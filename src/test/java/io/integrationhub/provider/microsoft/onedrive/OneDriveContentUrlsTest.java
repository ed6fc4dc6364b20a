package io.integrationhub.provider.microsoft.onedrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.security.OutboundUrlGuard;

/**
 * A tenant's {@code contentUrl} is fetched by the hub: addresses that are not public are refused, and every
 * fetch — also the re-read of a resumed or new upload session — resolves and checks the name again (issue 15 item 7).
 */
class OneDriveContentUrlsTest {

    private static final byte[] BODY = "the file".getBytes(StandardCharsets.UTF_8);
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/file", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, BODY.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(BODY);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static OneDriveProperties properties() {
        OneDriveProperties p = new OneDriveProperties();
        p.setContentUrlHosts(List.of());
        p.setContentUrlTimeout(Duration.ofSeconds(2));
        return p;
    }

    private static String refusal(ProblemException e) {
        assertThat(e.problem().status()).isEqualTo(422);
        assertThat(e.problem().errors()).singleElement().satisfies(f -> assertThat(f.field()).isEqualTo("/contentUrl"));
        return e.problem().errors().get(0).message();
    }

    @Test
    void shouldRefuseAddressesThatAreNotPublicBeforeConnecting() throws Exception {
        OneDriveContentUrls urls = new OneDriveContentUrls(properties());
        int port = server.getAddress().getPort();
        for (String url : List.of("http://[64:ff9b::7f00:1]:" + port + "/file", "http://[2002:7f00:1::]:" + port + "/file",
                "http://168.63.129.16/machine?comp=goalstate", "http://192.0.0.170/", "http://198.18.0.1/",
                "http://240.0.0.1/", "http://127.0.0.1:" + port + "/file")) {
            assertThatThrownBy(() -> urls.open(url)).as(url).isInstanceOfSatisfying(ProblemException.class,
                    e -> assertThat(refusal(e)).contains("private or local network"));
        }
        assertThat(requests).hasValue(0);
        urls.destroy();
    }

    @Test
    void shouldCheckTheAddressAgainOnEveryFetchAndConnectOnlyToTheCheckedOne() throws Exception {
        // "content.test" first resolves to 127.0.0.1 (treated as public here, so the local server can stand in for
        // a public host), then is re-bound to 127.0.0.2 (not public here) before the upload needs the bytes again.
        AtomicReference<String> dns = new AtomicReference<>("127.0.0.1");
        AtomicInteger lookups = new AtomicInteger();
        OutboundUrlGuard guard = new OutboundUrlGuard(List.of(), host -> {
            lookups.incrementAndGet();
            return new InetAddress[] {InetAddress.getByName(dns.get())};
        }, a -> a.getHostAddress().equals("127.0.0.1"));
        OneDriveContentUrls urls = new OneDriveContentUrls(properties(), guard);
        String url = "http://content.test:" + server.getAddress().getPort() + "/file";

        try (OneDriveContentUrls.Fetched fetched = urls.open(url)) {
            assertThat(fetched.size()).isEqualTo(BODY.length);
            try (InputStream first = fetched.open()) {
                assertThat(first.readAllBytes()).isEqualTo(BODY);
            }
            try (InputStream again = fetched.open()) {
                assertThat(again.readAllBytes()).isEqualTo(BODY);
            }
            int before = lookups.get();
            assertThat(requests).hasValue(2);

            dns.set("127.0.0.2");
            assertThatThrownBy(fetched::open).isInstanceOfSatisfying(ProblemException.class,
                    e -> assertThat(refusal(e)).contains("private or local network"));
            assertThat(lookups.get()).isGreaterThan(before);
            assertThat(requests).hasValue(2);
        }
        urls.destroy();
    }
}
