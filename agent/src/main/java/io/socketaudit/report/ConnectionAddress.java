package io.socketaudit.report;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code --connection} argument: an address with its port, written as the log writes addresses. */
final class ConnectionAddress {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}):(\\d{1,5})");
    private static final Pattern IPV6 = Pattern.compile("\\[([0-9A-Fa-f:.]+)]:(\\d{1,5})");

    private ConnectionAddress() {
    }

    /**
     * {@code ip:port} or {@code [v6]:port}, in the log's form (IPv6 without zero compression); an
     * {@code IllegalArgumentException} saying what is wrong with anything else.
     */
    static String parse(String text) {
        Matcher v4 = IPV4.matcher(text);
        Matcher v6 = IPV6.matcher(text);
        Matcher match = v4.matches() ? v4 : v6.matches() ? v6 : null;
        if (match == null) {
            throw new IllegalArgumentException("--connection '" + text + "' is not ADDR:PORT (ip:port or [v6]:port)");
        }
        int port = Integer.parseInt(match.group(2));
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("--connection '" + text + "': port " + port + " is not 1 to 65535");
        }
        if (match == v4) {
            for (String octet : match.group(1).split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("--connection '" + text + "': not an IP address");
                }
            }
        }
        InetAddress ip;
        try {
            // A literal (the patterns allow nothing else), so no name is looked up.
            ip = InetAddress.getByName(match == v6 ? "[" + match.group(1) + "]" : match.group(1));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--connection '" + text + "': not an IP address");
        }
        String host = ip.getHostAddress();
        return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }
}
