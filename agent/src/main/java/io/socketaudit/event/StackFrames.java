package io.socketaudit.event;

import io.socketaudit.bootstrap.SocketBridge;

import java.util.ArrayList;
import java.util.List;

/** Reading a captured closing stack: where the agent's own frames end, which frames are the JDK's. */
final class StackFrames {

    private StackFrames() {
    }

    /** The frames below the agent's capture code, innermost first. */
    static List<StackTraceElement> belowAgent(StackTraceElement[] raw) {
        int first = 0;
        while (first < raw.length && isAgentCapture(raw[first])) {
            first++;
        }
        return List.of(raw).subList(first, raw.length);
    }

    static boolean isJdk(StackTraceElement frame) {
        String module = frame.getModuleName();
        if (module != null) {
            return module.startsWith("java.") || module.startsWith("jdk.");
        }
        String c = frame.getClassName();
        return c.startsWith("java.") || c.startsWith("javax.") || c.startsWith("jdk.")
                || c.startsWith("sun.") || c.startsWith("com.sun.");
    }

    /** The first frame that is neither the JDK's nor the agent's, formatted; {@code null} if none. */
    static String caller(List<StackTraceElement> frames) {
        int index = callerIndex(frames);
        return index < 0 ? null : format(frames.get(index));
    }

    /** The index of the first frame outside the JDK, -1 if none. */
    static int callerIndex(List<StackTraceElement> frames) {
        for (int i = 0; i < frames.size(); i++) {
            if (!isJdk(frames.get(i))) {
                return i;
            }
        }
        return -1;
    }

    static boolean contains(List<StackTraceElement> frames, String className, String methodName) {
        for (StackTraceElement frame : frames) {
            if (frame.getClassName().equals(className) && (methodName == null || frame.getMethodName().equals(methodName))) {
                return true;
            }
        }
        return false;
    }

    static List<String> format(List<StackTraceElement> frames, int depth) {
        int n = Math.min(depth, frames.size());
        List<String> formatted = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            formatted.add(format(frames.get(i)));
        }
        return formatted;
    }

    /** {@code Class.method(File.java:line)}, without the module and loader prefixes of StackTraceElement.toString(). */
    static String format(StackTraceElement frame) {
        String file = frame.getFileName();
        int line = frame.getLineNumber();
        String where;
        if (frame.isNativeMethod()) {
            where = "Native Method";
        } else if (file == null) {
            where = "Unknown Source";
        } else {
            where = line >= 0 ? file + ":" + line : file;
        }
        return frame.getClassName() + "." + frame.getMethodName() + "(" + where + ")";
    }

    /** The classes between the advice and {@code new Throwable()}: the bridge, the recorder, the captures. */
    private static boolean isAgentCapture(StackTraceElement frame) {
        String c = frame.getClassName();
        return c.equals(Captured.class.getName()) || c.equals(PendingClose.class.getName())
                || c.equals(PendingOpen.class.getName()) || c.equals(PendingOpen.Request.class.getName())
                || c.equals(PendingClose.Request.class.getName())
                || c.equals(SocketEventRecorder.class.getName())
                || c.equals(SocketBridge.class.getName());
    }
}
