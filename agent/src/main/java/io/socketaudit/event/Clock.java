package io.socketaudit.event;

import java.time.Instant;

/**
 * The log's timestamps: microseconds since the epoch, written as RFC 3339 UTC with six fraction digits.
 * Formatted by arithmetic rather than with {@code java.time.format}, whose first use costs the JVM's start
 * about 6 ms of class loading for a format that never changes.
 */
public final class Clock {

    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private Clock() {
    }

    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** {@code 2026-12-05T08:08:56.123456Z}; years 0 to 9999. */
    public static String format(long micros) {
        long day = Math.floorDiv(micros, MICROS_PER_DAY);
        long ofDay = Math.floorMod(micros, MICROS_PER_DAY);
        // Civil date from days since 1970-01-01 in the proleptic Gregorian calendar, by 400-year eras.
        long z = day + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long shiftedMonth = (5 * dayOfYear + 2) / 153; // March is 0
        int dayOfMonth = (int) (dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
        int month = (int) (shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

        char[] text = new char[27];
        digits(text, 0, year, 4);
        text[4] = '-';
        digits(text, 5, month, 2);
        text[7] = '-';
        digits(text, 8, dayOfMonth, 2);
        text[10] = 'T';
        digits(text, 11, ofDay / 3_600_000_000L, 2);
        text[13] = ':';
        digits(text, 14, ofDay / 60_000_000L % 60, 2);
        text[16] = ':';
        digits(text, 17, ofDay / 1_000_000L % 60, 2);
        text[19] = '.';
        digits(text, 20, ofDay % 1_000_000L, 6);
        text[26] = 'Z';
        return new String(text);
    }

    private static void digits(char[] text, int at, long value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
