package io.integrationhub.provider.microsoft.onedrive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The bytes of one upload: their size (known before the first byte is sent, as Graph's {@code Content-Range}
 * needs it) and a way to read them from the start. {@link #open()} is called again only when Graph dropped an
 * upload session and the upload starts over; a source that cannot be read twice says so with an IOException.
 */
public interface OneDriveUploadSource {

    long size();

    InputStream open() throws IOException;

    /** Small contents already in memory (decoded base64, bounded by {@code max-inline-content}). */
    static OneDriveUploadSource of(byte[] content) {
        return new OneDriveUploadSource() {
            @Override
            public long size() {
                return content.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(content);
            }
        };
    }

    /** A file on disk (a multipart part, a spooled download). */
    static OneDriveUploadSource of(Path file) throws IOException {
        long size = Files.size(file);
        return new OneDriveUploadSource() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }

    /** A stream that can be read once (the caller keeps ownership: it is not closed here). */
    static OneDriveUploadSource once(InputStream content, long size) {
        AtomicBoolean opened = new AtomicBoolean();
        return new OneDriveUploadSource() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream open() throws IOException {
                if (opened.getAndSet(true)) {
                    throw new IOException("the content stream cannot be read a second time");
                }
                return new java.io.FilterInputStream(content) {
                    @Override
                    public void close() {
                        // the caller's stream: closed by the caller
                    }
                };
            }
        };
    }
}
