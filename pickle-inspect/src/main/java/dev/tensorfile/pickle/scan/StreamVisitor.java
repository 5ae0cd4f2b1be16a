package dev.tensorfile.pickle.scan;

import dev.tensorfile.core.Verdict;

import java.lang.foreign.MemorySegment;

/** What is done with each pickle stream the walk finds. */
public interface StreamVisitor {
    /**
     * A region that holds one or more consecutive pickles.
     *
     * @return null when the stream was judged (parsed, or a finding says where it broke off); otherwise why it is
     *     not a pickle at all (it fails before it references anything)
     */
    String stream(MemorySegment region, long base, String entry, boolean sniffed);

    /** Something about a container that a careful reader would refuse, or could not read. */
    void containerProblem(String entry, long offset, String what, Verdict severity);
}
