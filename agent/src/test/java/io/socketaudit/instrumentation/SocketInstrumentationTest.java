package io.socketaudit.instrumentation;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.instrument.ClassFileTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transformer on the running JDK's own class files, as the JVM hands them over; and every JDK class, method,
 * field and constant the advice and the native library rely on, present in this JDK with the shape they expect.
 */
class SocketInstrumentationTest {

    private static final String BRIDGE = "io/socketaudit/bootstrap/SocketBridge";

    /**
     * Per advised class, the methods (by name) that call the bridge once woven, and which bridge methods each
     * calls; no other method of the class may call it.
     */
    private static final Map<String, Map<String, Set<String>>> EXPECTED = Map.of(
            "sun.nio.ch.NioSocketImpl", Map.of(
                    "close", Set.of("enter", "exit"),
                    "tryClose", Set.of("beforeRelease"),
                    "shutdownOutput", Set.of("enter", "exit"),
                    "shutdownInput", Set.of("enter", "exit"),
                    "connect", Set.of("opened"),
                    "accept", Set.of("opened")),
            "sun.nio.ch.SocketChannelImpl", Map.of(
                    "implCloseSelectableChannel", Set.of("enter", "exit"),
                    "tryClose", Set.of("beforeRelease"),
                    "shutdownOutput", Set.of("enter", "exit"),
                    "shutdownInput", Set.of("enter", "exit"),
                    "connect", Set.of("opened"),
                    "finishConnect", Set.of("opened"),
                    "blockingConnect", Set.of("opened"),
                    "<init>", Set.of("opened")),
            "sun.nio.ch.UnixAsynchronousSocketChannelImpl", Map.of(
                    "implClose", Set.of("enter", "exit"),
                    "implConnect", Set.of("connecting"),
                    "setConnected", Set.of("opened"),
                    "<init>", Set.of("opened")),
            "sun.nio.ch.AsynchronousSocketChannelImpl", Map.of(
                    "shutdownOutput", Set.of("enter", "exit"),
                    "shutdownInput", Set.of("enter", "exit")),
            "sun.nio.ch.UnixAsynchronousServerSocketChannelImpl", Map.of(
                    "implClose", Set.of("enter", "exit")),
            "sun.nio.ch.ServerSocketChannelImpl", Map.of(
                    "implCloseSelectableChannel", Set.of("enter", "exit")),
            "sun.security.ssl.SSLSocketImpl", Map.of(
                    "close", Set.of("enterTlsClose", "exit")),
            "sun.security.ssl.SSLSocketOutputRecord", Map.of(
                    "encodeAlert", Set.of("tlsAlert")));

    private final Set<String> transformed = ConcurrentHashMap.newKeySet();
    private final List<String> errors = new ArrayList<>();
    private final ClassFileTransformer transformer = SocketInstrumentation.transformer(transformed, Map.of(),
            (type, error) -> errors.add(type + ": " + error));

    @Test
    void theTransformerKnowsEveryAdvisedType() {
        assertTrue(AdviceWeaver.coversAllTargets(),
                "AdvisedTypes.NAMES must list exactly the types AdviceWeaver advises");
        assertEquals(new TreeSet<>(AdvisedTypes.NAMES), new TreeSet<>(EXPECTED.keySet()), "the expectations below");
    }

    @Test
    void everyAdvisedTypeExistsInThisJdk() throws Exception {
        for (String name : AdvisedTypes.NAMES) {
            Class.forName(name, false, null);
        }
    }

