/*
 * Stack keys for socket-audit's log writer: a Throwable's backtrace, as the JVM filled it in, before
 * anything is decoded. The writer recognises a stack it has seen by this raw content and decodes only
 * new ones. JNI reads the private field without opening java.lang to anyone.
 */
#include <jni.h>

static jfieldID backtraceField;
static jboolean backtraceMissing;

/* The Throwable's backtrace (a VM-specific array structure), or null when this JVM has none to give. */
JNIEXPORT jobject JNICALL Java_io_socketaudit_event_StackDecoder_backtrace0(JNIEnv *env, jclass cls, jthrowable t) {
    if (backtraceField == NULL) {
        if (backtraceMissing) {
            return NULL;
        }
        jclass throwable = (*env)->FindClass(env, "java/lang/Throwable");
        backtraceField = throwable == NULL ? NULL
                : (*env)->GetFieldID(env, throwable, "backtrace", "Ljava/lang/Object;");
        if (backtraceField == NULL) {
            (*env)->ExceptionClear(env);
            backtraceMissing = JNI_TRUE;
            return NULL;
        }
    }
    return (*env)->GetObjectField(env, t, backtraceField);
}
