package io.integrationhub.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.integrationhub.support.PostgresSchemas;

/** PostgreSQL reads a {@link PgTextArray} parameter as the values it was made of, in binary and in its text form. */
class PgTextArrayTest {

    private static final String[] VALUES = {"{\"name\":\"Ta\\\"ble \\\\ 1\",\"note\":\"line\\nbreak\"}", "", null,
        "Zürich — 東京 😀", "{\"a\":[1,2,{\"b\":null}]}", "NULL", "back\\slash \"quoted\""};

    @Test
    void shouldArriveAsTheSameValuesInBinary() throws Exception {
        assertThat(roundTrip(true)).containsExactly(VALUES);
    }

    @Test
    void shouldArriveAsTheSameValuesAsArrayText() throws Exception {
        assertThat(roundTrip(false)).containsExactly(VALUES);
    }

    @Test
    void shouldSendAnEmptyArray() throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresSchemas.URL, PostgresSchemas.USER, PostgresSchemas.PASSWORD);
                PreparedStatement ps = c.prepareStatement("SELECT cardinality(CAST(? AS varchar[]))")) {
            ps.setObject(1, new PgTextArray(new byte[0][]));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    private static List<String> roundTrip(boolean binary) throws Exception {
        byte[][] bytes = Arrays.stream(VALUES).map(v -> v == null ? null : v.getBytes(StandardCharsets.UTF_8))
                .toArray(byte[][]::new);
        PgTextArray array = new PgTextArray(bytes);
        List<String> back = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(PostgresSchemas.URL, PostgresSchemas.USER, PostgresSchemas.PASSWORD);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT v FROM unnest(CAST(? AS varchar[])) WITH ORDINALITY AS a (v, n) ORDER BY n")) {
            if (binary) {
                ps.setObject(1, array);
            } else {
                ps.setString(1, array.getValue());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    back.add(rs.getString(1));
                }
            }
        }
        return back;
    }
}
