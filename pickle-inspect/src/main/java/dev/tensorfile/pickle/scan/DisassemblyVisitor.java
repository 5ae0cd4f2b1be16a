package dev.tensorfile.pickle.scan;

import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.Verdict;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.pickle.vm.Disassembly;
import dev.tensorfile.pickle.vm.Opcode;
import dev.tensorfile.pickle.vm.PickleLimits;
import dev.tensorfile.pickle.vm.PickleMachine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Writes pickletools.dis-like lines: offset, opcode byte, name, argument. */
public final class DisassemblyVisitor implements StreamVisitor {
    private final Path path;
    private final Appendable out;
    private final PickleLimits limits;

    /** Writes the disassembly of the file at {@code path} to {@code out}; an I/O error is an {@link UncheckedIOException}. */
    public DisassemblyVisitor(Path path, Appendable out, PickleLimits limits) {
        this.path = path;
        this.out = out;
        this.limits = limits;
    }

    private void print(String s) {
        try {
            out.append(s).append('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void containerProblem(String entry, long offset, String what, Verdict severity) {
        print("# " + (entry.isEmpty() ? "" : entry + ": ") + what);
    }

    @Override
    public String stream(MemorySegment region, long base, String entry, boolean sniffed) {
        ByteCursor c = new ByteCursor(region, base, "pickle", path).structure(entry.isEmpty() ? "pickle" : entry);
        int index = 0;
        while (c.remaining() > 0) {
            long start = c.position();
            print("== " + (entry.isEmpty() ? path.getFileName() : entry) + ", pickle #" + index + " at byte " + (base + start));
            PickleMachine m = new PickleMachine(limits, new PickleMachine.Listener() {
                @Override public boolean tracing() { return true; }

                @Override
                public void opcode(long offset, Opcode op, MemorySegment arg) {
                    print(String.format("%8d: %-4s %-16s %s", offset - base, op.display(), op.name(), Disassembly.argument(op, arg)));
                }
            });
            int protocol;
            try {
                protocol = m.run(c).protocol();
                index++;
            } catch (MalformedFileException e) {
                print("   error: " + e.getMessage());
                return null;
            }
            if (!PickleSequence.continues(region, c.position(), index)) {
                if (c.remaining() > 0) print("   (" + c.remaining() + " bytes after the last pickle)");
                return null;
            }
        }
        return null;
    }
}
