package io.socketaudit.instrumentation;

import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.TypeInitializer;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.implementation.auxiliary.AuxiliaryType;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import static net.bytebuddy.matcher.ElementMatchers.hasDescriptor;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Weaves the open, close and shutdown advice into one JDK class file: Byte Buddy's {@link Advice} applied as
 * an ASM visitor between a {@code ClassReader} and a {@code ClassWriter}, without an {@code AgentBuilder}, whose
 * machinery cost more CPU at start than the few classes it would advise. Only advice is added, no member, so
 * the result is also valid for retransforming a class already loaded. Loaded on the first class to advise,
 * so that a JVM which never loads a socket class never loads Byte Buddy either.
 */
final class AdviceWeaver {

    /**
     * Type name → what it is advised with, each advice on the methods its matcher names. The matchers name
     * types by their names only: a matcher built from a {@code Class}, such as
     * {@code takesArguments(SocketAddress.class, int.class)}, describes it by reflection, which cost the first
     * advised class about 70 ms.
     */
    private static final Map<String, List<Target>> TARGETS = new LinkedHashMap<>();

    static {
        operation(SocketImplAdvice.TYPE, SocketImplAdvice.Close.class, named("close").and(takesArguments(0)));
        add(SocketImplAdvice.TYPE, SocketImplAdvice.BeforeRelease.class, named("tryClose").and(takesArguments(0)));
        operation(SocketImplAdvice.TYPE, SocketImplAdvice.ShutdownOutput.class,
                named("shutdownOutput").and(takesArguments(0)));
        operation(SocketImplAdvice.TYPE, SocketImplAdvice.ShutdownInput.class,
                named("shutdownInput").and(takesArguments(0)));
        add(SocketImplAdvice.TYPE, SocketImplAdvice.Connect.class,
                named("connect").and(hasDescriptor("(Ljava/net/SocketAddress;I)V")));
        add(SocketImplAdvice.TYPE, SocketImplAdvice.Accept.class, named("accept").and(takesArguments(1)));
        operation(SocketChannelAdvice.TYPE, SocketChannelAdvice.Close.class, named("implCloseSelectableChannel"));
        add(SocketChannelAdvice.TYPE, SocketChannelAdvice.BeforeRelease.class, named("tryClose").and(takesArguments(0)));
        operation(SocketChannelAdvice.TYPE, SocketChannelAdvice.ShutdownOutput.class,
                named("shutdownOutput").and(takesArguments(0)));
        operation(SocketChannelAdvice.TYPE, SocketChannelAdvice.ShutdownInput.class,
                named("shutdownInput").and(takesArguments(0)));
        add(SocketChannelAdvice.TYPE, SocketChannelAdvice.Connected.class,
                namedOneOf("connect", "finishConnect").and(returns(named("boolean"))));
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
        add(NettySocketAdvice.FILE_DESCRIPTOR_TYPE, NettySocketAdvice.MarkClosed.class,
                named("markClosed").and(takesArguments(0)));
        operation(NettySocketAdvice.SOCKET_TYPE, NettySocketAdvice.Shutdown.class,
                named("shutdown").and(takesArguments(2)).and(not(isNative())));
        add(NettySocketAdvice.SOCKET_TYPE, NettySocketAdvice.Connected.class,
                namedOneOf("connect", "finishConnect").and(returns(named("boolean"))).and(not(isNative())));
        add(NettySocketAdvice.SOCKET_TYPE, NettySocketAdvice.Created.class,
                isConstructor().and(hasDescriptor("(I)V")));
        add(NettySocketAdvice.IO_URING_CHANNEL_TYPE, NettySocketAdvice.RingConnected.class,
                named("computeRemote").and(takesArguments(0)));
        add(NettySocketAdvice.IO_URING_INCUBATOR_CHANNEL_TYPE, NettySocketAdvice.RingConnected.class,
                named("computeRemote").and(takesArguments(0)));
        add(NettySocketAdvice.HANDLER_CONTEXT_TYPE, NettySocketAdvice.CloseRequested.class,
                named("close").and(takesArguments(1)));
        add(NettySocketAdvice.UNSAFE_TYPE, NettySocketAdvice.Closing.class,
                named("doClose0").and(takesArguments(1)));
    }

