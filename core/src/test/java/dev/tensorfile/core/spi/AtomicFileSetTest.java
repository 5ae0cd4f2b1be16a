package dev.tensorfile.core.spi;

import dev.tensorfile.core.TensorFileException;
import dev.tensorfile.core.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A set of files commits all or nothing: a writer in a child JVM is killed (SIGKILL) before its commit point,
 * between two renames after it, and at random instants; the files, as this library reads them, are then always
 * one generation, never a mix.
 */
class AtomicFileSetTest {
    @TempDir Path dir;

    @Test
    void commitReplacesEveryMemberAndLeavesNoJournal() {
        commit(1);
        commit(2);
        assertEquals(List.of(2L, 2L, 2L), generations());
        assertEquals(List.of("a", "b", "c"), listing());
    }

    @Test
    void discardLeavesTheOldSet() {
        commit(1);
        try (AtomicFileSet set = AtomicFileSet.create("test")) {
            for (String n : AtomicFileSetKillChild.NAMES) set.add(dir.resolve(n)).write(AtomicFileSetKillChild.content(2));
        }
        assertEquals(List.of(1L, 1L, 1L), generations());
        assertEquals(List.of("a", "b", "c"), listing());
    }

    @Test
    void membersShareOneDirectory() throws IOException {
        Path other = Files.createDirectory(dir.resolve("sub"));
        try (AtomicFileSet set = AtomicFileSet.create("test")) {
            set.add(dir.resolve("a"));
            assertThrows(IllegalArgumentException.class, () -> set.add(other.resolve("b")));
        }
    }

    @Test
    void killedBeforeTheCommitPointLeavesTheOldSet() throws Exception {
        commit(1);
        killChild(2, "written", "written");
        assertEquals(List.of(1L, 1L, 1L), generations(), "on disk, before any recovery");
        AtomicFileSet.recover(dir);
        assertEquals(List.of(1L, 1L, 1L), generations());
    }

    @Test
    void killedBetweenTwoRenamesReadsAsTheNewSet() throws Exception {
        commit(1);
        killChild(2, "renamed", "renamed 0");
        // The window is real: on disk the first file is new and the others old, and a journal says what is left.
        assertEquals(List.of(2L, 1L, 1L), generations(), "on disk, before any recovery");
        assertTrue(listing().stream().anyMatch(n -> n.startsWith(".tensorfile-commit.")), listing().toString());
        // Opening any file of the directory through the library finishes the commit first.
        assertThrows(TensorFileException.class, () -> TensorFiles.open(dir.resolve("a")));
        assertEquals(List.of(2L, 2L, 2L), generations());
        assertTrue(listing().stream().noneMatch(n -> n.startsWith(".tensorfile-commit.")), listing().toString());
    }

    @Test
    void killedAtRandomIsAlwaysOneGeneration() throws Exception {
        commit(0);
        Random random = new Random(14);
        long last = 0;
        for (int round = 0; round < 6; round++) {
            Process p = child(last + 1, "none");
            try (BufferedReader out = p.inputReader(StandardCharsets.US_ASCII)) {
                // Let it commit a few generations, then kill it wherever it is.
                for (int seen = 0; seen < 3; seen++) if (out.readLine() == null) throw new AssertionError(stderr(p));
                Thread.sleep(random.nextInt(40));
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            AtomicFileSet.recover(dir);
            List<Long> g = generations();
            assertEquals(1, g.stream().distinct().count(), "round " + round + ": " + g);
            assertTrue(g.getFirst() >= last, "round " + round + ": went back from " + last + " to " + g);
            last = g.getFirst();
        }
        assertNotEquals(0, last);
    }

    @Test
    void aJournalNeverRenamesOutsideItsDirectory() throws IOException {
        commit(1);
        Path outside = Files.writeString(dir.getParent().resolve(dir.getFileName() + "-victim"), "keep");
        try {
            Files.writeString(dir.resolve(".tensorfile-commit.evil"),
                    "tensorfile-commit 1\n../" + outside.getFileName() + "/a\nend\n");
            assertThrows(TensorFileException.class, () -> AtomicFileSet.recover(dir));
            assertEquals("keep", Files.readString(outside));
            assertEquals(List.of(1L, 1L, 1L), generations());
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    private void commit(long gen) {
        try (AtomicFileSet set = AtomicFileSet.create("test")) {
            for (String n : AtomicFileSetKillChild.NAMES) set.add(dir.resolve(n)).write(AtomicFileSetKillChild.content(gen));
            set.commit();
        }
    }

    /** Runs a child that pauses at {@code pause}, waits for it to say {@code line}, then kills it. */
    private void killChild(long gen, String pause, String line) throws Exception {
        Process p = child(gen, pause);
        try (BufferedReader out = p.inputReader(StandardCharsets.US_ASCII)) {
            String got = out.readLine();
            assertEquals(line, got, () -> stderr(p));
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
    }

    private Process child(long gen, String pause) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                AtomicFileSetKillChild.class.getName(), dir.toString(), Long.toString(gen), pause).start();
    }

    private static String stderr(Process p) {
        try {
            return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private List<Long> generations() {
        List<Long> g = new ArrayList<>();
        for (String n : AtomicFileSetKillChild.NAMES) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(dir.resolve(n)),
                    StandardCharsets.US_ASCII))) {
                g.add(Long.parseLong(r.readLine().substring(4)));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return g;
    }

    /** The directory's entries, hidden files included, temporary files of killed writers excluded. */
    private List<String> listing() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".tmp")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
