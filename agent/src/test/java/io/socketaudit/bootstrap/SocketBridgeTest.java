package io.socketaudit.bootstrap;

import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The build keeps every hook of the bridge out of the JIT's inlining (see SocketBridge and the agent's pom). */
class SocketBridgeTest {

    @Test
    void everyHookIsCompiledWithDontInline() throws Exception {
        Set<String> annotated = new HashSet<>();
        try (InputStream in = SocketBridge.class.getResourceAsStream("SocketBridge.class")) {
            new ClassReader(in).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                            if (annotation.equals("Ljdk/internal/vm/annotation/DontInline;")) {
                                annotated.add(name);
                            }
                            return null;
                        }
                    };
                }
            }, ClassReader.SKIP_CODE);
        }
        Set<String> hooks = new HashSet<>();
        for (Method method : SocketBridge.class.getDeclaredMethods()) {
            int modifiers = method.getModifiers();
            // The hooks advice calls: public static, called from JDK code; not the agent-side accessors.
            if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers)
                    && !Set.of("setListener", "failures", "firstFailure").contains(method.getName())) {
                hooks.add(method.getName());
            }
        }
        assertFalse(hooks.isEmpty());
        assertEquals(hooks, annotated);
    }
}
