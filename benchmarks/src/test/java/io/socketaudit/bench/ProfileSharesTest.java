package io.socketaudit.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProfileSharesTest {

    private static final String CLOSE = "[client-0 tid=12];java/lang/Thread.run;io/socketaudit/bench/Paced.connectOnce;"
            + "java/net/Socket.close;sun/nio/ch/NioSocketImpl.close;io/socketaudit/bootstrap/SocketBridge.enter;"
            + "io/socketaudit/event/SocketEventRecorder.enter";

    @Test
    void sortsEachStackIntoOneCategoryByThreadThenByFrames() {
        ProfileShares shares = ProfileShares.of(List.of(
                "[C2 CompilerThre tid=9];Compile::Compile;PhaseIdealLoop::build 30",
                "[C1 CompilerThre tid=10];Compilation::compile 10",
                "[socket-audit-writer tid=20];java/lang/Thread.run;io/socketaudit/output/AuditLog.run 8",
                "[socket-audit-prepare tid=21];io/socketaudit/instrumentation/AdviceWeaver.prepare 4",
                "[socket-audit-shutdown tid=22];io/socketaudit/agent/AgentRuntime.stop 1",
                "[GC Thread#0 tid=5];G1ParTask::work 2",
                "[tid=7];start_thread 1",
                CLOSE + ";java/lang/Throwable.<init>;java/lang/Throwable.fillInStackTrace;JVM_FillInStackTrace 6",
                CLOSE + ";io/socketaudit/kernel/KernelProbe.probe;Java_io_socketaudit_kernel_KernelProbe_probe0 5",
                CLOSE + ";io/socketaudit/event/OpenConnections.remove 3",
                // the application's own exception: no agent frame above fillInStackTrace
                "[server-1 tid=13];io/socketaudit/bench/Churn.serve;java/lang/Throwable.fillInStackTrace 2",
                "[client-0 tid=12];io/socketaudit/bench/Paced$$Lambda$57.0x00007f054015f1e0.run;java/net/Socket.connect 20",
                "[DestroyJavaVM tid=2];io/socketaudit/agent/AgentEntry.premain 4",
                "not a collapsed line",
                ""));

        assertEquals(96, shares.total());
        assertEquals(40, shares.samples(ProfileShares.JIT));
        assertEquals(8, shares.samples(ProfileShares.WRITER));
        assertEquals(4, shares.samples(ProfileShares.PREPARE));
        assertEquals(1, shares.samples(ProfileShares.OTHER_AGENT_THREADS));
        assertEquals(3, shares.samples(ProfileShares.JVM));
        assertEquals(6, shares.samples(ProfileShares.STACK_CAPTURE));
        assertEquals(5, shares.samples(ProfileShares.KERNEL_PROBE));
        assertEquals(3 + 4, shares.samples(ProfileShares.AGENT_ON_APP));
        assertEquals(2 + 20, shares.samples(ProfileShares.APP));
        assertEquals(40.0 / 96, shares.share(ProfileShares.JIT), 1e-12);
        long sum = ProfileShares.CATEGORIES.stream().mapToLong(shares::samples).sum();
        assertEquals(shares.total(), sum);
    }

    @Test
    void readsThreadNamesWithSpacesAndWithout() {
        assertEquals("C2 CompilerThre", ProfileShares.threadName("[C2 CompilerThre tid=9141]"));
        assertEquals("", ProfileShares.threadName("[tid=9147]"));
        assertEquals("main", ProfileShares.threadName("[main]"));
    }

    @Test
    void noSamplesHaveNoShare() {
        assertEquals(Double.NaN, ProfileShares.of(List.of()).share(ProfileShares.APP));
    }
}
