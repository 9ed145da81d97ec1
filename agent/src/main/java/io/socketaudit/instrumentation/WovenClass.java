package io.socketaudit.instrumentation;

import java.util.Arrays;

/**
 * A JDK class as {@code java.base} had it and as the agent wove it. When a later JVM of the same JDK and agent
 * loads the class with exactly those bytes, the woven ones are used as they are, without Byte Buddy.
 */
public record WovenClass(String name, byte[] original, byte[] woven) {

    /** The woven class, when {@code classFile} is exactly the original this was woven from; else {@code null}. */
    byte[] wovenFrom(byte[] classFile) {
        return Arrays.equals(original, classFile) ? woven : null;
    }
}
