package io.socketaudit.event;

import java.util.ArrayList;
import java.util.List;

/**
 * Which frame of a stack is the application's own code: the first that is neither the JDK's nor a known
 * networking library's. {@code caller} names the first frame outside the JDK, which for a close made by a
 * library (a pool's eviction, a client's stale check, Netty on EOF) is that library; the operator's question
 * is which of their own code paths it was.
 */
public final class ApplicationFrames {

    /**
     * Package prefixes of the libraries this agent knows: Netty, gRPC, Reactor, OkHttp, Apache HttpClient (4 and
     * 5), Jetty, Tomcat, Undertow, Jedis, Lettuce, pgjdbc, MySQL Connector/J, the Cassandra and MongoDB drivers,
     * Spring's networking. Relocated copies of Netty ({@code ...shaded.io.netty.}) count as Netty.
     */
    public static final List<String> DEFAULT_LIBRARIES = List.of(
            "io.netty.", "io.grpc.", "reactor.", "okhttp3.", "okio.", "org.apache.http.", "org.apache.hc.",
            "org.eclipse.jetty.", "org.apache.tomcat.", "org.apache.catalina.", "org.apache.coyote.",
            "io.undertow.", "org.xnio.", "redis.clients.", "io.lettuce.", "org.postgresql.", "com.mysql.",
            "com.datastax.", "com.mongodb.", "org.bson.", "org.springframework.web.", "org.springframework.http.",
            "org.springframework.cloud.gateway.", "org.springframework.data.redis.");

    private static final String RELOCATED_NETTY = ".io.netty.";

    /** The defaults and those the configuration added; replaced as a whole, read by the log writer. */
    private static volatile List<String> libraries = DEFAULT_LIBRARIES;

    private ApplicationFrames() {
    }

    /** Adds package prefixes (such as {@code com.example.rpc.}) whose frames are library code too. */
    public static void addLibraries(List<String> prefixes) {
        List<String> all = new ArrayList<>(DEFAULT_LIBRARIES);
        all.addAll(prefixes);
        libraries = List.copyOf(all);
    }

    /**
     * The first frame of the application's own code among frames formatted as {@code Class.method(File.java:line)},
     * innermost first; {@code null} when they hold only JDK and library frames.
     */
    public static String first(List<String> frames) {
        for (String frame : frames) {
            if (!isJdkOrLibrary(className(frame))) {
                return frame;
            }
        }
        return null;
    }

    static boolean isJdkOrLibrary(String className) {
        if (className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.")
                || className.contains(RELOCATED_NETTY)) {
            return true;
        }
        for (String prefix : libraries) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** {@code a.b.C} of {@code a.b.C.method(C.java:1)}. */
    private static String className(String frame) {
        int paren = frame.indexOf('(');
        String qualified = paren < 0 ? frame : frame.substring(0, paren);
        int method = qualified.lastIndexOf('.');
        return method < 0 ? qualified : qualified.substring(0, method);
    }
}
