/*
 * Kernel probe for socket-audit: what the Linux kernel knows about one TCP socket,
 * read with a handful of syscalls and no allocation. Called on the closing thread,
 * before the JDK changes the socket's state.
 */
#include <jni.h>
#include <pthread.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/sockios.h>
#include <linux/tcp.h>

/* Layout of the long[] the caller passes; mirrored in KernelProbe.java. */
enum {
    OUT_STATE = 0,
    OUT_RECV_QUEUE,
    OUT_SEND_QUEUE,
    OUT_LINGER_ON,
    OUT_LINGER_SECONDS,
    OUT_BYTES_SENT,
    OUT_NOT_SENT,
    OUT_BYTES_RECEIVED,
    OUT_SINCE_DATA_IN,
    OUT_SINCE_DATA_OUT,
    OUT_LENGTH
};

/* The kernel's TCP_CLOSE and TCP_LISTEN (include/net/tcp_states.h), which no userspace header exports. */
#define TCP_STATE_CLOSE 7
#define TCP_STATE_LISTEN 10

/* What to read; mirrored in KernelProbe.java. Each syscall costs, so callers ask only what they need. */
#define READ_STATE_AND_INPUT 1
#define READ_SEND_QUEUE_AND_LINGER 2
#define READ_LOCAL_ADDRESS 4
#define READ_REMOTE_ADDRESS 8

/* Each address is 20 bytes: family (4 or 6, 0 when unknown), unused, port (big-endian), 16 address bytes. */
#define ADDRESS_BYTES 20

static jfieldID fdField;

/*
 * java.net's fields are looked up at the first call that needs them, not in JNI_OnLoad: looking a field up
 * initialises its class, and the library is loaded before main, where that would initialise java.net's socket
 * classes in every JVM, one that never opens a socket included. A caller holds an instance by then, so its class
 * is initialised already. 1 once looked up, -1 when this JDK lacks one of them; guarded by socketFieldsLock.
 */
static int socketFieldsState;
static pthread_mutex_t socketFieldsLock = PTHREAD_MUTEX_INITIALIZER;
static jclass socketClass;
static jfieldID socketImplFdField;
static jfieldID socketImplAddressField;
static jfieldID socketImplPortField;
static jfieldID socketImplField;
static jclass delegatingImplClass;
static jfieldID delegateField;
/* TLS's layered socket, looked up only for a socket that is not a plain java.net.Socket: 1 once tried. */
static int layeredTlsTried;
static jclass layeredTlsClass;
static jfieldID selfField;

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    JNIEnv *env;
    if ((*vm)->GetEnv(vm, (void **) &env, JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }
    jclass fdClass = (*env)->FindClass(env, "java/io/FileDescriptor");
    if (fdClass == NULL) {
        return JNI_ERR;
    }
    fdField = (*env)->GetFieldID(env, fdClass, "fd", "I");
    if (fdField == NULL) {
        return JNI_ERR;
    }
    return JNI_VERSION_1_8;
}

/* Whether java.net's fields are there to read; looks them up at the first call. */
static int socket_fields(JNIEnv *env) {
    if (__atomic_load_n(&socketFieldsState, __ATOMIC_ACQUIRE) != 0) {
        return socketFieldsState > 0;
    }
    pthread_mutex_lock(&socketFieldsLock);
    if (socketFieldsState == 0) {
        int found = 0;
        jclass implClass = (*env)->FindClass(env, "java/net/SocketImpl");
        jclass socket = (*env)->FindClass(env, "java/net/Socket");
        if (implClass != NULL && socket != NULL) {
            socketImplFdField = (*env)->GetFieldID(env, implClass, "fd", "Ljava/io/FileDescriptor;");
            socketImplAddressField = (*env)->GetFieldID(env, implClass, "address", "Ljava/net/InetAddress;");
            socketImplPortField = (*env)->GetFieldID(env, implClass, "port", "I");
            socketImplField = (*env)->GetFieldID(env, socket, "impl", "Ljava/net/SocketImpl;");
            found = socketImplFdField != NULL && socketImplAddressField != NULL && socketImplPortField != NULL
                    && socketImplField != NULL;
            socketClass = found ? (*env)->NewGlobalRef(env, socket) : NULL;
        }
        /* Optional: without it, a SOCKS socket's descriptor is not found. */
        jclass delegating = found ? (*env)->FindClass(env, "java/net/DelegatingSocketImpl") : NULL;
        if (delegating != NULL) {
            delegateField = (*env)->GetFieldID(env, delegating, "delegate", "Ljava/net/SocketImpl;");
            delegatingImplClass = delegateField == NULL ? NULL : (*env)->NewGlobalRef(env, delegating);
        }
        (*env)->ExceptionClear(env);
        __atomic_store_n(&socketFieldsState, found ? 1 : -1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&socketFieldsLock);
    return socketFieldsState > 0;
}

/* TLS's layered socket class, for a socket that may be one: then it is initialised already. */
static jclass layered_tls(JNIEnv *env) {
    if (__atomic_load_n(&layeredTlsTried, __ATOMIC_ACQUIRE)) {
        return layeredTlsClass;
    }
    pthread_mutex_lock(&socketFieldsLock);
    if (!layeredTlsTried) {
        /* Optional: without them, a TLS close is probed a little later, underneath. */
        jclass layered = (*env)->FindClass(env, "sun/security/ssl/BaseSSLSocketImpl");
        if (layered != NULL) {
            selfField = (*env)->GetFieldID(env, layered, "self", "Ljava/net/Socket;");
            layeredTlsClass = selfField == NULL ? NULL : (*env)->NewGlobalRef(env, layered);
        }
        (*env)->ExceptionClear(env);
        __atomic_store_n(&layeredTlsTried, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&socketFieldsLock);
    return layeredTlsClass;
}

static void encode_address(struct sockaddr_storage *sa, jbyte *out) {
    memset(out, 0, ADDRESS_BYTES);
    if (sa->ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *) sa;
        out[0] = 4;
        memcpy(out + 2, &in->sin_port, 2);
        memcpy(out + 4, &in->sin_addr, 4);
    } else if (sa->ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) sa;
        out[0] = 6;
        memcpy(out + 2, &in6->sin6_port, 2);
        memcpy(out + 4, &in6->sin6_addr, 16);
    }
}

