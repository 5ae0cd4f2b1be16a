package dev.tensorfile.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tensorfile.core.ScanFinding;
import dev.tensorfile.core.ScanReport;
import dev.tensorfile.core.Verdict;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tensorfile scan FILE... [--json]}: exit 0 when every file is safe, 1 when any is unknown or dangerous,
 * 2 when any could not be scanned.
 */
final class ScanCommand implements Main.Command {
    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err, Main.Failure onError) {
        Arguments args = Arguments.parse(argv, Sources.flags("json"), Sources.valued());
        if (args.operands().isEmpty()) throw new UsageException("scan takes FILE...");
        boolean json = args.has("json");
        ObjectMapper mapper = new ObjectMapper();
        List<ObjectNode> reports = new ArrayList<>();
        boolean error = false, unsafe = false;
        for (String file : args.operands()) {
            try {
                ScanReport r = Sources.scan(file, args);
                unsafe |= r.verdict() != Verdict.SAFE;
                if (json) reports.add(toJson(mapper, file, r));
                else printHuman(file, r, out);
            } catch (RuntimeException | Error e) {
                error = true;
                onError.report(file, e);
            }
        }
        if (json) {
            try {
                Object doc = reports.size() == 1 && args.operands().size() == 1 ? reports.getFirst()
                        : mapper.createArrayNode().addAll(reports);
                out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return error ? 2 : unsafe ? 1 : 0;
    }

    private static ObjectNode toJson(ObjectMapper mapper, String file, ScanReport r) {
        ObjectNode o = mapper.createObjectNode();
        o.put("file", file);
        o.put("verdict", r.verdict().jsonName());
        ArrayNode findings = o.putArray("findings");
        for (ScanFinding f : r.findings()) {
            findings.addObject().put("global", f.global()).put("severity", f.severity().jsonName())
                    .put("entry", f.entry()).put("offset", f.offset()).put("detail", f.detail());
        }
        return o;
    }

    private static void printHuman(String file, ScanReport r, PrintStream out) {
        out.println(file + ": " + r.verdict().jsonName());
        for (ScanFinding f : r.findings()) {
            out.println("  " + f.severity().jsonName() + "  " + f.global() + "  at " + (f.entry().isEmpty() ? "" : f.entry() + "@")
                    + f.offset() + (f.detail() == null || f.detail().isEmpty() ? "" : "  (" + f.detail() + ")"));
        }
    }
}
