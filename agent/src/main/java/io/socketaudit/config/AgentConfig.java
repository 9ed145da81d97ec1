package io.socketaudit.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The agent's settings. Each key is read, first found wins, from the agent arguments
 * ({@code key=value,key=value}), the system property {@code socketaudit.<key>}, and the environment
 * variable {@code SOCKETAUDIT_<KEY>} (dots become underscores). Unknown keys in the arguments or in
 * {@code socketaudit.*} properties are errors; the environment is shared with other programs, so only
 * known names are read from it.
 */
public final class AgentConfig {

    public static final String FILE = "file";
    public static final String COMPRESS = "compress";
    public static final String STACK_DEPTH = "stack.depth";
    public static final String QUEUE_SIZE = "queue.size";
    public static final String ROTATE_SIZE = "rotate.size";
    public static final String ROTATE_KEEP = "rotate.keep";
    public static final String LIBRARIES = "libraries";
    public static final String CACHE = "cache";

    private static final String PROPERTY_PREFIX = "socketaudit.";
    private static final String ENV_PREFIX = "SOCKETAUDIT_";
    private static final String GZIP = "gzip";
    private static final String OFF = "off";
    /** Appended to a gzip log's name when it lacks it, so that tools take it for what it is. */
    private static final String GZIP_SUFFIX = ".gz";

