package io.socketaudit.e2e.scenarios;

import java.util.List;
import io.socketaudit.e2e.harness.EndToEndJdks;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ground truth, without the agent: what the JDK and the kernel put on the wire for each close
 * scenario. If this fails, the JDK or kernel behaves differently from what the agent's tests
 * assume (the README's "What is recorded" rests on it), and {@link CloseScenariosIT} is not to be trusted
 * until the table is revisited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloseScenariosWireIT {

    private final ScenarioRun.Cache runs = new ScenarioRun.Cache();

    static List<EndToEndJdks.Jdk> jdks() {
        return EndToEndJdks.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void everyScenarioRunsWithoutTheAgent(EndToEndJdks.Jdk jdk) throws Exception {
        runs.get(jdk, false).assertEveryScenarioRan();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void eachEndSendsWhatTheScenarioTableSaysWithoutTheAgent(EndToEndJdks.Jdk jdk) throws Exception {
        runs.get(jdk, false).assertWireFacts();
    }
}
