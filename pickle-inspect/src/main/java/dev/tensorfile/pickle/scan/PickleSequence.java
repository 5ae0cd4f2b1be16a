package dev.tensorfile.pickle.scan;

import dev.tensorfile.pickle.archive.Magic;
import dev.tensorfile.pickle.torch.LegacyStream;
import dev.tensorfile.pickle.vm.PickleStart;

import java.lang.foreign.MemorySegment;

/** A stream of pickles one after another, as Python code that calls {@code pickle.load} again and again reads it. */
final class PickleSequence {
    private PickleSequence() {}

    /**
     * Whether another pickle follows at {@code at}: Python code may call {@code pickle.load} on a stream again and
     * again, so whatever starts like a pickle after a STOP is read (PROTO 2+, or any opcode that may start one, and
     * not a ZIP entry) — except in PyTorch's legacy format, whose five pickles (magic, protocol, sys info, data,
     * storage keys) are followed by raw storage bytes torch never unpickles.
     */
    static boolean continues(MemorySegment region, long at, int index) {
        if (index >= 10_000 || at >= region.byteSize()) return false;
        if (index >= LegacyStream.PICKLES && Magic.startsWith(region, 0, LegacyStream.MAGIC)) return false;
        if (PickleStart.isProtoPickle(region, at)) return true;
        return PickleStart.mayBePickle(region, at) && !Magic.isZipAt(region, at);
    }
}
