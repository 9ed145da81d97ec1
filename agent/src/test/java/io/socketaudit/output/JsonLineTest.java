package io.socketaudit.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socketaudit.event.Clock;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log's lines are read back by a real JSON parser exactly as they were meant. */
class JsonLineTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonLine.Name VALUE = JsonLine.name("value");

    private static JsonNode parse(JsonLine line) throws Exception {
        String text = new String(line.bytes(), 0, line.length(), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("}\n"), text);
        assertEquals(1, text.chars().filter(c -> c == '\n').count(), "one line: " + text);
        return MAPPER.readTree(text);
    }

    private static JsonNode one(java.util.function.Consumer<JsonLine> field) throws Exception {
        JsonLine line = new JsonLine();
        line.begin();
        field.accept(line);
        line.endLine();
        return parse(line).get("value");
    }

    @Test
    void stringsComeBackAsTheyWere() throws Exception {
        String[] samples = {"", "plain", "quote \" and backslash \\", "line\nbreak\r\ttab\b\f",
            "esc \u001b[2J nul \u0000 del \u007f", "é ü ß", "日本語", "emoji \uD83D\uDE00 pair",
            "lone high \uD800 and lone low \uDC00", "bidi \u202E override", "/slash"};
        for (String s : samples) {
            assertEquals(s, one(line -> line.string(VALUE, s)).textValue(), s);
        }
        assertTrue(one(line -> line.string(VALUE, null)).isNull());
    }

    @Test
    void numbersComeBackAsTheyWere() throws Exception {
        long[] samples = {0, 7, -7, 10, 99, 100, 1_234_567_890_123L, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long n : samples) {
            assertEquals(n, one(line -> line.number(VALUE, n)).longValue(), Long.toString(n));
        }
        assertTrue(one(line -> line.nullableNumber(VALUE, null)).isNull());
        assertEquals(5L, one(line -> line.nullableNumber(VALUE, 5L)).longValue());
    }

    @Test
    void millisecondsAreExactDecimals() throws Exception {
        long[] micros = {0, 1, 10, 100, 999, 1000, 1500, 12_345, 12_340, 86_400_000_001L, -2_500};
        for (long m : micros) {
            JsonNode value = one(line -> line.millis(VALUE, m));
            assertEquals(new java.math.BigDecimal(m).movePointLeft(3).stripTrailingZeros(),
                    value.decimalValue().stripTrailingZeros(), Long.toString(m));
        }
        JsonLine line = new JsonLine();
        line.begin().millis(VALUE, 3000);
        line.endLine();
        assertEquals("{\"value\":3.0}\n", new String(line.bytes(), 0, line.length(), StandardCharsets.UTF_8));
    }

    @Test
    void timesAreWhatTheClockFormats() throws Exception {
        long[] samples = {0, 1, 999_999, 1_000_000, 1_764_173_520_123_456L, 1_764_173_520_999_999L,
            1_764_173_521_000_000L, 1_764_173_521_000_007L, -1, -1_000_001};
        JsonLine reused = new JsonLine();
        for (long micros : samples) {
            reused.clear();
            reused.begin().time(VALUE, micros);
            reused.endLine();
            assertEquals(Clock.format(micros), parse(reused).get("value").textValue(), Long.toString(micros));
        }
        assertEquals("2025-11-26T16:12:00.123456Z", one(line -> line.time(VALUE, 1_764_173_520_123_456L)).textValue());
    }

    @Test
    void fieldsNestedObjectsArraysAndStartValues() throws Exception {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("file", "a \"b\".jsonl");
        config.put("queue.size", 65536);
        JsonLine line = new JsonLine();
        line.begin().string(JsonLine.name("event"), "x").bool(JsonLine.name("t"), true)
                .field(JsonLine.name("thread")).begin().string(JsonLine.name("name"), "main").end()
                .beginArray(JsonLine.name("frames")).element("a").element(null).element("c").endArray()
                .value(JsonLine.name("config"), config).value(JsonLine.name("none"), null)
                .nullValue(JsonLine.name("n"));
        line.endLine();
        JsonNode node = parse(line);
        assertEquals("x", node.get("event").textValue());
        assertTrue(node.get("t").booleanValue());
        assertEquals("main", node.get("thread").get("name").textValue());
        assertEquals(3, node.get("frames").size());
        assertTrue(node.get("frames").get(1).isNull());
        assertEquals("a \"b\".jsonl", node.get("config").get("file").textValue());
        assertEquals(65536, node.get("config").get("queue.size").intValue());
        assertTrue(node.get("none").isNull());
        assertTrue(node.get("n").isNull());
    }

    @Test
    void growsPastItsFirstBuffer() throws Exception {
        String big = "x".repeat(10_000) + "é" + "\"".repeat(5_000);
        assertEquals(big, one(line -> line.string(VALUE, big)).textValue());
    }
}
