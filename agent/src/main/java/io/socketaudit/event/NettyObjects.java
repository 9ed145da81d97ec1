package io.socketaudit.event;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * What the recorder reads from Netty's objects where the advice could not hand it over, through their public
 * methods (Netty is not on the agent's class path, and every copy of it, relocated or not, has its own classes).
 */
final class NettyObjects {

    /** {@code intValue()} of Netty's {@code FileDescriptor}: the descriptor's number. */
    private static final ClassValue<Method> INT_VALUE = publicMethod("intValue");
    /** {@code channel()} of Netty's {@code ChannelFuture}: the channel a close promise is for. */
    private static final ClassValue<Method> CHANNEL = publicMethod("channel");

    private NettyObjects() {
    }

    /** The descriptor number of Netty's native socket {@code socket}. */
    static int descriptor(Object socket) {
        return (Integer) call(INT_VALUE, socket);
    }

    /** The channel of Netty's promise {@code promise}; the same for every promise made for one channel. */
    static Object channel(Object promise) {
        return call(CHANNEL, promise);
    }

    private static Object call(ClassValue<Method> method, Object target) {
        try {
            return method.get(target.getClass()).invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The public method {@code name()} of a class, as declared by a public class or interface above it: the classes
     * Netty instantiates are often not public ({@code LinuxSocket}), the types that declare these methods are.
     */
    private static ClassValue<Method> publicMethod(String name) {
        return new ClassValue<>() {
            @Override
            protected Method computeValue(Class<?> type) {
                Method found = find(type, name);
                if (found == null) {
                    throw new IllegalArgumentException(type.getName() + " has no public " + name + "()");
                }
                return found;
            }
        };
    }

    private static Method find(Class<?> type, String name) {
        if (Modifier.isPublic(type.getModifiers())) {
            try {
                return type.getMethod(name);
            } catch (NoSuchMethodException e) {
                return null;
            }
        }
        for (Class<?> above : type.getInterfaces()) {
            Method found = find(above, name);
            if (found != null) {
                return found;
            }
        }
        return type.getSuperclass() == null ? null : find(type.getSuperclass(), name);
    }
}