    /**
     * Every field an advice reads ({@code @Advice.FieldValue}) is in the class it is woven into, or a superclass,
     * with a type the advice can take it as: a JDK that renames or retypes one fails here by its name.
     */
    @Test
    void everyFieldTheAdviceReadsIsInThisJdkWithTheTypeItIsReadAs() throws Exception {
        List<Executable> checks = new ArrayList<>();
        for (String type : AdvisedTypes.NAMES) {
            Map<String, String> fields = jdkFields(type);
            for (String adviceName : AdviceWeaver.adviceClassNames(type)) {
                String advice = adviceName.substring(adviceName.lastIndexOf('.') + 1);
                for (Method method : Class.forName(adviceName).getDeclaredMethods()) {
                    for (Parameter parameter : method.getParameters()) {
                        Advice.FieldValue read = parameter.getAnnotation(Advice.FieldValue.class);
                        if (read == null) {
                            continue;
                        }
                        String field = read.value();
                        String descriptor = fields.get(field);
                        checks.add(() -> {
                            assertNotNull(descriptor, type + " has no field '" + field + "', which " + advice + " reads");
                            assertTrue(readableAs(descriptor, parameter.getType()), type + "." + field + " is "
                                    + descriptor + ", which " + advice + " cannot read as " + parameter.getType());
                        });
                    }
                }
            }
        }
        assertAll(checks);
    }

