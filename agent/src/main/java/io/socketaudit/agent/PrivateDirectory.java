package io.socketaudit.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * The directory in the temporary directory where the agent puts the files the JVM must load by name (the
 * bridge jar, the native library) for the moment it takes to load them. The temporary directory is shared
 * with every local user, and the JVM may run as root: the directory is created with its owner-only mode in
 * the same system call (never {@code mkdir} then {@code chmod}, which leaves a moment in which another user can
 * enter and swap a file), and every file in it is created exclusively without following links. Directories
 * left by agents whose JVM was killed are removed at the next start.
 */
final class PrivateDirectory {

    private static final String PREFIX = "socket-audit-";
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** Leftovers are looked for once per JVM: the agent makes its directory more than once while it starts. */
    private static boolean leftoversRemoved;

    private PrivateDirectory() {
    }

    /**
     * A new directory only its owner can enter, named after this process. Not Files.createTempDirectory: its
     * SecureRandom initialises java.security.Security, which reads its properties through a file channel (on JDK
     * 25 that loads SocketChannelImpl before the agent's transformer is registered, and it could then only be
     * advised by retransformation, which costs the start all of Byte Buddy). The name need not be secret:
     * creating it fails when anything, a link included, is there already.
     */
    static synchronized Path create() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long pid = ProcessId.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            Path dir = tmp.resolve(String.join("", PREFIX, Long.toString(pid), "-", Long.toHexString(System.nanoTime())));
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            // The umask can only take permissions away; this is for a umask that took the owner's too.
            if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY_DIRECTORY)) {
                Files.setPosixFilePermissions(dir, OWNER_ONLY_DIRECTORY);
            }
            if (!leftoversRemoved) {
                leftoversRemoved = true;
                removeLeftovers(tmp, Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS));
            }
            return dir;
        }
        throw new IOException("cannot create a directory in " + tmp);
    }

    /** Creates {@code name} in {@code dir} with this content, readable by its owner only; fails if anything is there. */
    static Path writeNew(Path dir, String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        // A channel, not Files.newOutputStream: on JDK 25 that stream loads SocketChannelImpl.
        try (SeekableByteChannel out = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), OWNER_ONLY_FILE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
        return file;
    }

    /** Removes the directory and the files in it, following no link; what cannot be removed stays. */
    static void remove(Path dir) {
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir.getParent())) {
            removeIfOwnedBy(dir.getParent(), siblings, dir.getFileName(), null);
        } catch (IOException | RuntimeException e) {
            // left for the next start to reap
        }
    }

    /**
     * Removes the directories of this user's agents whose process is gone (a JVM killed with SIGKILL runs no
     * exit hook). Another user's directories, and those of processes still running, are left alone.
     */
    static void removeLeftovers(Path tmp, UserPrincipal self) {
        // Every name, filtered here: a glob would compile a regular expression, which cost the start about 3 ms.
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(tmp)) {
            for (Path dir : candidates) {
                long pid = pidOf(dir.getFileName().toString());
                if (pid > 0 && ProcessId.isGone(pid)) {
                    try {
                        removeIfOwnedBy(tmp, candidates, dir.getFileName(), self);
                    } catch (IOException e) {
                        // a link, a file, or one that cannot be removed: the others still are
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // reaping is housekeeping: the agent works without it
        }
    }

    /**
     * Removes directory {@code name} of {@code parent} and its files when its owner is {@code owner} (any owner when
     * {@code null}). Where the platform has them (Linux), through handles of the directories as opened without
     * following links, so that a directory swapped for a link cannot lead the removal anywhere else; elsewhere by
     * name, after checking that the name is not a link.
     */
    private static void removeIfOwnedBy(Path parentPath, DirectoryStream<Path> parent, Path name, UserPrincipal owner)
            throws IOException {
        if (parent instanceof SecureDirectoryStream<Path> secureParent) {
            try (SecureDirectoryStream<Path> dir = secureParent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                if (owner != null && !owner.equals(
                        dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes().owner())) {
                    return;
                }
                for (Path file : dir) {
                    dir.deleteFile(file.getFileName());
                }
            }
            secureParent.deleteDirectory(name);
            return;
        }
        Path dir = parentPath.resolve(name);
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                && (owner == null || owner.equals(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS)))) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    Files.deleteIfExists(file); // a link is removed, not followed
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** The pid in {@code socket-audit-<pid>-<hex>}, or -1 for any other name. */
    private static long pidOf(String name) {
        if (!name.startsWith(PREFIX)) {
            return -1;
        }
        int dash = name.indexOf('-', PREFIX.length());
        if (dash <= PREFIX.length()) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
