package io.socketaudit.event;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The log's timestamps: microseconds since the epoch, written as RFC 3339 UTC with six fraction digits. */
public final class Clock {

    private static final DateTimeFormatter RFC3339_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Clock() {
    }

    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    public static String format(long micros) {
        return RFC3339_MICROS.format(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L));
    }

    /**
     * Formats like {@link #format}, reusing the text of the last second it saw: the log writer formats
     * several times per event, nearly always within the same second. Not for concurrent use.
     */
    public static final class Formatter {
        private long second = Long.MIN_VALUE;
        private String secondText;
        private final StringBuilder text = new StringBuilder(27);

        public String format(long micros) {
            long s = Math.floorDiv(micros, 1_000_000L);
            if (s != second) {
                String full = Clock.format(s * 1_000_000L);
                secondText = full.substring(0, full.length() - 7); // up to and including the '.'
                second = s;
            }
            int fraction = (int) Math.floorMod(micros, 1_000_000L);
            text.setLength(0);
            text.append(secondText);
            for (int unit = 100_000; unit > 0; unit /= 10) {
                text.append((char) ('0' + fraction / unit % 10));
            }
            return text.append('Z').toString();
        }
    }
}
