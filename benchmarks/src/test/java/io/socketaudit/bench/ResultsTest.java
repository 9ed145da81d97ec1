package io.socketaudit.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsTest {

    @Test
    void parsesTheLastResultLineAmongOtherOutput() {
        String out = "noise\nRESULT a=1 b=x\nmore noise\nRESULT rate=12.5 runs=3\n";
        assertEquals(Map.of("rate", "12.5", "runs", "3"), Results.parse(out));
    }

    @Test
    void parsesEveryResultLine() {
        List<Map<String, String>> all = Results.parseAll("RESULT a=1\nx\nRESULT a=2\n");
        assertEquals(2, all.size());
        assertEquals("2", all.get(1).get("a"));
    }

    @Test
    void noResultLineIsEmpty() {
        assertTrue(Results.parse("nothing here").isEmpty());
    }
}