    /** Keys with their defaults, in the order the README's table lists them. */
    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put(FILE, "socket-audit-{pid}.jsonl");
        DEFAULTS.put(COMPRESS, "none");
        DEFAULTS.put(STACK_DEPTH, "32");
        DEFAULTS.put(QUEUE_SIZE, "65536");
        DEFAULTS.put(ROTATE_SIZE, "100M");
        DEFAULTS.put(ROTATE_KEEP, "5");
        DEFAULTS.put(LIBRARIES, "");
        DEFAULTS.put(CACHE, "$XDG_CACHE_HOME/socket-audit, else ~/.cache/socket-audit"); // set in parse
    }

    private final Path file;
    private final boolean gzip;
    private final int stackDepth;
    private final int queueSize;
    private final long rotateSize;
    private final int rotateKeep;
    private final List<String> libraries;
    private final Path cache;
    private final Map<String, String> effective;

    private AgentConfig(Map<String, String> values, long pid) throws ConfigException {
        this.effective = values;
        String fileName = values.get(FILE).replace("{pid}", Long.toString(pid));
        if (fileName.isBlank()) {
            throw new ConfigException("option file is empty: expected a path for the audit log");
        }
        this.gzip = choiceOption(values, COMPRESS, "none", GZIP).equals(GZIP);
        if (gzip && !fileName.endsWith(GZIP_SUFFIX)) {
            fileName += GZIP_SUFFIX;
        }
        this.file = Path.of(fileName).toAbsolutePath();
        this.stackDepth = intOption(values, STACK_DEPTH, 1, 1024);
        this.queueSize = intOption(values, QUEUE_SIZE, 16, 16_777_216);
        this.rotateSize = sizeOption(values, ROTATE_SIZE);
        this.rotateKeep = intOption(values, ROTATE_KEEP, 1, 1000);
        this.libraries = packagesOption(values, LIBRARIES);
        String cacheName = values.get(CACHE);
        if (cacheName.isBlank()) {
            throw new ConfigException("option cache is empty: expected a directory, or off");
        }
        try {
            this.cache = cacheName.equals(OFF) ? null : Path.of(cacheName).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new ConfigException("option cache=" + cacheName + " is not a path: " + e.getReason());
        }
    }

    /**
     * Reads the configuration.
     *
     * @param agentArgs  the text after {@code =} in {@code -javaagent:jar=...}, or {@code null}
     * @param properties the system properties
     * @param env        the environment
     * @param pid        the process id, for {@code {pid}} in the file name
     */
    public static AgentConfig parse(String agentArgs, Properties properties, Map<String, String> env, long pid)
            throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        values.put(CACHE, defaultCache(properties, env));
        for (String key : DEFAULTS.keySet()) {
            String fromEnv = env.get(ENV_PREFIX + key.replace('.', '_').toUpperCase(Locale.ROOT));
            if (fromEnv != null) {
                values.put(key, fromEnv.trim());
            }
        }
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX)) {
                String key = name.substring(PROPERTY_PREFIX.length());
                requireKnown(key, "system property " + name);
                values.put(key, properties.getProperty(name).trim());
            }
        }
        if (agentArgs != null && !agentArgs.isBlank()) {
            Set<String> given = new HashSet<>();
            for (String pair : agentArgs.split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException("agent argument '" + pair.trim() + "' is not key=value");
                }
                String key = pair.substring(0, eq).trim();
                requireKnown(key, "agent argument " + key);
                // Which of two values was meant cannot be known; taking either would hide the mistake.
                if (!given.add(key)) {
                    throw new ConfigException("option " + key + " is given twice in the agent arguments");
                }
                values.put(key, pair.substring(eq + 1).trim());
            }
        }
        return new AgentConfig(values, pid);
    }

    /** The log's path; with {@code compress=gzip}, ending in {@code .gz}. */
    public Path file() {
        return file;
    }

    /** Whether the log is written as a gzip stream ({@code compress=gzip}). */
    public boolean gzip() {
        return gzip;
    }

    public int stackDepth() {
        return stackDepth;
    }

    public int queueSize() {
        return queueSize;
    }

    /** Bytes after which the log is rotated; 0 means never. */
    public long rotateSize() {
        return rotateSize;
    }

    /** How many rotated files are kept beside the current one. */
    public int rotateKeep() {
        return rotateKeep;
    }

    /**
     * Package prefixes ({@code com.example.rpc.}) whose frames are library code, beyond the defaults: the
     * {@code appCaller} field skips them.
     */
    public List<String> libraries() {
        return libraries;
    }

    /**
     * The directory where JDK classes woven in one run are kept for the next ({@code cache}); {@code null} with
     * {@code cache=off}.
     */
    public Path cache() {
        return cache;
    }

    /** Every key with the value in force, for the log's first line. */
    public Map<String, String> effective() {
        return Map.copyOf(effective);
    }

    /**
     * The user's cache directory as the XDG base directory specification has it ({@code $XDG_CACHE_HOME} when it is
     * an absolute path, else {@code ~/.cache}), with {@code socket-audit} in it; off for a user without a home.
     */
    private static String defaultCache(Properties properties, Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg, "socket-audit").toString();
        }
        String home = properties.getProperty("user.home", "");
        return home.startsWith("/") ? Path.of(home, ".cache", "socket-audit").toString() : OFF;
    }

    private static void requireKnown(String key, String where) throws ConfigException {
        if (!DEFAULTS.containsKey(key)) {
            throw new ConfigException("unknown option '" + key + "' (" + where + "); known options: "
                    + String.join(", ", DEFAULTS.keySet()));
        }
    }

    private static String choiceOption(Map<String, String> values, String key, String... allowed)
            throws ConfigException {
        String text = values.get(key);
        for (String choice : allowed) {
            if (choice.equals(text)) {
                return choice;
            }
        }
        throw new ConfigException("option " + key + "=" + text + " is not one of: " + String.join(", ", allowed));
    }

    /** Package names separated by {@code :} (a comma separates the agent's arguments), each as a prefix ending in a dot. */
    private static List<String> packagesOption(Map<String, String> values, String key) throws ConfigException {
        List<String> prefixes = new ArrayList<>();
        for (String name : values.get(key).split(":")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!isPackagePrefix(trimmed)) {
                throw new ConfigException("option " + key + ": '" + trimmed + "' is not a package name; expected "
                        + "package names separated by ':', such as com.example.rpc:org.example.db");
            }
            prefixes.add(trimmed.endsWith(".") ? trimmed : trimmed + ".");
        }
        return List.copyOf(prefixes);
    }

    /**
     * A Java identifier's start, then identifier parts and dots. Checked by hand: compiling the equivalent regular
     * expression cost the agent's start about 5 ms.
     */
    private static boolean isPackagePrefix(String text) {
        if (!Character.isJavaIdentifierStart(text.codePointAt(0))) {
            return false;
        }
        for (int i = Character.charCount(text.codePointAt(0)); i < text.length(); ) {
            int c = text.codePointAt(i);
            if (c != '.' && !Character.isJavaIdentifierPart(c)) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }

    private static int intOption(Map<String, String> values, String key, int min, int max) throws ConfigException {
        String text = values.get(key);
        Long value = plainNumber(text);
        if (value != null && value >= min && value <= max) {
            return value.intValue();
        }
        throw new ConfigException("option " + key + "=" + text + " is not a whole number from " + min + " to " + max);
    }

    /**
     * The value of a number written in ASCII digits only, at most 12 of them; {@code null} for anything else. The
     * JDK's parsers also take a sign and the digits of every script, which a configuration should not.
     */
    private static Long plainNumber(String text) {
        if (text.isEmpty() || text.length() > 12) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return Long.parseLong(text);
    }

    /** A byte count with an optional K, M or G suffix (powers of 1024); 0 turns rotation off. */
    private static long sizeOption(Map<String, String> values, String key) throws ConfigException {
        String text = values.get(key);
        String digits = text;
        long unit = 1;
        if (!text.isEmpty()) {
            switch (Character.toUpperCase(text.charAt(text.length() - 1))) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                default -> unit = 1;
            }
            if (unit != 1) {
                digits = text.substring(0, text.length() - 1);
            }
        }
        Long number = plainNumber(digits);
        // Compared before multiplying: a count of units beyond the maximum would overflow into a small size.
        if (number != null && (number == 0 || (number <= (1L << 40) / unit && number * unit >= 64 * 1024))) {
            return number * unit;
        }
        throw new ConfigException("option " + key + "=" + text
                + " is not a size from 64K to 1024G (a number of bytes, or with K, M or G), or 0 for no rotation");
    }
}
