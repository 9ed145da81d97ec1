package io.socketaudit.instrumentation;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class CloseInstrumentationTest {

    @Test
    void theEarlyTransformerKnowsEveryAdvisedType() {
        assertTrue(CloseInstrumentation.coversAllTargets(),
                "AdvisedTypes.NAMES must list exactly the types CloseInstrumentation advises");
    }

    @Test
    void everyAdvisedTypeExistsInThisJdk() throws Exception {
        for (String name : AdvisedTypes.NAMES) {
            Class.forName(name, false, null);
        }
    }
}
