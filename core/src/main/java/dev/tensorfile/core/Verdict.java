package dev.tensorfile.core;

import java.util.Locale;

/** A safety scan's verdict on a file, as {@code tensorfile scan} reports it. */
public enum Verdict {
    /** Only allow-listed, data-only constructs. */
    SAFE,
    /** Constructs outside the allow-list, none known to be dangerous. */
    UNKNOWN,
    /** At least one construct that can run code or reach the system. */
    DANGEROUS;

    /** The lowercase name the CLI's JSON uses. */
    public String jsonName() { return name().toLowerCase(Locale.ROOT); }
}