    /**
     * The advice classes, described from their class files rather than by reflection: reflection would make the
     * JDK build a proxy class for every annotation on them. Their descriptions are kept for the next class.
     */
    private static final ClassFileLocator ADVICE_CLASS_FILES =
            ClassFileLocator.ForClassLoader.of(AdviceWeaver.class.getClassLoader());
    private static final TypePool ADVICE_TYPES = new TypePool.Default(TypePool.CacheProvider.Simple.withObjectType(),
            ADVICE_CLASS_FILES, TypePool.Default.ReaderMode.FAST);

    /** Parsing an advice class is most of the work of building it: once per class for the JVM's life. */
    private static final Map<String, Advice> ADVICE = new ConcurrentHashMap<>();

    /**
     * Every advised class and every type the advice looks at (its superclasses, its fields' types) is in
     * {@code java.base}; its class files are read from the module, without a class loader's resource lookup.
     */
    private static final ClassFileLocator JAVA_BASE = new ClassFileLocator() {
        @Override
        public Resolution locate(String name) throws IOException {
            try (InputStream in = Object.class.getModule().getResourceAsStream(name.replace('.', '/') + ".class")) {
                return in == null ? new Resolution.Illegal(name) : new Resolution.Explicit(in.readAllBytes());
            }
        }

        @Override
        public void close() {
        }
    };

    private AdviceWeaver() {
    }

    /**
     * Does ahead, on the calling thread, what the first weave would otherwise do on the application's thread
     * that loads the first socket class: loads and initialises the weaving code, parses the JDK classes' advice,
     * and weaves one class as {@code java.base} has it, throwing the result away. What goes wrong here goes wrong
     * again in the real weave, which reports it.
     */
    static void prepare() throws IOException {
        for (String name : AdvisedTypes.NAMES) { // the JDK's: Netty's advice waits for Netty
            for (Target target : TARGETS.get(name)) {
                target.advice();
            }
        }
        weave(SocketImplAdvice.TYPE, JAVA_BASE.locate(SocketImplAdvice.TYPE).resolve(), null, (type, error) -> { });
    }

    /**
     * Every JDK class woven as {@code java.base} has it, for a later JVM to reuse; a class whose advice did not
     * all apply is left out (the weave at its loading reports why).
     */
    static List<WovenClass> weaveJdkClasses() throws IOException {
        List<WovenClass> woven = new ArrayList<>();
        for (String name : AdvisedTypes.NAMES) {
            byte[] original = JAVA_BASE.locate(name).resolve();
            boolean[] failed = new boolean[1];
            try {
                byte[] result = weave(name, original, null, (type, error) -> failed[0] = true);
                if (!failed[0]) {
                    woven.add(new WovenClass(name, original, result));
                }
            } catch (RuntimeException e) {
                // not kept: this class is woven, and its failure reported, when it loads
            }
        }
        return woven;
    }

    /** Every advised type is on the name list that the transformer matches class names with, and only those. */
    static boolean coversAllTargets() {
        List<String> names = new ArrayList<>(AdvisedTypes.NAMES);
        names.addAll(AdvisedTypes.NETTY_NAMES);
        return names.containsAll(TARGETS.keySet()) && TARGETS.keySet().containsAll(names);
    }

    /**
     * The advice classes woven into {@code type}, by name, exit advice included: what a test holds against the
     * fields and methods of the JDK it runs on.
     */
    static List<String> adviceClassNames(String type) {
        List<String> names = new ArrayList<>();
        for (Target target : TARGETS.getOrDefault(type, List.of())) {
            names.add(target.adviceName());
            if (target.exitAdviceName() != null) {
                names.add(target.exitAdviceName());
            }
        }
        return names;
    }

