package io.integrationhub.platform.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.integrationhub.platform.problem.Problem;

/**
 * A request whose body a filter has already read (within its size limit), served again to whoever reads the
 * request next: the webhook filter keeps the raw bytes for signature checks, the API filter a chunked body it
 * had to count.
 */
public final class BufferedBodyRequest extends HttpServletRequestWrapper {
    private final byte[] body;

    /**
     * Answers {@code 413} with the problem document. The rest of an oversized body is not read: the connection is
     * closed instead of drained.
     */
    public static void refuseTooLarge(HttpServletRequest request, HttpServletResponse response, ObjectMapper mapper,
            Problem problem) throws IOException {
        response.setStatus(413);
        response.setContentType(Problem.MEDIA_TYPE);
        response.setHeader("Connection", "close");
        mapper.writeValue(response.getOutputStream(), problem.withInstance(request.getRequestURI()));
    }

    public BufferedBodyRequest(HttpServletRequest request, byte[] body) {
        super(request);
        this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        return new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new UnsupportedOperationException("synchronous reads only");
            }
        };
    }

    /**
     * The body as text. Camel's platform-http binding asks for it on every request; a reader over the decoded body with
     * a buffer no larger than the body costs a fraction of an {@code InputStreamReader}'s 8 KiB byte and 16 KiB char
     * buffers, which were an eighth of what a signed webhook allocated.
     */
    @Override
    public BufferedReader getReader() {
        Charset charset = getCharacterEncoding() == null ? StandardCharsets.UTF_8 : Charset.forName(getCharacterEncoding());
        return new BufferedReader(new StringReader(new String(body, charset)), Math.max(16, Math.min(body.length, 8192)));
    }

    /** The bytes as they arrived, when {@code request} is (or wraps) a buffered request; null otherwise. */
    public static byte[] bodyOf(ServletRequest request) {
        ServletRequest r = request;
        while (r != null) {
            if (r instanceof BufferedBodyRequest buffered) {
                return buffered.body;
            }
            r = r instanceof ServletRequestWrapper wrapper ? wrapper.getRequest() : null;
        }
        return null;
    }

    @Override
    public int getContentLength() {
        return body.length;
    }

    @Override
    public long getContentLengthLong() {
        return body.length;
    }

    /**
     * The request with its body read into memory, or null when the body is longer than {@code limit} bytes (it is read
     * only up to one byte past the limit): what the body-limit filters hand on or refuse.
     */
    public static BufferedBodyRequest within(HttpServletRequest request, long limit) throws java.io.IOException {
        long declared = request.getContentLengthLong();
        // a declared length within the limit: one array of that size (the container ends the stream there); chunked
        // (or unknown) bodies are read up to one byte past the limit
        byte[] body = declared >= 0 && declared <= Math.min(limit, Integer.MAX_VALUE - 8)
                ? request.getInputStream().readNBytes((int) declared)
                : readAtMost(request.getInputStream(), limit + 1);
        return body.length > limit ? null : new BufferedBodyRequest(request, body);
    }

    /** At most {@code max} bytes of {@code in}: a caller reads {@code limit + 1} to tell "over the limit" apart. */
    public static byte[] readAtMost(java.io.InputStream in, long max) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream((int) Math.min(max, 8192));
        byte[] buffer = new byte[8192];
        int n;
        while (out.size() < max && (n = in.read(buffer, 0, (int) Math.min(buffer.length, max - out.size()))) != -1) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
