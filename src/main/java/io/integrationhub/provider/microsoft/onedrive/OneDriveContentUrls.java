package io.integrationhub.provider.microsoft.onedrive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.util.Timeout;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.integrationhub.platform.problem.Problem.FieldError;
import io.integrationhub.platform.problem.ProblemException;
import io.integrationhub.platform.security.OutboundUrlGuard;

/**
 * Reads an upload's {@code contentUrl}: a URL the caller gives so the hub fetches the bytes itself and streams
 * them on to Graph (never whole in memory). Because the hub makes the request, the URL goes through the platform's
 * {@link OutboundUrlGuard}: {@code http}/{@code https} only, no credentials in it, and a host from
 * {@code hub.microsoft.onedrive.content-url-hosts} — or, when that list is empty, a host whose addresses are all
 * public — so a tenant cannot make the hub read its own network. The guard is also the HTTP client's DNS resolver
 * and connections are never reused, so every fetch (the first, a resumed session's re-read, a new upload session)
 * resolves the name again, re-checks every address and connects only to an address it just checked: a name
 * re-bound to a private address after validation is refused at the next fetch. Redirects are not followed. A
 * response without {@code Content-Length} is spooled to a temporary file first, because Graph needs the size
 * before the first fragment.
 */
@Component
public class OneDriveContentUrls implements DisposableBean {

    private final OneDriveProperties properties;
    private final OutboundUrlGuard guard;
    private final CloseableHttpClient client;

    @Autowired
    public OneDriveContentUrls(OneDriveProperties properties) {
        this(properties, new OutboundUrlGuard(properties.getContentUrlHosts()));
    }

    OneDriveContentUrls(OneDriveProperties properties, OutboundUrlGuard guard) {
        this.properties = properties;
        this.guard = guard;
        Timeout timeout = Timeout.of(properties.getContentUrlTimeout());
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(guard.dnsResolver())
                        .setMaxConnTotal(64).setMaxConnPerRoute(16)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout)
                                .setSocketTimeout(timeout).build())
                        .build())
                // A new connection (so a new resolution and check) for every fetch.
                .setConnectionReuseStrategy((request, response, context) -> false)
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).setRedirectsEnabled(false)
                        .build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                .disableAuthCaching().disableContentCompression()
                .build();
    }

    @Override
    public void destroy() throws IOException {
        client.close();
    }

    /** An opened contentUrl; close it to delete a spooled copy. */
    public interface Fetched extends OneDriveUploadSource, AutoCloseable {
        @Override
        void close();
    }

    public Fetched open(String contentUrl) throws IOException {
        URI uri = check(contentUrl);
        Response first = get(uri);
        OptionalLong length = first.contentLength();
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
                    Response again = get(uri);
                    if (again.contentLength().orElse(-1) != size) {
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

    /** A 200 answer: its length when it gave one, and its body (closing it closes the connection). */
    private record Response(OptionalLong contentLength, InputStream body) {
    }

    private Response get(URI uri) throws IOException {
        HttpGet request = new HttpGet(uri);
        CloseableHttpResponse response;
        try {
            response = client.execute(request);
        } catch (OutboundUrlGuard.Refused e) {
            throw refused(e.getMessage());
        } catch (IOException e) {
            throw unreadable("could not be fetched (" + e.getClass().getSimpleName() + ")");
        }
        try {
            if (response.getCode() != 200) {
                throw unreadable("answered " + response.getCode() + (response.getCode() / 100 == 3
                        ? " (redirects are not followed; give the final URL)" : ""));
            }
            HttpEntity entity = response.getEntity();
            Header header = response.getFirstHeader("Content-Length");
            OptionalLong length = OptionalLong.empty();
            if (header != null) {
                try {
                    length = OptionalLong.of(Long.parseLong(header.getValue().trim()));
                } catch (NumberFormatException e) {
                    throw unreadable("sent an invalid Content-Length");
                }
            }
            InputStream content = entity == null ? InputStream.nullInputStream() : entity.getContent();
            return new Response(length, new FilterInputStream(content) {
                @Override
                public void close() {
                    discard(request, response);
                }
            });
        } catch (IOException | RuntimeException e) {
            discard(request, response);
            throw e;
        }
    }

    /** Drops the connection at once: closing the response alone would first read the rest of the body. */
    private static void discard(HttpGet request, CloseableHttpResponse response) {
        request.cancel();
        try {
            response.close();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
    }

    /** The URL, when the hub may fetch it; else 422 naming the field. */
    URI check(String contentUrl) {
        try {
            return guard.check(contentUrl);
        } catch (OutboundUrlGuard.Refused e) {
            throw refused(e.getMessage());
        }
    }

    private static ProblemException refused(String why) {
        return ProblemException.unprocessable("'contentUrl' " + why + ".", new FieldError("/contentUrl", why));
    }

    private static ProblemException unreadable(String why) {
        return ProblemException.unprocessable("The contentUrl " + why + ".", new FieldError("/contentUrl", why));
    }
}