    /**
     * Returns {@code classFile} of the class {@code name}, defined by {@code loader} ({@code null}: the boot
     * loader), with its advice woven in. An advice that finds no method to go on (the JDK's or Netty's internals
     * moved) is reported to {@code onError} and the rest is still woven; an advice that cannot be applied (a field
     * it reads is missing) throws, and nothing is woven.
     */
    static byte[] weave(String name, byte[] classFile, ClassLoader loader, BiConsumer<String, Throwable> onError) {
        List<Target> targets = TARGETS.get(loader == null ? name : AdvisedTypes.nettyName(name));
        if (targets == null) {
            throw new IllegalArgumentException(name + " is not advised");
        }
        // The class as given, which another agent may have changed; its superclasses as its loader has them
        // (Netty's Socket reads fields of its FileDescriptor), java.base's from the module.
        ClassFileLocator others = loader == null ? JAVA_BASE
                : new ClassFileLocator.Compound(ClassFileLocator.ForClassLoader.of(loader), JAVA_BASE);
        TypePool pool = new TypePool.Default.WithLazyResolution(TypePool.CacheProvider.Simple.withObjectType(),
                new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, classFile), others),
                TypePool.Default.ReaderMode.FAST);
        TypeDescription type = pool.describe(name).resolve();
        int[] applied = new int[targets.size()];
        AsmVisitorWrapper.ForDeclaredMethods wrapper = new AsmVisitorWrapper.ForDeclaredMethods();
        for (int i = 0; i < targets.size(); i++) {
            int index = i;
            Advice advice = targets.get(i).advice();
            wrapper = wrapper.invokable(targets.get(i).methods(),
                    (instrumentedType, method, visitor, context, typePool, writerFlags, readerFlags) -> {
                        applied[index]++;
                        return advice.wrap(instrumentedType, method, visitor, context, typePool, writerFlags,
                                readerFlags);
                    });
        }
        ClassFileVersion version = ClassFileVersion.ofClassFile(classFile);
        ClassReader reader = OpenedClassReader.of(classFile);
        // Advice writes its own stack map frames: the writer computes none and copies unadvised methods as they are.
        int writerFlags = wrapper.mergeWriter(AsmVisitorWrapper.NO_FLAGS);
        int readerFlags = wrapper.mergeReader(AsmVisitorWrapper.NO_FLAGS);
        ClassWriter writer = new ClassWriter(reader, writerFlags);
        // A disabled context: advice that would need a new member (an accessor, a cached field) fails instead.
        Implementation.Context context = Implementation.Context.Disabled.Factory.INSTANCE.make(type,
                new AuxiliaryType.NamingStrategy.Suffixing("socketaudit"), TypeInitializer.None.INSTANCE,
                version, version);
        reader.accept(wrapper.wrap(type, writer, context, pool, type.getDeclaredFields(), type.getDeclaredMethods(),
                writerFlags, readerFlags), readerFlags);
        for (int i = 0; i < targets.size(); i++) {
            if (applied[i] == 0) {
                onError.accept(name, new IllegalStateException("no method matches " + targets.get(i).methods()
                        + "; " + targets.get(i).adviceName() + " is missing"));
            }
        }
        return writer.toByteArray();
    }

    /** Advice complete in itself. */
    private static void add(String type, Class<?> adviceClass, ElementMatcher<? super MethodDescription> methods) {
        TARGETS.computeIfAbsent(type, t -> new ArrayList<>()).add(new Target(adviceClass.getName(), null, methods));
    }

    /** A close or shutdown: its enter advice starts the operation, {@link OperationEnd} ends it. */
    private static void operation(String type, Class<?> enterAdvice, ElementMatcher<? super MethodDescription> methods) {
        TARGETS.computeIfAbsent(type, t -> new ArrayList<>())
                .add(new Target(enterAdvice.getName(), OperationEnd.class.getName(), methods));
    }

    /** An advice class, with {@link OperationEnd} as its exit advice or none, and the methods it goes on. */
    private record Target(String adviceName, String exitAdviceName, ElementMatcher<? super MethodDescription> methods) {

        Advice advice() {
            return ADVICE.computeIfAbsent(adviceName, n -> exitAdviceName == null
                    ? Advice.to(ADVICE_TYPES.describe(adviceName).resolve(), ADVICE_CLASS_FILES)
                    : Advice.to(ADVICE_TYPES.describe(adviceName).resolve(),
                            ADVICE_TYPES.describe(exitAdviceName).resolve(), ADVICE_CLASS_FILES));
        }
    }
}
