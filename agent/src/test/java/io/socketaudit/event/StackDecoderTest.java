package io.socketaudit.event;

import io.socketaudit.kernel.BuiltLibrary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A stack seen before is recognised from its raw backtrace; different stacks are never taken for one. */
class StackDecoderTest {

    @BeforeAll
    static void loadLibrary(@TempDir Path temp) throws Exception {
        assertNull(BuiltLibrary.load(temp));
    }

    private static Throwable capture() {
        return new Throwable();
    }

    private static List<String> text(Throwable t) {
        List<String> frames = new ArrayList<>();
        for (StackTraceElement e : t.getStackTrace()) {
            frames.add(StackFrames.format(e));
        }
        return frames;
    }

    @Test
    void theSameStackIsDecodedOnce() {
        StackDecoder decoder = new StackDecoder(1024);
        List<Throwable> captured = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            captured.add(capture());
        }
        StackDecoder.Decoded first = decoder.decode(captured.get(0));
        assertSame(first, decoder.decode(captured.get(1)));
        assertSame(first, decoder.decode(captured.get(2)));
        assertEquals(text(captured.get(2)), first.stack.text());
    }

    @Test
    void stacksThatDifferOnlyInALineOrADeepFrameAreNotTakenForOne() throws Exception {
        StackDecoder decoder = new StackDecoder(1024);
        Throwable here = capture();
        Throwable nextLine = capture();
        Supplier<Throwable> viaLambda = StackDecoderTest::capture;
        Throwable viaSupplier = viaLambda.get();
        Method reflective = StackDecoderTest.class.getDeclaredMethod("capture");
        Throwable viaReflection = (Throwable) reflective.invoke(null);
        AtomicReference<Throwable> onThread = new AtomicReference<>();
        Thread thread = new Thread(() -> onThread.set(capture()));
        thread.start();
        thread.join();
        Throwable deep = deeper(40);
        Throwable deeperByOne = deeper(41);
        for (Throwable t : List.of(here, nextLine, viaSupplier, viaReflection, onThread.get(), deep, deeperByOne)) {
            assertEquals(text(t), decoder.decode(t).stack.text());
        }
        assertNotSame(decoder.decode(here), decoder.decode(nextLine));
        assertNotSame(decoder.decode(deep), decoder.decode(deeperByOne));
    }

    @Test
    void virtualThreadStacksAreRecognisedToo() throws Exception {
        Method start = startVirtualThread();
        assumeTrue(start != null, "this JDK has no virtual threads (JDK 21 and later have)");
        List<Throwable> captured = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            AtomicReference<Throwable> t = new AtomicReference<>();
            ((Thread) start.invoke(null, (Runnable) () -> t.set(capture()))).join();
            captured.add(t.get());
        }
        StackDecoder decoder = new StackDecoder(1024);
        assertSame(decoder.decode(captured.get(0)), decoder.decode(captured.get(1)));
        assertEquals(text(captured.get(1)), decoder.decode(captured.get(1)).stack.text());
    }

    private static Method startVirtualThread() {
        try {
            return Thread.class.getMethod("startVirtualThread", Runnable.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    @Test
    void theCallerIsFoundBelowTheConfiguredDepth() {
        Supplier<Throwable> capture = StackDecoderTest::capture;
        Throwable captured = java.util.Optional.<Throwable>empty().orElseGet(capture);
        CapturedStack stack = new StackDecoder(2).decode(captured).stack;
        assertEquals(2, stack.text().size());
        assertTrue(stack.caller().startsWith("io.socketaudit.event.StackDecoderTest.capture("), stack.caller());
    }

    private static Throwable deeper(int n) {
        return n == 0 ? capture() : deeper(n - 1);
    }
}
