package dev.tensorfile.core;

import java.nio.file.Path;
import java.util.List;

/**
 * The result of a safety scan of one file: its verdict and every finding behind it.
 *
 * @param file the scanned file
 * @param verdict the worst severity among the findings ({@link Verdict#SAFE} when there are none)
 * @param findings every global outside the allow-list, and every dangerous construct, in file order
 */
public record ScanReport(Path file, Verdict verdict, List<ScanFinding> findings) {
    public ScanReport {
        findings = List.copyOf(findings);
    }
}
