package io.integrationhub.platform.connections;

import com.fasterxml.jackson.annotation.JsonValue;

public enum ConnectionStatus {
    PENDING("pending"), ACTIVE("active"), ERROR("error"), REAUTH_REQUIRED("reauth_required"), DISCONNECTED("disconnected");

    private final String wire;

    ConnectionStatus(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public static ConnectionStatus fromWire(String value) {
        for (ConnectionStatus s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown connection status " + value);
    }
}
