package io.socketaudit.event;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClockTest {

    @Test
    void theCachingFormatterWritesWhatTheFullOneWrites() {
        Clock.Formatter formatter = new Clock.Formatter();
        long[] samples = {0, 1, 999_999, 1_000_000, 1_764_173_520_123_456L, 1_764_173_520_999_999L,
            1_764_173_521_000_000L, 1_764_173_521_000_007L, -1, -1_000_001};
        for (long micros : samples) {
            assertEquals(Clock.format(micros), formatter.format(micros), Long.toString(micros));
        }
        assertEquals("2025-11-26T16:12:00.123456Z", formatter.format(1_764_173_520_123_456L));
    }
}
