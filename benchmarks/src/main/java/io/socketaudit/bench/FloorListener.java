package io.socketaudit.bench;

import io.socketaudit.bootstrap.SocketBridge;
import io.socketaudit.bootstrap.SocketEventListener;
import io.socketaudit.kernel.JdkSocketFields;
import io.socketaudit.kernel.KernelProbe;

import java.io.FileDescriptor;

/**
 * The agent's floor as designed, put behind its bridge in place of its recorder: the same hooks, and at each of
 * them only the work that the log's truths cannot go without — the kernel queries the recorder makes there (the
 * addresses at an open; state, queues and SO_LINGER at a close) and one stack capture — and nothing else: no
 * bookkeeping, no queue, no writer work. What the paced benchmark measures with it is the cost no implementation
 * of this design can go below.
 */
final class FloorListener implements SocketEventListener {

    /** Read by no one: keeps the JIT from removing the work. */
    static volatile Object sink;

    private FloorListener() {
    }

    /** Replaces the agent's recorder; the agent must be attached. */
    static void install() {
        SocketBridge.setListener(new FloorListener());
    }

    @Override
    public void opened(int api, int how, Object owner, FileDescriptor fd, Object local, Object remote,
                       int remotePort) {
        FileDescriptor descriptor = fd != null ? fd : JdkSocketFields.socketImplFd(owner);
        if (descriptor != null && (local == null || remote == null)) {
            sink = KernelProbe.addresses(descriptor, local == null, remote == null);
        }
        sink = new Throwable();
    }

    @Override
    public void connecting(Object owner) {
    }

    /** The addresses are known from the open by now, as in the recorder: only state, queues and SO_LINGER. */
    @Override
    public Object enter(int api, int op, Object owner, FileDescriptor fd, Object local, Object remote, int remotePort,
                        boolean outputShutdown, boolean otherThreadBusy) {
        sink = KernelProbe.probe(fd, false, false);
        return new Throwable();
    }

    @Override
    public void beforeRelease(FileDescriptor fd) {
    }

    @Override
    public void exit(Object token) {
        sink = token;
    }

    /** Netty's native sockets: the paced benchmark uses the JDK's, so none of these is reached. */
    @Override
    public Object enterNative(int op, Object owner, int fd, boolean outputShutdown) {
        return null;
    }

    @Override
    public void nativeOpened(int how, Object owner, int fd) {
    }

    @Override
    public void nettyCloseRequested(Object promise) {
    }

    @Override
    public void nettyCloseRuns(Object promise) {
    }

    @Override
    public void nettyCloseDone() {
    }

    @Override
    public Object enterTlsClose(Object tlsSocket) {
        return null;
    }

    @Override
    public void tlsAlert(byte description) {
    }
}
