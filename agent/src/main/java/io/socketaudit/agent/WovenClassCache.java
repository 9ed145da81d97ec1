package io.socketaudit.agent;

import io.socketaudit.instrumentation.AdvisedTypes;
import io.socketaudit.instrumentation.WovenClass;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The JDK classes the agent wove in an earlier run, kept in a directory of this user's so that a later start
 * takes them as they are instead of loading Byte Buddy, whose cold start is most of what an application's first
 * socket would cost. One file per JDK (its home and version) holds, for each class, the bytes {@code java.base}
 * had and the woven bytes; it is used only under the same advice fingerprint (written into the jar by the build)
 * and only for a class that arrives with exactly the bytes recorded.
 * <p>
 * What is read here ends up in the JDK's own classes, so the directory must be this user's and open to nobody
 * else, the file this user's and writable by nobody else, and neither is reached through a link: the directory is
 * opened without following one, and the file through that open directory. A file is written whole under a
 * temporary name and then renamed, so a reader sees an old file or a new one, never half of one.
 */
final class WovenClassCache {

    /** The jar entry holding the advice fingerprint. */
    static final String FINGERPRINT_ENTRY = "META-INF/socket-audit/advice.sha256";

    private static final int MAGIC = 0x53415743; // "SAWC"
    private static final int FORMAT = 1;
    /** Far above what the JDK's few socket classes take, woven and not (about 300 KB on JDK 17). */
    private static final int MAX_FILE_BYTES = 16 << 20;
    private static final String TEMPORARY_SUFFIX = ".tmp";
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** What a start found in the cache: the classes to reuse (none unless it was used) and a word on why. */
    record Found(Map<String, WovenClass> classes, String status, IOException problem) {

        static Found nothing(String status) {
            return new Found(Map.of(), status, null);
        }
    }

    private final Path directory;
    private final Path fileName;
    private final String identity;

    /**
     * @param directory   the cache directory; made, owner-only, when the first file is written
     * @param fingerprint the advice fingerprint of this agent jar
     * @param javaHome    the JDK's {@code java.home}
     * @param vmVersion   the JDK's {@code java.vm.version}
     */
    WovenClassCache(Path directory, String fingerprint, String javaHome, String vmVersion) {
        this.directory = directory.toAbsolutePath();
        String jdk = javaHome + "\n" + vmVersion;
        CRC32 crc = new CRC32();
        crc.update(jdk.getBytes(StandardCharsets.UTF_8));
        // Not String.format: its first use compiles regular expressions, which cost the start about 4 ms.
        String hex = Long.toHexString(crc.getValue() | 1L << 32).substring(1);
        this.fileName = directory.getFileSystem().getPath("jdk-" + hex + ".woven");
        this.identity = "advice " + fingerprint + "\njdk " + jdk;
    }

    Path directory() {
        return directory;
    }

    /** This JDK's file in the directory. */
    Path file() {
        return directory.resolve(fileName);
    }

