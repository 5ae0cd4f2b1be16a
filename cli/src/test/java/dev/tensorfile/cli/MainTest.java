package dev.tensorfile.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI contract of DESIGN.md that does not depend on any one format. */
class MainTest {
    @TempDir Path dir;

    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMissingFileIsACleanErrorWithExitTwo() {
        Path missing = dir.resolve("nope.safetensors");
        Run r = run("inspect", missing.toString());
        assertEquals(2, r.status());
        assertEquals("tensorfile: " + missing + ": no such file\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void aFileOfNoKnownFormatIsACleanError() throws IOException {
        Path junk = dir.resolve("junk.bin");
        Files.write(junk, new byte[] {1, 2, 3});
        Run r = run("inspect", "--json", junk.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("tensorfile: " + junk + ": not a file of any known format"), r.err());
        assertEquals(1, r.err().lines().count(), "one line, no stack trace");
    }

    @Test
    void debugAddsTheStackTrace() throws IOException {
        Path junk = dir.resolve("junk.bin");
        Files.write(junk, new byte[] {1, 2, 3});
        Run r = run("inspect", junk.toString(), "--debug");
        assertEquals(2, r.status());
        assertTrue(r.err().lines().anyMatch(l -> l.strip().startsWith("at ")), r.err());
    }

    @Test
    void usageErrorsExitTwo() {
        Run none = run();
        assertEquals(2, none.status());
        assertTrue(none.err().contains("usage: tensorfile"));
        Run unknown = run("frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().startsWith("tensorfile: unknown command 'frobnicate'"));
        Run badOption = run("inspect", "--colour", "x");
        assertEquals(2, badOption.status());
        assertTrue(badOption.err().startsWith("tensorfile: unknown option --colour"));
        Run badDtype = run("convert", "a", "b.safetensors", "--dtype", "I8");
        assertEquals(2, badDtype.status());
        assertTrue(badDtype.err().startsWith("tensorfile: --dtype takes F32, F16, BF16 or a GGML block type"), badDtype.err());
        Run missingValue = run("convert", "a", "b", "--to");
        assertEquals(2, missingValue.status());
        assertTrue(missingValue.err().startsWith("tensorfile: --to needs a value"));
    }

    @Test
    void helpAndVersionExitZero() {
        Run help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("inspect FILE"));
        Run version = run("--version");
        assertEquals(0, version.status());
        assertTrue(version.out().startsWith("tensorfile "));
    }

    @Test
    void convertToAnUnknownFormatNamesTheKnownOnes() throws IOException {
        Path junk = dir.resolve("junk.bin");
        Files.write(junk, new byte[] {1});
        Run r = run("convert", junk.toString(), dir.resolve("out.xyz").toString(), "--to", "xyz");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("tensorfile: unknown format 'xyz'; known: "), r.err());
        assertFalse(Files.exists(dir.resolve("out.xyz")));
    }
}
