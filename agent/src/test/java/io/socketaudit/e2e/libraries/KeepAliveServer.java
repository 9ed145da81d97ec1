package io.socketaudit.e2e.libraries;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.CountDownLatch;

/**
 * An embedded Tomcat on a loopback ephemeral port that closes keep-alive connections idle for
 * {@link #IDLE_TIMEOUT_MS}. Prints {@code port N} once it serves; {@code GET /stop} makes it stop and exit.
 *
 * <p>Argument: Tomcat's base directory.
 */
public final class KeepAliveServer {

    static final int IDLE_TIMEOUT_MS = 1_500;

    private KeepAliveServer() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(args[0]);
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", InetAddress.getLoopbackAddress().getHostAddress());
        connector.setProperty("keepAliveTimeout", Integer.toString(IDLE_TIMEOUT_MS));
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "hello", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain");
                response.getWriter().write("ok");
                if (request.getRequestURI().equals("/stop")) {
                    stop.countDown();
                }
            }
        });
        context.addServletMappingDecoded("/", "hello");
        tomcat.start();
        System.out.println("port " + connector.getLocalPort());
        stop.await();
        tomcat.stop();
        tomcat.destroy();
    }
}
