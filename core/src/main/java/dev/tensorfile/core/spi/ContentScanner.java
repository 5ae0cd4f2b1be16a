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

    /** Writes a disassembly (offset, opcode, argument per line) of every pickle in {@code path}. */
    void disassemble(Path path, Appendable out) throws IOException;
}
