package dev.tensorfile.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A command's parsed arguments: positional operands, boolean flags and valued options. */
record Arguments(List<String> operands, Set<String> flags, Map<String, String> options) {

    /**
     * Parses {@code args}: {@code --name value} for the names in {@code valued}, {@code --name=value} for any,
     * {@code --name} alone for flags in {@code allowedFlags}; {@code --} ends the options.
     *
     * @throws UsageException on an unknown option or a missing value
     */
    static Arguments parse(List<String> args, Set<String> allowedFlags, Set<String> valued) {
        List<String> operands = new ArrayList<>();
        java.util.LinkedHashSet<String> flags = new java.util.LinkedHashSet<>();
        Map<String, String> options = new HashMap<>();
        boolean onlyOperands = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (onlyOperands || !a.startsWith("--") || a.equals("-")) {
                operands.add(a);
            } else if (a.equals("--")) {
                onlyOperands = true;
            } else {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (valued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.size()) throw new UsageException("--" + name + " needs a value");
                        value = args.get(++i);
                    }
                    options.put(name, value);
                } else if (allowedFlags.contains(name) && value == null) {
                    flags.add(name);
                } else {
                    throw new UsageException("unknown option --" + name);
                }
            }
        }
        return new Arguments(List.copyOf(operands), Set.copyOf(flags), Map.copyOf(options));
    }

    boolean has(String flag) { return flags.contains(flag); }

    String option(String name) { return options.get(name); }
}
