/*
 * What the agent's log really is, asked of the open descriptor (fstat) rather than of its name, which another
 * user may swap between the open and a check by name; and room on disk kept for the log's last lines
 * (fallocate). JNI reads the channel's descriptor without opening java.base's packages to anyone.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Layout of the long[] the caller passes; mirrored in LogFile.java. */
enum {
    OUT_MODE = 0,
    OUT_UID,
    OUT_NLINK,
    OUT_DEV,
    OUT_INO,
    OUT_OWN_UID,
    OUT_LENGTH
};

static jfieldID channelFdField;
static jfieldID descriptorFdField;

/* The channel's descriptor, or -1 when this JDK's channel has no descriptor field. */
static int descriptorOf(JNIEnv *env, jobject channel) {
    if (channelFdField == NULL) {
        jclass channelClass = (*env)->GetObjectClass(env, channel);
        jclass descriptorClass = (*env)->FindClass(env, "java/io/FileDescriptor");
        jfieldID channelFd = (*env)->GetFieldID(env, channelClass, "fd", "Ljava/io/FileDescriptor;");
        jfieldID descriptorFd = channelFd == NULL || descriptorClass == NULL ? NULL
                : (*env)->GetFieldID(env, descriptorClass, "fd", "I");
        if (descriptorFd == NULL) {
            (*env)->ExceptionClear(env);
            return -1;
        }
        descriptorFdField = descriptorFd;
        channelFdField = channelFd;
    }
    jobject descriptor = (*env)->GetObjectField(env, channel, channelFdField);
    return descriptor == NULL ? -1 : (*env)->GetIntField(env, descriptor, descriptorFdField);
}

/* 0 and the open file's status in out, or an errno value (EINVAL when the channel has no descriptor field). */
JNIEXPORT jint JNICALL Java_io_socketaudit_output_LogFile_fstat0(JNIEnv *env, jclass cls, jobject channel,
                                                                  jlongArray out) {
    int fd = descriptorOf(env, channel);
    if (fd < 0) {
        return EINVAL;
    }
    struct stat status;
    if (fstat(fd, &status) != 0) {
        return errno;
    }
    jlong values[OUT_LENGTH];
    values[OUT_MODE] = status.st_mode;
    values[OUT_UID] = status.st_uid;
    values[OUT_NLINK] = status.st_nlink;
    values[OUT_DEV] = status.st_dev;
    values[OUT_INO] = status.st_ino;
    values[OUT_OWN_UID] = geteuid();
    (*env)->SetLongArrayRegion(env, out, 0, OUT_LENGTH, values);
    return 0;
}

/*
 * Allocates the file's blocks from offset for length bytes without changing its size (release: gives those beyond
 * the size back), so that writing there later cannot fail for want of space. 0 or an errno value; EOPNOTSUPP where
 * the file system cannot.
 */
JNIEXPORT jint JNICALL Java_io_socketaudit_output_LogFile_allocate0(JNIEnv *env, jclass cls, jobject channel,
                                                                    jlong offset, jlong length, jboolean release) {
    int fd = descriptorOf(env, channel);
    if (fd < 0) {
        return EINVAL;
    }
    int mode = FALLOC_FL_KEEP_SIZE | (release ? FALLOC_FL_PUNCH_HOLE : 0);
    return fallocate(fd, mode, offset, length) == 0 ? 0 : errno;
}
