package io.socketaudit.report;

/** The log's addresses, {@code ip:port} or {@code [v6]:port}, taken apart. */
final class Addresses {

    private Addresses() {
    }

    /** The port, or null when {@code address} is not in the log's form. */
    static Integer port(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1 || address.length() - colon > 6) {
            return null;
        }
        int port = 0;
        for (int i = colon + 1; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65_535 ? port : null;
    }

    /** The address without its port ({@code 10.0.0.1}, {@code [fe80:0:0:0:0:0:0:1]}), or null when not in the log's form. */
    static String host(String address) {
        return port(address) == null ? null : address.substring(0, address.lastIndexOf(':'));
    }
}