/*
 * Reads what the READ_ flags in `what` ask for. The send queue and SO_LINGER need READ_STATE_AND_INPUT too.
 * Returns 0 when out[] and addresses[] were filled, else an errno value:
 * EBADF for a closed descriptor, ENOPROTOOPT when the descriptor is not a TCP socket (asked with
 * READ_STATE_AND_INPUT): another protocol, or no socket at all (Netty's descriptors include eventfds and pipes).
 */
static jint probe_fd(JNIEnv *env, int fd, jint what, jlongArray out, jbyteArray addresses) {
    if (fd < 0) {
        return EBADF;
    }
    struct tcp_info info;
    socklen_t len = 0;
    memset(&info, 0, sizeof(info));
    int inq = 0;
    int outq = 0;
    struct linger linger;
    memset(&linger, 0, sizeof(linger));
    if (what & READ_STATE_AND_INPUT) {
        len = sizeof(info);
        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) {
            return errno == EOPNOTSUPP || errno == ENOTSOCK ? ENOPROTOOPT : errno;
        }
        if (info.tcpi_state != TCP_STATE_LISTEN && ioctl(fd, SIOCINQ, &inq) != 0) {
            return errno;
        }
    }
    if ((what & READ_STATE_AND_INPUT) && (what & READ_SEND_QUEUE_AND_LINGER)) {
        /*
         * SIOCOUTQ is write_seq - snd_una. TCP_INFO already says when that is 0: no segment unacknowledged
         * (tcpi_unacked, i.e. snd_nxt == snd_una) and nothing written but unsent (write_seq == snd_nxt), which
         * saves a system call on most closes. Not in CLOSE, where the kernel has purged the segments but keeps
         * the sequence numbers SIOCOUTQ reports.
         */
        int nothingQueued = len >= offsetof(struct tcp_info, tcpi_notsent_bytes) + sizeof(info.tcpi_notsent_bytes)
                && info.tcpi_state != TCP_STATE_CLOSE && info.tcpi_unacked == 0 && info.tcpi_notsent_bytes == 0;
        if (info.tcpi_state != TCP_STATE_LISTEN && !nothingQueued && ioctl(fd, SIOCOUTQ, &outq) != 0) {
            return errno;
        }
        socklen_t lingerLen = sizeof(linger);
        if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, &lingerLen) != 0) {
            return errno;
        }
    }

    jlong values[OUT_LENGTH];
    values[OUT_STATE] = info.tcpi_state;
    values[OUT_RECV_QUEUE] = inq;
    values[OUT_SEND_QUEUE] = outq;
    values[OUT_LINGER_ON] = linger.l_onoff;
    values[OUT_LINGER_SECONDS] = linger.l_linger;
    /*
     * Older kernels return a shorter struct: the counters are then unknown (-1). tcpi_bytes_sent counts data
     * bytes put on the wire, retransmissions included; the SYN and FIN are not data.
     */
    values[OUT_BYTES_SENT] = len >= offsetof(struct tcp_info, tcpi_bytes_retrans) + sizeof(info.tcpi_bytes_retrans)
            ? (jlong) (info.tcpi_bytes_sent - info.tcpi_bytes_retrans) : -1;
    values[OUT_NOT_SENT] = len >= offsetof(struct tcp_info, tcpi_notsent_bytes) + sizeof(info.tcpi_notsent_bytes)
            ? (jlong) info.tcpi_notsent_bytes : -1;
    values[OUT_BYTES_RECEIVED] = len >= offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(info.tcpi_bytes_received)
            ? (jlong) info.tcpi_bytes_received : -1;
    /* Milliseconds since the last data segment arrived and left (since the handshake when none did); bare FINs and ACKs do not count. */
    values[OUT_SINCE_DATA_IN] = len >= offsetof(struct tcp_info, tcpi_last_data_recv) + sizeof(info.tcpi_last_data_recv)
            ? (jlong) info.tcpi_last_data_recv : -1;
    values[OUT_SINCE_DATA_OUT] = len >= offsetof(struct tcp_info, tcpi_last_data_sent) + sizeof(info.tcpi_last_data_sent)
            ? (jlong) info.tcpi_last_data_sent : -1;
    (*env)->SetLongArrayRegion(env, out, 0, OUT_LENGTH, values);

    if (what & (READ_LOCAL_ADDRESS | READ_REMOTE_ADDRESS)) {
        jbyte encoded[2 * ADDRESS_BYTES];
        struct sockaddr_storage sa;
        socklen_t saLen = sizeof(sa);
        memset(encoded, 0, sizeof(encoded));
        memset(&sa, 0, sizeof(sa));
        if ((what & READ_LOCAL_ADDRESS) && getsockname(fd, (struct sockaddr *) &sa, &saLen) == 0) {
            encode_address(&sa, encoded);
        }
        saLen = sizeof(sa);
        memset(&sa, 0, sizeof(sa));
        /* Fails after a reset (ENOTCONN): the caller then keeps the address the JDK had. */
        if ((what & READ_REMOTE_ADDRESS) && getpeername(fd, (struct sockaddr *) &sa, &saLen) == 0) {
            encode_address(&sa, encoded + ADDRESS_BYTES);
        }
        (*env)->SetByteArrayRegion(env, addresses, 0, 2 * ADDRESS_BYTES, encoded);
    }
    return 0;
}

