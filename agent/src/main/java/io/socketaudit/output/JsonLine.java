package io.socketaudit.output;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Builds the log's JSON lines as UTF-8 bytes, one object per line, with field names encoded once as constants
 * ({@link #name}). A general JSON generator made the writer's per-event code large (tens of kilobytes of
 * compiled code for one line kind, compiled long after warm-up on a busy service); these few small methods
 * keep what runs per event short, so the JIT finishes with it early. Used by the writer thread only.
 */
final class JsonLine {

    /** A field's name as it precedes its value: {@code ,"name":}, or without the comma as the first field. */
    static final class Name {
        private final byte[] first;
        private final byte[] next;

        private Name(String name) {
            byte[] quoted = ("\"" + name + "\":").getBytes(StandardCharsets.UTF_8);
            this.first = quoted;
            this.next = new byte[quoted.length + 1];
            next[0] = ',';
            System.arraycopy(quoted, 0, next, 1, quoted.length);
        }
    }

    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes = new byte[4096];
    private int length;
    /** Whether the next field is the first of its object, so takes no comma. */
    private boolean firstField;
    private final Timestamps timestamps = new Timestamps();

    static Name name(String name) {
        return new Name(name);
    }

    /** Starts a line's (or a nested) object. */
    JsonLine begin() {
        ensure(1);
        bytes[length++] = '{';
        firstField = true;
        return this;
    }

    /** Ends a nested object. */
    JsonLine end() {
        ensure(1);
        bytes[length++] = '}';
        firstField = false;
        return this;
    }

    /** Ends the line's object and the line. */
    void endLine() {
        ensure(2);
        bytes[length++] = '}';
        bytes[length++] = '\n';
    }

    JsonLine field(Name name) {
        byte[] encoded = firstField ? name.first : name.next;
        firstField = false;
        raw(encoded);
        return this;
    }

    JsonLine string(Name name, String value) {
        field(name);
        return value == null ? raw(NULL) : string(value);
    }

    JsonLine number(Name name, long value) {
        field(name);
        return number(value);
    }

    JsonLine nullableNumber(Name name, Long value) {
        field(name);
        return value == null ? raw(NULL) : number(value);
    }

    JsonLine bool(Name name, boolean value) {
        field(name);
        return raw(value ? TRUE : FALSE);
    }

    JsonLine nullValue(Name name) {
        field(name);
        return raw(NULL);
    }

    /** RFC 3339 UTC with six fraction digits. */
    JsonLine time(Name name, long micros) {
        field(name);
        ensure(Timestamps.LENGTH + 2);
        bytes[length++] = '"';
        length = timestamps.write(micros, bytes, length);
        bytes[length++] = '"';
        return this;
    }

    /** Milliseconds from microseconds, exactly, as a decimal number ({@code 12.5}, {@code 3.0}). */
    JsonLine millis(Name name, long micros) {
        field(name);
        if (micros < 0) {
            ensure(1);
            bytes[length++] = '-';
            micros = -micros;
        }
        number(micros / 1000);
        int fraction = (int) (micros % 1000);
        ensure(4);
        bytes[length++] = '.';
        if (fraction == 0) {
            bytes[length++] = '0';
        } else {
            int unit = 100;
            while (fraction != 0) {
                bytes[length++] = (byte) ('0' + fraction / unit);
                fraction %= unit;
                unit /= 10;
            }
        }
        return this;
    }

    /** Starts an array field; its elements follow with {@link #element}. */
    JsonLine beginArray(Name name) {
        field(name);
        ensure(1);
        bytes[length++] = '[';
        firstField = true;
        return this;
    }

    JsonLine element(String value) {
        if (!firstField) {
            ensure(1);
            bytes[length++] = ',';
        }
        firstField = false;
        return value == null ? raw(NULL) : string(value);
    }

    JsonLine endArray() {
        ensure(1);
        bytes[length++] = ']';
        firstField = false;
        return this;
    }

    /**
     * Any value of the {@code agent_start} line: null, numbers, booleans, maps with string keys (nested objects)
     * and anything else as its string form. Not on the per-event path.
     */
    JsonLine value(Name name, Object value) {
        field(name);
        return value(value);
    }

    private JsonLine value(Object value) {
        if (value == null) {
            return raw(NULL);
        } else if (value instanceof Number n) {
            return number(n.longValue());
        } else if (value instanceof Boolean b) {
            return raw(b ? TRUE : FALSE);
        } else if (value instanceof Map<?, ?> map) {
            begin();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                value(name(String.valueOf(entry.getKey())), entry.getValue());
            }
            return end();
        }
        return string(String.valueOf(value));
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    void clear() {
        length = 0;
    }

    private JsonLine raw(byte[] encoded) {
        ensure(encoded.length);
        System.arraycopy(encoded, 0, bytes, length, encoded.length);
        length += encoded.length;
        return this;
    }

    private JsonLine number(long value) {
        ensure(20);
        if (value == Long.MIN_VALUE) {
            return raw(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
        }
        if (value < 0) {
            bytes[length++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long rest = value / 10; rest != 0; rest /= 10) {
            digits++;
        }
        for (int i = length + digits - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += digits;
        return this;
    }

    /** A JSON string: ASCII copied as it is, quotes, backslashes and control characters escaped, the rest UTF-8. */
    private JsonLine string(String value) {
        int n = value.length();
        ensure(2 + n);
        bytes[length++] = '"';
        int i = 0;
        // Nearly every value is plain ASCII: one pass that copies until the first character that is not.
        for (; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                break;
            }
            bytes[length++] = (byte) c;
        }
        if (i < n) {
            escapedTail(value, i);
        }
        ensure(1);
        bytes[length++] = '"';
        return this;
    }

    private void escapedTail(String value, int from) {
        int n = value.length();
        for (int i = from; i < n; i++) {
            char c = value.charAt(i);
            ensure(12);
            if (c == '"' || c == '\\') {
                bytes[length++] = '\\';
                bytes[length++] = (byte) c;
            } else if (c < 0x20) {
                escapeControl(c);
            } else if (c < 0x80) {
                bytes[length++] = (byte) c;
            } else if (c < 0x800) {
                bytes[length++] = (byte) (0xc0 | c >> 6);
                bytes[length++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, value.charAt(++i));
                bytes[length++] = (byte) (0xf0 | cp >> 18);
                bytes[length++] = (byte) (0x80 | cp >> 12 & 0x3f);
                bytes[length++] = (byte) (0x80 | cp >> 6 & 0x3f);
                bytes[length++] = (byte) (0x80 | cp & 0x3f);
            } else if (Character.isSurrogate(c)) {
                unicodeEscape(c); // a lone surrogate has no UTF-8 form; the escape keeps the line valid JSON
            } else {
                bytes[length++] = (byte) (0xe0 | c >> 12);
                bytes[length++] = (byte) (0x80 | c >> 6 & 0x3f);
                bytes[length++] = (byte) (0x80 | c & 0x3f);
            }
        }
    }

    private void escapeControl(char c) {
        char shortForm = switch (c) {
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            case '\b' -> 'b';
            case '\f' -> 'f';
            default -> 0;
        };
        if (shortForm != 0) {
            bytes[length++] = '\\';
            bytes[length++] = (byte) shortForm;
        } else {
            unicodeEscape(c);
        }
    }

    private void unicodeEscape(char c) {
        bytes[length++] = '\\';
        bytes[length++] = 'u';
        bytes[length++] = HEX[c >> 12 & 0xf];
        bytes[length++] = HEX[c >> 8 & 0xf];
        bytes[length++] = HEX[c >> 4 & 0xf];
        bytes[length++] = HEX[c & 0xf];
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    /** RFC 3339 timestamps; the text up to the second is made once per second, the rest is six digits. */
    private static final class Timestamps {
        static final int LENGTH = 27; // 2026-12-05T08:08:56.123456Z
        private static final int PREFIX = 20; // up to and including the '.'

        private long second = Long.MIN_VALUE;
        private final byte[] prefix = new byte[PREFIX];

        int write(long micros, byte[] out, int at) {
            long s = Math.floorDiv(micros, 1_000_000L);
            if (s != second) {
                byte[] text = io.socketaudit.event.Clock.format(s * 1_000_000L).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(text, 0, prefix, 0, PREFIX);
                second = s;
            }
            System.arraycopy(prefix, 0, out, at, PREFIX);
            at += PREFIX;
            int fraction = (int) Math.floorMod(micros, 1_000_000L);
            for (int unit = 100_000; unit > 0; unit /= 10) {
                out[at++] = (byte) ('0' + fraction / unit % 10);
            }
            out[at++] = 'Z';
            return at;
        }
    }
}