    /** The JDK's private state numbers the advice compares with, as compile-time constants of its own. */
    @Test
    void theStateNumbersTheAdviceCarriesAreThisJdks() throws Exception {
        Map<String, Integer> carried = Map.of(
                SocketImplAdvice.TYPE + ".ST_UNCONNECTED", SocketImplAdvice.ST_UNCONNECTED,
                SocketImplAdvice.TYPE + ".ST_CONNECTED", SocketImplAdvice.ST_CONNECTED,
                SocketChannelAdvice.TYPE + ".ST_CONNECTED", SocketChannelAdvice.ST_CONNECTED,
                AsyncChannelAdvice.SOCKET_BASE_TYPE + ".ST_CONNECTED", AsyncChannelAdvice.ST_CONNECTED);
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, Integer> constant : carried.entrySet()) {
            String name = constant.getKey();
            int dot = name.lastIndexOf('.');
            Object value = jdkConstant(name.substring(0, dot), name.substring(dot + 1));
            checks.add(() -> assertEquals(constant.getValue(), value, name + " in this JDK"));
        }
        assertAll(checks);
    }

    /**
     * The JDK fields the native library reads through JNI ({@code GetFieldID} in {@code src/main/native}), with the
     * class each is looked up in. The library does without some of them (a TLS close is then probed underneath, a
     * stack decoded the slow way) but on every JDK it supports they are there.
     */
    private static final Map<String, Set<String>> NATIVE_FIELDS = Map.of(
            "java.io.FileDescriptor", Set.of("fd I"),
            "java.net.SocketImpl", Set.of("fd Ljava/io/FileDescriptor;", "address Ljava/net/InetAddress;", "port I"),
            "java.net.Socket", Set.of("impl Ljava/net/SocketImpl;"),
            "java.net.DelegatingSocketImpl", Set.of("delegate Ljava/net/SocketImpl;"),
            "sun.security.ssl.BaseSSLSocketImpl", Set.of("self Ljava/net/Socket;"),
            "sun.nio.ch.FileChannelImpl", Set.of("fd Ljava/io/FileDescriptor;"),
            "java.lang.Throwable", Set.of("backtrace Ljava/lang/Object;"));

    private static final Pattern GET_FIELD_ID =
            Pattern.compile("GetFieldID\\(env, \\w+, \"(\\w+)\", \"([^\"]+)\"\\)");

    @Test
    void everyJdkFieldTheNativeLibraryReadsIsInThisJdkWithItsType() throws IOException {
        Set<String> lookedUp = new TreeSet<>();
        try (DirectoryStream<Path> sources = Files.newDirectoryStream(Path.of("src/main/native"), "*.c")) {
            for (Path source : sources) {
                Matcher lookup = GET_FIELD_ID.matcher(Files.readString(source));
                while (lookup.find()) {
                    lookedUp.add(lookup.group(1) + " " + lookup.group(2));
                }
            }
        }
        Set<String> listed = new TreeSet<>();
        NATIVE_FIELDS.values().forEach(listed::addAll);
        assertEquals(listed, lookedUp, "the fields the C sources look up, against the list above");
        List<Executable> checks = new ArrayList<>();
        for (Map.Entry<String, Set<String>> type : NATIVE_FIELDS.entrySet()) {
            Map<String, String> fields = jdkFields(type.getKey());
            for (String field : type.getValue()) {
                String[] nameAndDescriptor = field.split(" ");
                checks.add(() -> assertEquals(nameAndDescriptor[1], fields.get(nameAndDescriptor[0]),
                        type.getKey() + "." + nameAndDescriptor[0] + ", which the native library reads"));
            }
        }
        assertAll(checks);
    }

    /** The fields of a {@code java.base} class and its superclasses, name to descriptor, from the class files. */
    private static Map<String, String> jdkFields(String type) throws IOException {
        Map<String, String> fields = new TreeMap<>();
        for (String name = type; name != null; ) {
            ClassReader reader = new ClassReader(classFile(name));
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public FieldVisitor visitField(int access, String field, String descriptor, String signature,
                                               Object value) {
                    fields.putIfAbsent(field, descriptor); // a subclass's field hides its superclass's
                    return null;
                }
            }, ClassReader.SKIP_CODE);
            name = reader.getSuperName() == null ? null : reader.getSuperName().replace('/', '.');
        }
        return fields;
    }

    /** The value of a JDK class's static final constant, as its class file holds it; null when there is none. */
    private static Object jdkConstant(String type, String constant) throws IOException {
        Object[] value = new Object[1];
        new ClassReader(classFile(type)).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public FieldVisitor visitField(int access, String field, String descriptor, String signature, Object v) {
                if (field.equals(constant)) {
                    value[0] = v;
                }
                return null;
            }
        }, ClassReader.SKIP_CODE);
        return value[0];
    }

    private static boolean readableAs(String descriptor, Class<?> parameter) throws ClassNotFoundException {
        if (parameter.isPrimitive() || descriptor.length() == 1) {
            return Type.getDescriptor(parameter).equals(descriptor);
        }
        Class<?> field = Class.forName(Type.getType(descriptor).getClassName(), false, null);
        return parameter.isAssignableFrom(field);
    }

    /** Fails when the JDK renames a field the advice reads or a method it goes on. */
    @Test
    void everyAdvisedClassOfThisJdkIsWovenWithoutError() throws Exception {
        for (String name : AdvisedTypes.NAMES) {
            assertNotNull(transform(name, classFile(name)), name + " was not transformed: " + errors);
        }
        assertEquals(List.of(), errors, "errors while advising");
        assertEquals(new TreeSet<>(AdvisedTypes.NAMES), new TreeSet<>(transformed), "the transformed set");
    }

    @Test
    void theAdviceLandsOnTheExpectedMethodsAndNowhereElse() throws Exception {
        List<Executable> checks = new ArrayList<>();
        for (String name : AdvisedTypes.NAMES) {
            byte[] woven = transform(name, classFile(name));
            Map<String, Set<String>> calls = bridgeCallsByMethod(woven);
            checks.add(() -> assertEquals(new TreeMap<>(EXPECTED.get(name)), calls,
                    "bridge calls by method in " + name));
            checks.add(() -> assertEquals(Map.of(), bridgeCallsByMethod(classFile(name)), "the original " + name));
        }
        assertAll(checks);
        assertEquals(List.of(), errors, "errors while advising");
    }

    /** What a later run reuses is what weaving the class as java.base has it gives, for every advised class. */
    @Test
    void theJdkClassesWovenForLaterRunsAreTheClassesAsTheTransformerWeavesThem() throws Exception {
        List<WovenClass> woven = AdviceWeaver.weaveJdkClasses();
        assertEquals(AdvisedTypes.NAMES, woven.stream().map(WovenClass::name).toList());
        for (WovenClass w : woven) {
            assertTrue(java.util.Arrays.equals(classFile(w.name()), w.original()), w.name() + ": the original");
            assertTrue(java.util.Arrays.equals(transform(w.name(), classFile(w.name())), w.woven()),
                    w.name() + ": the woven class");
        }
        assertEquals(List.of(), errors, "errors while advising");
    }

    @Test
    void aClassWovenEarlierIsTakenOnlyWhenItArrivesWithTheSameBytes() throws Exception {
        String name = "sun.nio.ch.NioSocketImpl";
        byte[] marker = {1, 2, 3};
        ClassFileTransformer reusing = SocketInstrumentation.transformer(transformed,
                Map.of(name, new WovenClass(name, classFile(name), marker)), (type, error) -> errors.add(type + ": " + error));
        assertTrue(marker == reusing.transform(null, null, name.replace('.', '/'), null, null, classFile(name)),
                "the same bytes: the earlier weave, as it is");
        assertTrue(transformed.contains(name), "in the transformed set");

        // What another agent that changed the class first would hand over.
        byte[] changed = rewrite(classFile(name), writer -> new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visitEnd() {
                super.visitField(Opcodes.ACC_PRIVATE, "addedByAnotherAgent", "I", null, null);
                super.visitEnd();
            }
        });
        byte[] wovenNow = reusing.transform(null, null, name.replace('.', '/'), null, null, changed);
        assertNotNull(wovenNow, "other bytes: woven now");
        assertEquals(new TreeMap<>(EXPECTED.get(name)), bridgeCallsByMethod(wovenNow));
        assertNull(reusing.transform(null, new java.net.URLClassLoader(new java.net.URL[0]),
                name.replace('.', '/'), null, null, classFile(name)), "the name from another loader: untouched");
        assertEquals(List.of(), errors, "errors while advising");
    }

    /** A field only the advised class declares: {@code fd} would be found in SocketImpl, its superclass. */
    @Test
    void aFieldTheAdviceReadsMissingIsReportedAndTheClassLoadsAsItIs() throws Exception {
        String name = "sun.nio.ch.NioSocketImpl";
        byte[] renamed = rewrite(classFile(name), writer -> new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public FieldVisitor visitField(int access, String field, String descriptor, String signature,
                                           Object value) {
                return super.visitField(access, field.equals("state") ? "state$moved" : field, descriptor, signature,
                        value);
            }
        });
        assertTrue(transform(name, renamed) == null, "nothing woven");
        assertEquals(1, errors.size(), () -> "one error: " + errors);
        assertTrue(errors.get(0).startsWith(name + ": ") && errors.get(0).contains("state"), errors.get(0));
        assertTrue(transformed.isEmpty(), "not in the transformed set");
    }

    @Test
    void aMethodTheAdviceGoesOnMissingIsReportedAndTheRestIsWoven() throws Exception {
        String name = "sun.nio.ch.NioSocketImpl";
        byte[] renamed = rewrite(classFile(name), writer -> new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                                             String[] exceptions) {
                return super.visitMethod(access, method.equals("tryClose") ? "tryClose$moved" : method, descriptor,
                        signature, exceptions);
            }
        });
        byte[] woven = transform(name, renamed);
        assertNotNull(woven, "the rest is woven");
        assertEquals(1, errors.size(), () -> "one error: " + errors);
        assertTrue(errors.get(0).startsWith(name + ": ") && errors.get(0).contains("tryClose")
                && errors.get(0).contains("BeforeRelease"), errors.get(0));
        Map<String, Set<String>> expected = new TreeMap<>(EXPECTED.get(name));
        expected.remove("tryClose");
        assertEquals(expected, bridgeCallsByMethod(woven));
    }

    @Test
    void otherClassesAndOtherLoadersPassUntouched() throws Exception {
        String socketImpl = "sun/nio/ch/NioSocketImpl";
        byte[] bytes = classFile("sun.nio.ch.NioSocketImpl");
        assertNull(transformer.transform(null, getClass().getClassLoader(), socketImpl, null, null, bytes),
                "a class of that name from another loader is not the JDK's");
        assertNull(transformer.transform(null, null, "java/net/Socket", null, null, classFile("java.net.Socket")));
        assertNull(transformer.transform(null, null, null, null, null, bytes), "a hidden class has no name");
        assertEquals(List.of(), errors);
        assertTrue(transformed.isEmpty());
    }

    /** Netty's native socket classes, from the test class path, per class: the methods that call the bridge. */
    private static final Map<String, Map<String, Set<String>>> NETTY_EXPECTED = Map.of(
            "io.netty.channel.unix.FileDescriptor", Map.of(
                    "markClosed", Set.of("nativeClose")),
            "io.netty.channel.unix.Socket", Map.of(
                    "shutdown", Set.of("enterNative", "exit"),
                    "connect", Set.of("nativeOpened"),
                    "finishConnect", Set.of("nativeOpened"),
                    "<init>", Set.of("nativeOpened")),
            "io.netty.channel.AbstractChannelHandlerContext", Map.of(
                    "close", Set.of("nettyCloseRequested", "nettyCloseRequestReturned")),
            "io.netty.channel.AbstractChannel$AbstractUnsafe", Map.of(
                    "doClose0", Set.of("nettyCloseRuns", "nettyCloseDone")),
            "io.netty.channel.uring.AbstractIoUringChannel", Map.of(
                    "computeRemote", Set.of("nativeOpened")),
            "io.netty.incubator.channel.uring.AbstractIOUringChannel", Map.of(
                    "computeRemote", Set.of("nativeOpened")));

    @Test
    void nettysNativeSocketClassesAreWovenWhereverTheirLoaderIs() throws Exception {
        assertEquals(new TreeSet<>(AdvisedTypes.NETTY_NAMES), new TreeSet<>(NETTY_EXPECTED.keySet()));
        ClassLoader loader = getClass().getClassLoader();
        List<Executable> checks = new ArrayList<>();
        for (String name : AdvisedTypes.NETTY_NAMES) {
            byte[] woven = transformer.transform(null, loader, name.replace('.', '/'), null, null, nettyClassFile(name));
            checks.add(() -> assertNotNull(woven, name + " was not transformed: " + errors));
            checks.add(() -> assertEquals(new TreeMap<>(NETTY_EXPECTED.get(name)), bridgeCallsByMethod(woven), name));
        }
        assertAll(checks);
        assertEquals(List.of(), errors, "errors while advising");
    }

    /** gRPC carries Netty relocated under its own package; the copy's superclass is found through its loader. */
    @Test
    void aRelocatedCopyOfNettyIsWovenToo() throws Exception {
        String prefix = "io/grpc/netty/shaded/";
        // Every Netty class file, its superclasses included, as a relocating build would have made it.
        ClassLoader shaded = new ClassLoader(getClass().getClassLoader()) {
            @Override
            public InputStream getResourceAsStream(String resource) {
                if (!resource.startsWith(prefix + "io/netty/")) {
                    return super.getResourceAsStream(resource);
                }
                try {
                    return new java.io.ByteArrayInputStream(relocate(prefix,
                            nettyClassFile(resource.substring(prefix.length(), resource.length() - ".class".length())
                                    .replace('/', '.'))));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        Map<String, byte[]> relocated = new java.util.HashMap<>();
        for (String name : AdvisedTypes.NETTY_NAMES) {
            try (InputStream in = shaded.getResourceAsStream(prefix + name.replace('.', '/') + ".class")) {
                relocated.put(prefix + name.replace('.', '/') + ".class", in.readAllBytes());
            }
        }
        for (String name : AdvisedTypes.NETTY_NAMES) {
            String internal = prefix + name.replace('.', '/');
            byte[] woven = transformer.transform(null, shaded, internal, null, null, relocated.get(internal + ".class"));
            assertNotNull(woven, internal + " was not transformed: " + errors);
            assertEquals(new TreeMap<>(NETTY_EXPECTED.get(name)), bridgeCallsByMethod(woven), internal);
        }
        assertEquals(List.of(), errors, "errors while advising");
    }

    @Test
    void nettysNamesFromTheBootLoaderAndLookalikesPassUntouched() throws Exception {
        byte[] socket = nettyClassFile("io.netty.channel.unix.Socket");
        assertNull(transformer.transform(null, null, "io/netty/channel/unix/Socket", null, null, socket));
        assertNull(transformer.transform(null, getClass().getClassLoader(), "io/netty/channel/unix/SocketWritableByteChannel",
                null, null, socket));
        assertEquals(List.of(), errors);
        assertTrue(transformed.isEmpty());
    }

    private static byte[] relocate(String prefix, byte[] classFile) {
        return rewrite(classFile, writer -> new net.bytebuddy.jar.asm.commons.ClassRemapper(writer,
                new net.bytebuddy.jar.asm.commons.Remapper(Opcodes.ASM9) {
                    @Override
                    public String map(String internalName) {
                        return internalName.startsWith("io/netty/") ? prefix + internalName : internalName;
                    }
                }));
    }

    /**
     * A Netty class file from the test class path (Netty 4.1), else from Netty 4.2's jars that the build copies
     * apart for the io_uring end-to-end test (io_uring's classes are 4.2's only).
     */
    private static byte[] nettyClassFile(String name) throws IOException {
        String resource = name.replace('.', '/') + ".class";
        InputStream found = SocketInstrumentationTest.class.getClassLoader().getResourceAsStream(resource);
        if (found == null) {
            found = NETTY_42.getResourceAsStream(resource);
        }
        try (InputStream in = found) {
            assertNotNull(in, name + " is neither on the test class path nor in " + NETTY_42_DIR);
            return in.readAllBytes();
        }
    }

    private static final java.nio.file.Path NETTY_42_DIR =
            java.nio.file.Paths.get(System.getProperty("basedir", "."), "target", "netty-4.2");
    private static final ClassLoader NETTY_42 = netty42();

    private static ClassLoader netty42() {
        List<java.net.URL> jars = new ArrayList<>();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(NETTY_42_DIR)) {
            for (java.nio.file.Path jar : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
                jars.add(jar.toUri().toURL());
            }
        } catch (IOException e) {
            // Missing: the class file lookup says where it looked.
        }
        return new java.net.URLClassLoader(jars.toArray(new java.net.URL[0]), null);
    }

    private byte[] transform(String name, byte[] classFile) throws Exception {
        return transformer.transform(null, null, name.replace('.', '/'), null, null, classFile);
    }

    private static byte[] classFile(String name) throws IOException {
        try (InputStream in = Object.class.getModule().getResourceAsStream(name.replace('.', '/') + ".class")) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }

    /** The class file as {@code rewriter} changes it: a JDK whose internals moved. */
    private static byte[] rewrite(byte[] classFile, UnaryOperator<ClassVisitor> rewriter) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(rewriter.apply(writer), 0);
        return writer.toByteArray();
    }

    /** Method name → the bridge methods it calls, for the methods that call any. */
    private static Map<String, Set<String>> bridgeCallsByMethod(byte[] classFile) {
        Map<String, Set<String>> calls = new TreeMap<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String called, String calledDescriptor,
                                                boolean isInterface) {
                        if (owner.equals(BRIDGE)) {
                            calls.computeIfAbsent(method, m -> new TreeSet<>()).add(called);
                        }
                    }
                };
            }
        }, ClassReader.SKIP_FRAMES);
        return calls;
    }
}
