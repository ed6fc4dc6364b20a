package io.integrationhub.platform.config;

import java.nio.charset.StandardCharsets;

import org.postgresql.util.PGBinaryObject;
import org.postgresql.util.PGobject;

/**
 * A PostgreSQL {@code varchar[]} statement parameter made of values that are already UTF-8 bytes (a sync page's
 * canonical record JSON): the driver sends it in PostgreSQL's binary array format as it is, instead of decoding each
 * value into a {@link String} here and encoding it again into a growing buffer in the driver (a third of a page
 * commit's own CPU went to that, docs/performance.md). One-dimensional, lower bound 1; a null element is SQL NULL.
 * The text form ({@link #getValue()}) is there for a connection that does not send {@code varchar[]} in binary.
 */
public final class PgTextArray extends PGobject implements PGBinaryObject {

    private static final int VARCHAR_OID = 1043;
    private final byte[][] values;

    public PgTextArray(byte[][] values) {
        this.values = values;
        setType("_varchar");
    }

    @Override
    public void setByteValue(byte[] value, int offset) {
        throw new UnsupportedOperationException("a statement parameter only");
    }

    @Override
    public int lengthInBytes() {
        // header: ndim, has-null flag, element type, then (length, lower bound) of the one dimension
        int n = 20;
        for (byte[] v : values) {
            n += 4 + (v == null ? 0 : v.length);
        }
        return n;
    }

    @Override
    public void toBytes(byte[] bytes, int offset) {
        int at = offset;
        boolean nulls = false;
        for (byte[] v : values) {
            nulls |= v == null;
        }
        at = putInt(bytes, at, 1);
        at = putInt(bytes, at, nulls ? 1 : 0);
        at = putInt(bytes, at, VARCHAR_OID);
        at = putInt(bytes, at, values.length);
        at = putInt(bytes, at, 1);
        for (byte[] v : values) {
            if (v == null) {
                at = putInt(bytes, at, -1);
            } else {
                at = putInt(bytes, at, v.length);
                System.arraycopy(v, 0, bytes, at, v.length);
                at += v.length;
            }
        }
    }

    @Override
    public String getValue() {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            if (values[i] == null) {
                text.append("NULL");
                continue;
            }
            text.append('"');
            for (char c : new String(values[i], StandardCharsets.UTF_8).toCharArray()) {
                if (c == '"' || c == '\\') {
                    text.append('\\');
                }
                text.append(c);
            }
            text.append('"');
        }
        return text.append('}').toString();
    }

    private static int putInt(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
        return at + 4;
    }
}
