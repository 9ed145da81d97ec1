package io.socketaudit.instrumentation;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.ClassFileTransformer;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The open, close and shutdown advice for the JDK's socket classes, as a class file transformer that adds
 * advice only (no class changes shape), so it can also be applied to classes already loaded.
 */
public final class CloseInstrumentation {

    /** Type name → the advice it receives, each advice on the methods its matcher names. */
    private static final Map<String, List<Advised>> TARGETS = new LinkedHashMap<>();

    static {
        operation(SocketImplAdvice.TYPE, SocketImplAdvice.Close.class, named("close").and(takesArguments(0)));
        add(SocketImplAdvice.TYPE, SocketImplAdvice.BeforeRelease.class, named("tryClose").and(takesArguments(0)));
        operation(SocketImplAdvice.TYPE, SocketImplAdvice.ShutdownOutput.class,
                named("shutdownOutput").and(takesArguments(0)));
        operation(SocketImplAdvice.TYPE, SocketImplAdvice.ShutdownInput.class,
                named("shutdownInput").and(takesArguments(0)));
        add(SocketImplAdvice.TYPE, SocketImplAdvice.Connect.class,
                named("connect").and(takesArguments(SocketAddress.class, int.class)));
        add(SocketImplAdvice.TYPE, SocketImplAdvice.Accept.class, named("accept").and(takesArguments(1)));
        operation(SocketChannelAdvice.TYPE, SocketChannelAdvice.Close.class, named("implCloseSelectableChannel"));
        operation(SocketChannelAdvice.TYPE, SocketChannelAdvice.ShutdownOutput.class,
                named("shutdownOutput").and(takesArguments(0)));
        operation(SocketChannelAdvice.TYPE, SocketChannelAdvice.ShutdownInput.class,
                named("shutdownInput").and(takesArguments(0)));
        add(SocketChannelAdvice.TYPE, SocketChannelAdvice.Connected.class,
                namedOneOf("connect", "finishConnect").and(returns(boolean.class)));
        add(SocketChannelAdvice.TYPE, SocketChannelAdvice.BlockingConnect.class, named("blockingConnect"));
        add(SocketChannelAdvice.TYPE, SocketChannelAdvice.Accepted.class, isConstructor().and(takesArguments(4)));
        operation(AsyncChannelAdvice.SOCKET_TYPE, AsyncChannelAdvice.Close.class,
                named("implClose").and(takesArguments(0)));
        add(AsyncChannelAdvice.SOCKET_TYPE, AsyncChannelAdvice.ConnectRequested.class, named("implConnect"));
        add(AsyncChannelAdvice.SOCKET_TYPE, AsyncChannelAdvice.Connected.class, named("setConnected"));
        add(AsyncChannelAdvice.SOCKET_TYPE, AsyncChannelAdvice.Accepted.class, isConstructor().and(takesArguments(3)));
        operation(AsyncChannelAdvice.SOCKET_BASE_TYPE, AsyncChannelAdvice.ShutdownOutput.class,
                named("shutdownOutput").and(takesArguments(0)));
        operation(AsyncChannelAdvice.SOCKET_BASE_TYPE, AsyncChannelAdvice.ShutdownInput.class,
                named("shutdownInput").and(takesArguments(0)));
        operation(AsyncChannelAdvice.SERVER_TYPE, AsyncChannelAdvice.ServerClose.class,
                named("implClose").and(takesArguments(0)));
        operation(ServerChannelAdvice.TYPE, ServerChannelAdvice.Close.class, named("implCloseSelectableChannel"));
        operation(TlsAdvice.SOCKET_TYPE, TlsAdvice.Close.class, named("close").and(takesArguments(0)));
        add(TlsAdvice.OUTPUT_RECORD_TYPE, TlsAdvice.AlertWritten.class, named("encodeAlert").and(takesArguments(2)));
    }

    private CloseInstrumentation() {
    }

    /** Every advised type is on the name list that the early transformer and the ignore matcher use. */
    static boolean coversAllTargets() {
        return AdvisedTypes.NAMES.containsAll(TARGETS.keySet()) && TARGETS.keySet().containsAll(AdvisedTypes.NAMES);
    }

    /**
     * Builds the transformer, not yet registered. {@code transformed} (safe for concurrent use) collects the name
     * of every advised class; {@code onError} hears of every class that could not be advised, so that a JDK whose
     * internals moved is reported in the log rather than silently unaudited.
     */
    public static ClassFileTransformer transformer(Set<String> transformed, BiConsumer<String, Throwable> onError) {
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                .disableClassFormatChanges()
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
                .with(new Reporting(transformed, onError))
                // Byte Buddy skips bootstrap classes by default; a name check keeps every other class cheap.
                .ignore(not(namedOneOf(AdvisedTypes.NAMES.toArray(new String[0]))));
        for (Map.Entry<String, List<Advised>> target : TARGETS.entrySet()) {
            List<Advised> advice = target.getValue();
            builder = builder.type(named(target.getKey())).transform(
                    (DynamicType.Builder<?> type, TypeDescription description, ClassLoader loader,
                     JavaModule module, java.security.ProtectionDomain domain) -> {
                        DynamicType.Builder<?> result = type;
                        for (Advised a : advice) {
                            result = result.visit(a.advice().on(a.methods()));
                        }
                        return result;
                    });
        }
        return builder.makeRaw();
    }

    /** Advice complete in itself. */
    private static void add(String type, Class<?> adviceClass, ElementMatcher<? super MethodDescription> methods) {
        TARGETS.computeIfAbsent(type, t -> new ArrayList<>()).add(new Advised(Advice.to(adviceClass), methods));
    }

    /** A close or shutdown: its enter advice starts the operation, {@link OperationEnd} ends it. */
    private static void operation(String type, Class<?> enterAdvice, ElementMatcher<? super MethodDescription> methods) {
        TARGETS.computeIfAbsent(type, t -> new ArrayList<>())
                .add(new Advised(Advice.to(enterAdvice, OperationEnd.class), methods));
    }

    private record Advised(Advice advice, ElementMatcher<? super MethodDescription> methods) {
    }

    private static final class Reporting extends AgentBuilder.Listener.Adapter {
        private final Set<String> transformed;
        private final BiConsumer<String, Throwable> onError;

        Reporting(Set<String> transformed, BiConsumer<String, Throwable> onError) {
            this.transformed = transformed;
            this.onError = onError;
        }

        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module,
                                     boolean loaded, DynamicType dynamicType) {
            transformed.add(type.getName());
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            onError.accept(typeName, error);
        }
    }
}
