package io.socketaudit.e2e.libraries;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A pooling HttpClient 5 without stale-connection validation, without retries and with its own keep-alive, against
 * {@link KeepAliveServer}: it reuses a pooled connection the server has closed for idleness (the request
 * fails), then leaves another pooled connection in CLOSE_WAIT until it closes the pool, then stops the server.
 * Each wait is for the kernel's TCP state of the connection, read from {@code /proc/net/tcp}.
 *
 * <p>Argument: the server's port. Prints {@code stale: <exception>} and {@code done}.
 */
public final class StaleKeepAliveClient {

    private static final String CLOSE_WAIT = "08";
    /** Only a guard against a hang, never a synchronisation. */
    private static final long HANG_GUARD_NANOS = TimeUnit.SECONDS.toNanos(30);

    private StaleKeepAliveClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String base = "http://127.0.0.1:" + port;
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setValidateAfterInactivity(TimeValue.NEG_ONE_MILLISECOND).build())
                .build();
        // Tomcat advertises its idle timeout (the Keep-Alive header), which HttpClient would honour; clients behind
        // a proxy that drops the header, or configured with their own keep-alive, keep connections longer.
        CloseableHttpClient client = HttpClients.custom().setConnectionManager(pool).disableAutomaticRetries()
                .setKeepAliveStrategy((response, context) -> TimeValue.ofMinutes(5)).build();

        get(client, base + "/hello");
        awaitCloseWait(port);
        try {
            get(client, base + "/hello");
            throw new AssertionError("the stale connection answered");
        } catch (IOException expected) {
            System.out.println("stale: " + expected);
        }

        get(client, base + "/hello");
        awaitCloseWait(port);
        client.close();

        try (CloseableHttpClient stopper = HttpClients.createDefault()) {
            get(stopper, base + "/stop");
        }
        System.out.println("done");
    }

    private static String get(CloseableHttpClient client, String uri) throws IOException {
        return client.execute(new HttpGet(uri), response -> EntityUtils.toString(response.getEntity()));
    }

    /** Until a connection to the server's port is in CLOSE_WAIT: the server's FIN has arrived. */
    private static void awaitCloseWait(int serverPort) throws IOException {
        String remote = String.format(":%04X", serverPort);
        long deadline = System.nanoTime() + HANG_GUARD_NANOS;
        while (true) {
            // The JDK's sockets are IPv6 ones where it can, so a loopback IPv4 connection may be listed in either.
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields[2].endsWith(remote) && fields[3].equals(CLOSE_WAIT)) {
                        return;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no connection to port " + serverPort + " reached CLOSE_WAIT");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
