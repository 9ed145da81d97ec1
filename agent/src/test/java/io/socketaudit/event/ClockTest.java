package io.socketaudit.event;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClockTest {

    /** The JDK's formatter as the oracle for the arithmetic. */
    private static final DateTimeFormatter RFC3339_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private static String expected(long micros) {
        return RFC3339_MICROS.format(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L));
    }

    @Test
    void edgesOfDaysMonthsAndLeapYears() {
        long[] samples = {0, 1, -1, 999_999, -1_000_001, 86_399_999_999L, 86_400_000_000L,
            951_782_400_000_000L, // 2000-02-29
            951_868_799_999_999L, 4_107_542_399_999_999L, // 2100-02-28, not a leap year
            1_764_173_520_123_456L, 253_402_300_799_999_999L, // 9999-12-31T23:59:59.999999Z
            -62_167_219_200_000_000L}; // 0000-01-01
        for (long micros : samples) {
            assertEquals(expected(micros), Clock.format(micros), Long.toString(micros));
        }
    }

    @Test
    void agreesWithTheJdkAcrossTheCalendar() {
        SplittableRandom random = new SplittableRandom(17);
        for (int i = 0; i < 200_000; i++) {
            long micros = random.nextLong(-62_167_219_200_000_000L, 253_402_300_800_000_000L);
            assertEquals(expected(micros), Clock.format(micros), Long.toString(micros));
        }
    }

    @Test
    void nowIsMicrosecondsSinceTheEpoch() {
        long before = System.currentTimeMillis();
        long now = Clock.nowMicros();
        long after = System.currentTimeMillis();
        assertTrue(now / 1_000 >= before && now / 1_000 <= after, Long.toString(now));
    }
}