    /**
     * The classes this cache holds for this JDK and agent. Never throws: a cache that cannot be used is found
     * empty, with the reason in its status, and with the problem when it is more than a file not there yet or
     * written by another agent or JDK (a file or directory that is not safe, a damaged file).
     */
    Found load() {
        if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
            return Found.nothing("empty");
        }
        try (SecureDirectoryStream<Path> dir = openDirectory()) {
            byte[] content = readFile(dir);
            if (content == null) {
                return Found.nothing("empty");
            }
            Map<String, WovenClass> classes = decode(content);
            if (classes == null) {
                return Found.nothing("stale: written by another agent build or JDK; rewritten");
            }
            return new Found(classes, "used: " + classes.size() + " classes", null);
        } catch (IOException e) {
            return new Found(Map.of(), "not used: " + e.getMessage(), e);
        }
    }

    /** Writes these classes as this JDK's file, replacing an earlier one whole. */
    void store(Collection<WovenClass> classes) throws IOException {
        byte[] content = encode(classes);
        makeDirectory();
        try (SecureDirectoryStream<Path> dir = openDirectory()) {
            removeLeftTemporaries(dir);
            Path temporary = fileName.resolveSibling(fileName + "." + ProcessId.current() + TEMPORARY_SUFFIX);
            try (SeekableByteChannel out = dir.newByteChannel(temporary, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), OWNER_ONLY_FILE)) {
                ByteBuffer bytes = ByteBuffer.wrap(content);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
            } catch (IOException e) {
                deleteQuietly(dir, temporary);
                throw e;
            }
            dir.move(temporary, dir, fileName);
        }
    }

    /** The directory, and the directories above it that are missing; owner-only when made here. */
    private void makeDirectory() throws IOException {
        if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path parent = directory.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        }
        try {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        } catch (FileAlreadyExistsException e) {
            return; // another JVM's, or something else: openDirectory checks what it is
        }
        // The umask can only take permissions away; this is for a umask that took the owner's too.
        if (!Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY_DIRECTORY)) {
            Files.setPosixFilePermissions(directory, OWNER_ONLY_DIRECTORY);
        }
    }

    /**
     * The cache directory, opened without following a link and checked through that handle: this user's, and
     * nobody else may enter it. Inside it, then, only this user (or root) can add, remove or swap a file.
     */
    private SecureDirectoryStream<Path> openDirectory() throws IOException {
        Path parentPath = directory.getParent();
        if (parentPath == null) {
            throw new IOException(directory + " is not a directory the cache can be in");
        }
        try (DirectoryStream<Path> parent = Files.newDirectoryStream(parentPath)) {
            if (!(parent instanceof SecureDirectoryStream<Path> secureParent)) {
                throw new IOException("this platform cannot open " + directory + " without following links");
            }
            SecureDirectoryStream<Path> dir;
            try {
                dir = secureParent.newDirectoryStream(directory.getFileName(), LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                throw new IOException(directory + " cannot be opened as a directory (" + e.getMessage() + ")", e);
            }
            try {
                PosixFileAttributes attributes = dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
                String problem = unsafe(attributes, true);
                if (problem != null) {
                    throw new IOException(directory + " is " + problem);
                }
                return dir;
            } catch (IOException | RuntimeException e) {
                dir.close();
                throw e;
            }
        }
    }

    /** The file's bytes, or {@code null} when there is none; read only when this user's and writable by no other. */
    private byte[] readFile(SecureDirectoryStream<Path> dir) throws IOException {
        SeekableByteChannel in;
        try {
            in = dir.newByteChannel(fileName, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new IOException(directory.resolve(fileName) + " cannot be opened (" + e.getMessage() + ")", e);
        }
        try (in) {
            // By name, but in a directory only this user can change: the name is still the file opened.
            PosixFileAttributes attributes = dir.getFileAttributeView(fileName, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes();
            String problem = unsafe(attributes, false);
            if (problem != null) {
                throw new IOException(directory.resolve(fileName) + " is " + problem);
            }
            if (in.size() > MAX_FILE_BYTES) {
                throw new IOException(directory.resolve(fileName) + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            ByteBuffer content = ByteBuffer.allocate((int) in.size());
            while (content.hasRemaining() && in.read(content) >= 0) {
                // until the whole file is read
            }
            if (content.hasRemaining()) {
                throw new IOException(directory.resolve(fileName) + " shrank while it was read");
            }
            return content.array();
        }
    }

    /** What makes this directory or file unsafe to load classes from, or {@code null}. */
    private static String unsafe(PosixFileAttributes attributes, boolean isDirectory) throws IOException {
        if (isDirectory ? !attributes.isDirectory() : !attributes.isRegularFile()) {
            return isDirectory ? "not a directory" : "not a regular file";
        }
        UserPrincipal self = Files.getOwner(Path.of("/proc/self"));
        if (!self.equals(attributes.owner())) {
            return "owned by " + attributes.owner().getName() + ", not by this process's user " + self.getName();
        }
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (isDirectory && !OWNER_ONLY_DIRECTORY.containsAll(permissions)) {
            return "open to other users (" + PosixFilePermissions.toString(permissions) + "); expected rwx------";
        }
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            return "writable by other users (" + PosixFilePermissions.toString(permissions) + ")";
        }
        return null;
    }

    /** Temporary files of writers that died before renaming theirs (their pid gone). */
    private void removeLeftTemporaries(SecureDirectoryStream<Path> dir) {
        for (Path entry : dir) {
            long pid = writerOf(entry.getFileName().toString());
            if (pid > 0 && ProcessId.isGone(pid)) {
                deleteQuietly(dir, entry.getFileName());
            }
        }
    }

    /** The pid in a temporary file's name ({@code <file>.<pid>.tmp}), or -1 for any other name. */
    private static long writerOf(String name) {
        if (!name.endsWith(TEMPORARY_SUFFIX)) {
            return -1;
        }
        String pid = name.substring(name.lastIndexOf('.', name.length() - TEMPORARY_SUFFIX.length() - 1) + 1,
                name.length() - TEMPORARY_SUFFIX.length());
        for (int i = 0; i < pid.length(); i++) {
            if (pid.charAt(i) < '0' || pid.charAt(i) > '9') {
                return -1;
            }
        }
        return pid.isEmpty() || pid.length() > 18 ? -1 : Long.parseLong(pid);
    }

    private static void deleteQuietly(SecureDirectoryStream<Path> dir, Path name) {
        try {
            dir.deleteFile(name);
        } catch (IOException e) {
            // left for the next writer
        }
    }

    /**
     * The file's layout: magic, format, identity (advice fingerprint and JDK), the classes (name, original, woven),
     * then a CRC-32 of all that, so that a damaged file is found out rather than loaded.
     */
    byte[] encode(Collection<WovenClass> classes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        writeText(out, identity);
        out.writeInt(classes.size());
        for (WovenClass woven : classes) {
            writeText(out, woven.name());
            out.writeInt(woven.original().length);
            out.write(woven.original());
            out.writeInt(woven.woven().length);
            out.write(woven.woven());
        }
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        return bytes.toByteArray();
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /**
     * The classes of a file, or {@code null} when it was written for another agent build or JDK; an
     * {@code IOException} when it is damaged or names a class the agent does not weave. Read from a buffer over the
     * file's bytes, not through a {@code DataInputStream}, whose copying cost the start milliseconds.
     */
    Map<String, WovenClass> decode(byte[] content) throws IOException {
        String damaged = directory.resolve(fileName) + " is damaged";
        if (content.length < 8) {
            throw new IOException(damaged + " (too short)");
        }
        CRC32 crc = new CRC32();
        crc.update(content, 0, content.length - 8);
        ByteBuffer in = ByteBuffer.wrap(content, 0, content.length - 8);
        if (crc.getValue() != ByteBuffer.wrap(content).getLong(content.length - 8)) {
            throw new IOException(damaged + " (checksum)");
        }
        try {
            if (in.getInt() != MAGIC) {
                throw new IOException(damaged + " (not a woven class file)");
            }
            if (in.getInt() != FORMAT || !identity.equals(readText(in))) {
                return null;
            }
            int count = in.getInt();
            if (count < 0 || count > AdvisedTypes.NAMES.size()) {
                throw new IOException(damaged + " (" + count + " classes)");
            }
            Map<String, WovenClass> classes = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = readText(in);
                if (!AdvisedTypes.NAMES.contains(name)) {
                    throw new IOException(damaged + " (it holds " + name + ", which the agent does not advise)");
                }
                classes.put(name, new WovenClass(name, readBytes(in, damaged), readBytes(in, damaged)));
            }
            if (in.hasRemaining()) {
                throw new IOException(damaged + " (bytes after the last class)");
            }
            return classes;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IOException(damaged + " (cut short)", e);
        }
    }

    private static String readText(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("a text of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(ByteBuffer in, String damaged) throws IOException {
        int length = in.getInt();
        if (length <= 0 || length > in.remaining()) {
            throw new IOException(damaged + " (a class of " + length + " bytes)");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }
}
