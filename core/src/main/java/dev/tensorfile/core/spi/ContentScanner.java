package dev.tensorfile.core.spi;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.ScanReport;

import java.io.IOException;
import java.nio.file.Path;

/** Scans files for executable content without running it; provided through {@link java.util.ServiceLoader}. */
public interface ContentScanner {
    /**
     * Scans every pickle {@code path} holds, in any container; a file without pickles is {@code SAFE}.
     *
     * @throws dev.tensorfile.core.TensorFileException if the file cannot be read at all
     */
    ScanReport scan(Path path, ReadLimits limits);

    /**
     * True if this is the scanner for {@code path}: a scanner of one format's files (TensorFlow's, for a SavedModel
     * directory or a checkpoint) claims them, and {@link dev.tensorfile.core.Scanning} gives them to it rather than to
     * a general scanner. False by default.
     */
    default boolean claims(Path path) { return false; }

    /**
     * True for a scanner of any file (pickle-inspect's, which finds pickles in every container), which scans what no
     * format's scanner claims. True by default.
     */
    default boolean general() { return true; }

    /**
     * Scans a remote file through {@code file}'s {@link MappedFile#window windows}, fetching only what the scan reads
     * (an archive's directory and the entries that may hold pickles), or empty when this scanner needs the whole file
     * as a local one: {@link dev.tensorfile.core.Scanning#scan(java.net.URI, dev.tensorfile.core.RemoteOptions,
     * ReadLimits)} then downloads it. Empty by default.
     */
    default java.util.Optional<ScanReport> scanRemote(MappedFile file, ReadLimits limits) { return java.util.Optional.empty(); }

    /** Writes a disassembly (offset, opcode, argument per line) of every pickle in {@code path}. */
    void disassemble(Path path, Appendable out) throws IOException;
}
