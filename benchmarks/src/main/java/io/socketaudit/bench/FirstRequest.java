package io.socketaudit.bench;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An embedded Tomcat serving one trivial servlet on a loopback ephemeral port, asked once by this JVM itself over a
 * plain {@link Socket}: how long from the JVM's start until a service's first response, the moment an agent's start-up
 * costs a user most. Prints {@link System#nanoTime()} when Tomcat has started and when the whole response has arrived
 * (the harness subtracts the moment it started the process: on Linux both read CLOCK_MONOTONIC), then stops Tomcat
 * and exits.
 *
 * <p>Argument: Tomcat's base directory (created if needed).
 */
public final class FirstRequest {

    private FirstRequest() {
    }

    /** Answers every GET with a short plain-text body. */
    static final class HelloServlet extends HttpServlet {

        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType("text/plain");
            response.getWriter().write("hello\n");
        }
    }

    public static void main(String[] args) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(args[0]);
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", InetAddress.getLoopbackAddress().getHostAddress());
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "hello", new HelloServlet());
        context.addServletMappingDecoded("/", "hello");
        tomcat.start();
        long started = System.nanoTime();

        String status;
        int bytes;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), connector.getLocalPort())) {
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // Connection: close, so the response ends where the stream does.
            InputStream in = socket.getInputStream();
            byte[] response = in.readAllBytes();
            bytes = response.length;
            String text = new String(response, StandardCharsets.US_ASCII);
            int eol = text.indexOf("\r\n");
            status = eol > 0 ? text.substring(0, eol) : text;
        }
        long responded = System.nanoTime();
        tomcat.stop();
        tomcat.destroy();
        Results.print("startedNanos", started, "responseNanos", responded, "status", status, "bytes", bytes,
                "ok", status.startsWith("HTTP/1.1 200"));
        System.exit(0);
    }
}
