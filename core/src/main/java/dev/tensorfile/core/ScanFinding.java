package dev.tensorfile.core;

/**
 * One construct a safety scan found.
 *
 * @param global the global as {@code module.name} ({@code os.system}), or a description for non-global findings
 * @param severity {@link Verdict#UNKNOWN} or {@link Verdict#DANGEROUS} ({@link Verdict#SAFE} for informational ones)
 * @param entry where it is: the container entry ({@code archive/data.pkl}), or empty for a bare stream
 * @param offset the byte offset of the opcode within that entry's stream (or the file)
 * @param detail why it is classified so, for humans
 */
public record ScanFinding(String global, Verdict severity, String entry, long offset, String detail) {}
