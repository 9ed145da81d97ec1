package io.socketaudit.agent;

import java.lang.instrument.Instrumentation;

/**
 * The agent's entry point for {@code -javaagent} and for attaching to a running JVM. It does as little as
 * it can: it puts the bridge classes on the bootstrap class path (the JDK's own classes must see them
 * before any is advised) and only then loads the rest of the agent. Nothing here may refer to the bridge
 * classes directly, or they would be loaded from the wrong place.
 */
public final class AgentEntry {

    private AgentEntry() {
    }

    /** The agent argument that detaches an attached agent instead of starting one. */
    public static final String STOP = "stop";

    public static void premain(String args, Instrumentation instrumentation) {
        start(args, instrumentation);
    }

    /** Attach: starts like premain, or stops a running agent when the argument is {@value #STOP}. */
    public static void agentmain(String args, Instrumentation instrumentation) {
        if (STOP.equals(args)) {
            try {
                runtime().getMethod("stop").invoke(null);
            } catch (Throwable t) {
                Throwable cause = t instanceof java.lang.reflect.InvocationTargetException ? t.getCause() : t;
                System.err.println("socket-audit: could not stop (" + cause + ")");
            }
            return;
        }
        start(args, instrumentation);
    }

    private static Class<?> runtime() throws ClassNotFoundException {
        return Class.forName("io.socketaudit.agent.AgentRuntime", true, AgentEntry.class.getClassLoader());
    }

    private static void start(String args, Instrumentation instrumentation) {
        try {
            BootstrapClasses.defineBridge(instrumentation);
            runtime().getMethod("start", String.class, Instrumentation.class).invoke(null, args, instrumentation);
        } catch (Throwable t) {
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException ? t.getCause() : t;
            System.err.println("socket-audit: could not start (" + cause + "); the application runs UNAUDITED");
        }
    }
}