JNIEXPORT jint JNICALL Java_io_socketaudit_kernel_KernelProbe_probe0(
        JNIEnv *env, jclass cls, jobject fdObject, jint what, jlongArray out, jbyteArray addresses) {
    return probe_fd(env, (*env)->GetIntField(env, fdObject, fdField), what, out, addresses);
}

/* The same for a descriptor known only as an int, as Netty's native sockets hold it. */
JNIEXPORT jint JNICALL Java_io_socketaudit_kernel_KernelProbe_probeFd0(
        JNIEnv *env, jclass cls, jint fd, jint what, jlongArray out, jbyteArray addresses) {
    return probe_fd(env, fd, what, out, addresses);
}

/* The descriptor object of a SocketImpl: a protected field that JNI reads without opening java.net. */
JNIEXPORT jobject JNICALL Java_io_socketaudit_kernel_JdkSocketFields_socketImplFd0(JNIEnv *env, jclass cls, jobject impl) {
    return socket_fields(env) ? (*env)->GetObjectField(env, impl, socketImplFdField) : NULL;
}

/* The peer's address and port that the JDK set on a SocketImpl it accepted: protected fields, read without opening java.net. */
JNIEXPORT jobject JNICALL Java_io_socketaudit_kernel_JdkSocketFields_socketImplPeerAddress0(JNIEnv *env, jclass cls, jobject impl) {
    return socket_fields(env) ? (*env)->GetObjectField(env, impl, socketImplAddressField) : NULL;
}

JNIEXPORT jint JNICALL Java_io_socketaudit_kernel_JdkSocketFields_socketImplPeerPort0(JNIEnv *env, jclass cls, jobject impl) {
    return socket_fields(env) ? (*env)->GetIntField(env, impl, socketImplPortField) : 0;
}

/*
 * The descriptor object under a java.net.Socket: through the TLS socket's `self` when it is layered over
 * another socket, and through a delegating implementation (SOCKS) to the platform one. NULL when unknown.
 */
JNIEXPORT jobject JNICALL Java_io_socketaudit_kernel_JdkSocketFields_socketFd0(JNIEnv *env, jclass cls, jobject socket) {
    if (!socket_fields(env)) {
        return NULL;
    }
    jclass type = (*env)->GetObjectClass(env, socket);
    if (!(*env)->IsSameObject(env, type, socketClass)) {
        jclass layered = layered_tls(env);
        if (layered != NULL && (*env)->IsInstanceOf(env, socket, layered)) {
            jobject self = (*env)->GetObjectField(env, socket, selfField);
            if (self != NULL) {
                socket = self;
            }
        }
    }
    (*env)->DeleteLocalRef(env, type);
    jobject impl = (*env)->GetObjectField(env, socket, socketImplField);
    while (impl != NULL && delegatingImplClass != NULL && (*env)->IsInstanceOf(env, impl, delegatingImplClass)) {
        impl = (*env)->GetObjectField(env, impl, delegateField);
    }
    return impl == NULL ? NULL : (*env)->GetObjectField(env, impl, socketImplFdField);
}
