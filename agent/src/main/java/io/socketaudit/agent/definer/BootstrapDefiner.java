package io.socketaudit.agent.definer;

import jdk.internal.misc.Unsafe;

/**
 * Defines the bridge's classes in the bootstrap class loader. It runs in a class loader of its own, whose module
 * is the only one {@code jdk.internal.misc} is exported to: the application's modules gain no access to the JDK's
 * internals because of the agent. Compiled with the bridge, against that package.
 */
public final class BootstrapDefiner {

    private BootstrapDefiner() {
    }

    public static Class<?> define(String name, byte[] classFile) {
        return Unsafe.getUnsafe().defineClass(name, classFile, 0, classFile.length, null, null);
    }
}
