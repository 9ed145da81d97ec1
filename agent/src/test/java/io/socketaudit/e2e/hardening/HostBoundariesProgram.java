package io.socketaudit.e2e.hardening;

/**
 * Prints what the application's class path may reach of the JDK's internals: whether {@code jdk.internal.misc} is
 * exported to it, and whether its {@code Unsafe} can be had by reflection, as libraries that look for it do.
 */
public final class HostBoundariesProgram {

    private HostBoundariesProgram() {
    }

    public static void main(String[] args) {
        Module classPath = HostBoundariesProgram.class.getModule();
        System.out.println("exported=" + Object.class.getModule().isExported("jdk.internal.misc", classPath));
        System.out.println("opened=" + Object.class.getModule().isOpen("jdk.internal.misc", classPath));
        String unsafe;
        try {
            Class.forName("jdk.internal.misc.Unsafe").getMethod("getUnsafe").invoke(null);
            unsafe = "reachable";
        } catch (IllegalAccessException e) {
            unsafe = "refused";
        } catch (ReflectiveOperationException e) {
            unsafe = "failed: " + e;
        }
        System.out.println("unsafe=" + unsafe);
    }
}
