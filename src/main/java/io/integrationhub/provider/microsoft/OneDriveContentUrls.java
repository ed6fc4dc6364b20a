package io.integrationhub.provider.microsoft;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;

import org.springframework.stereotype.Component;

import io.integrationhub.platform.api.Problem.FieldError;
import io.integrationhub.platform.api.ProblemException;

/**
 * Reads an upload's {@code contentUrl}: a URL the caller gives so the hub fetches the bytes itself and streams
 * them on to Graph (never whole in memory). Because the hub makes the request, the URL is checked first:
 * {@code http}/{@code https} only, no credentials in it, and a host from {@code hub.microsoft.onedrive.content-url-hosts}
 * — or, when that list is empty, a host whose addresses are all public (no loopback, private, link-local,
 * unique-local or multicast address), so a tenant cannot make the hub read its own network. Redirects are not
 * followed. A response without {@code Content-Length} is spooled to a temporary file first, because Graph needs
 * the size before the first fragment.
 */
@Component
public class OneDriveContentUrls {

    private final OneDriveProperties properties;
    private final HttpClient client;

    public OneDriveContentUrls(OneDriveProperties properties) {
        this.properties = properties;
        this.client = HttpClient.newBuilder().connectTimeout(properties.getContentUrlTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** An opened contentUrl; close it to delete a spooled copy. */
    public interface Fetched extends OneDriveUploadSource, AutoCloseable {
        @Override
        void close();
    }

    public Fetched open(String contentUrl) throws IOException {
        URI uri = check(contentUrl);
        HttpResponse<InputStream> first = get(uri);
        OptionalLong length = first.headers().firstValueAsLong("Content-Length");
        if (length.isPresent()) {
            long size = length.getAsLong();
            return new Fetched() {
                private InputStream pending = first.body();

                @Override
                public long size() {
                    return size;
                }

                @Override
                public synchronized InputStream open() throws IOException {
                    if (pending != null) {
                        InputStream body = pending;
                        pending = null;
                        return body;
                    }
                    HttpResponse<InputStream> again = get(uri);
                    if (again.headers().firstValueAsLong("Content-Length").orElse(-1) != size) {
                        again.body().close();
                        throw new IOException("the contentUrl changed its size between two reads");
                    }
                    return again.body();
                }

                @Override
                public synchronized void close() {
                    if (pending != null) {
                        try {
                            pending.close();
                        } catch (IOException ignored) {
                            // nothing was read from it
                        }
                    }
                }
            };
        }
        Path spool = Files.createTempFile("onedrive-upload-", ".part");
        try (InputStream in = first.body()) {
            long limit = properties.getMaxSpooledContent().toBytes();
            try (var out = Files.newOutputStream(spool)) {
                byte[] buffer = new byte[64 * 1024];
                long total = 0;
                int n;
                while ((n = in.read(buffer)) > 0) {
                    total += n;
                    if (total > limit) {
                        throw unreadable("sent more than " + limit + " bytes without a Content-Length");
                    }
                    out.write(buffer, 0, n);
                }
            }
            OneDriveUploadSource file = OneDriveUploadSource.of(spool);
            return new Fetched() {
                @Override
                public long size() {
                    return file.size();
                }

                @Override
                public InputStream open() throws IOException {
                    return file.open();
                }

                @Override
                public void close() {
                    try {
                        Files.deleteIfExists(spool);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(spool);
            throw e;
        }
    }

    private HttpResponse<InputStream> get(URI uri) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(properties.getContentUrlTimeout()).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching the contentUrl", e);
        } catch (IOException e) {
            throw unreadable("could not be fetched (" + e.getClass().getSimpleName() + ")");
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw unreadable("answered " + response.statusCode() + (response.statusCode() / 100 == 3
                    ? " (redirects are not followed; give the final URL)" : ""));
        }
        return response;
    }

    /** The URL, when the hub may fetch it; else 422 naming the field. */
    URI check(String contentUrl) {
        URI uri;
        try {
            uri = new URI(contentUrl);
        } catch (URISyntaxException | NullPointerException e) {
            throw refused("is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw refused("must be an http or https URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw refused("must not carry credentials");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw refused("has no host");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (!properties.getContentUrlHosts().isEmpty()) {
            for (String allowed : properties.getContentUrlHosts()) {
                String a = allowed.trim().toLowerCase(Locale.ROOT);
                if (a.equals(host) || a.startsWith("*.") && host.endsWith(a.substring(1))) {
                    return uri;
                }
            }
            throw refused("names a host this hub does not fetch from");
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!isPublic(address)) {
                    throw refused("names a host on a private or local network");
                }
            }
        } catch (UnknownHostException e) {
            throw refused("names an unknown host");
        }
        return uri;
    }

    static boolean isPublic(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) != 0xfc; // fc00::/7 unique local
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        // 100.64.0.0/10 (carrier-grade NAT), 0.0.0.0/8
        return first != 0 && !(first == 100 && second >= 64 && second < 128);
    }

    private static ProblemException refused(String why) {
        return ProblemException.unprocessable("'contentUrl' " + why + ".", new FieldError("/contentUrl", why));
    }

    private static ProblemException unreadable(String why) {
        return ProblemException.unprocessable("The contentUrl " + why + ".", new FieldError("/contentUrl", why));
    }
}
