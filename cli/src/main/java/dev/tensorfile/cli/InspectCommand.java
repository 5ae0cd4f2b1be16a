package dev.tensorfile.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tensorfile.core.MetadataValue;
import dev.tensorfile.core.Scanning;
import dev.tensorfile.core.Tensor;
import dev.tensorfile.core.TensorFile;
import dev.tensorfile.core.TensorInfo;
import dev.tensorfile.core.UnsupportedEntry;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code tensorfile inspect FILE [--json] [--disassemble]}. */
final class InspectCommand implements Main.Command {
    private static final int SHOWN_ARRAY_ELEMENTS = 8;
    private static final int SHOWN_STRING_CHARS = 120;

    @Override
    public int run(List<String> argv, PrintStream out, PrintStream err, Main.Failure onError) {
        Arguments args = Arguments.parse(argv, Sources.flags("json", "disassemble"), Sources.valued());
        if (args.operands().size() != 1) throw new UsageException("inspect takes one FILE");
        String file = args.operands().getFirst();
        try {
            if (args.has("disassemble")) {
                StringBuilder text = new StringBuilder();
                if (Sources.isUrl(file)) Sources.withDownload(file, args, p -> { Scanning.disassemble(p, text); return null; });
                else Scanning.disassemble(Path.of(file), text);
                out.print(text);
                return 0;
            }
            try (TensorFile f = Sources.open(file, args)) {
                if (args.has("json")) printJson(file, f, out);
                else printHuman(file, f, out);
            }
            return 0;
        } catch (RuntimeException | Error | com.fasterxml.jackson.core.JsonProcessingException e) {
            return onError.report(file, e);
        }
    }

    static void printJson(String file, TensorFile f, PrintStream out) throws com.fasterxml.jackson.core.JsonProcessingException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("file", file);
        root.put("format", f.format());
        root.set("metadata", MetadataJson.toJson(f.metadata()));
        ArrayNode tensors = root.putArray("tensors");
        for (Tensor t : f.tensors()) {
            TensorInfo i = t.info();
            ObjectNode n = tensors.addObject();
            n.put("name", i.name());
            n.put("dtype", i.dtype().name());
            ArrayNode shape = n.putArray("shape");
            for (long d : i.shape().dims()) shape.add(d);
            n.put("nbytes", i.byteLength());
        }
        List<UnsupportedEntry> unsupported = f.unsupported();
        if (!unsupported.isEmpty()) {
            ArrayNode u = root.putArray("unsupported");
            for (UnsupportedEntry e : unsupported) u.addObject().put("name", e.name()).put("description", e.description());
        }
        f.remoteTransfer().ifPresent(r -> root.putObject("remote").put("requests", r.requests())
                .put("bytesFetched", r.bytesFetched()));
        out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    private static void printHuman(String file, TensorFile f, PrintStream out) {
        out.println(file + ": " + f.format());
        Map<String, MetadataValue> metadata = f.metadata().asMap();
        out.println();
        out.println("metadata (" + metadata.size() + (metadata.size() == 1 ? " key)" : " keys)"));
        metadata.forEach((k, v) -> out.println("  " + k + " = " + render(v) + "  [" + typeOf(v) + "]"));
        List<String> details = f.details();
        if (!details.isEmpty()) {
            out.println();
            for (String line : details) out.println(line);
        }
        List<Tensor> tensors = f.tensors();
        long total = 0;
        int nameWidth = 4, typeWidth = 5;
        for (Tensor t : tensors) {
            total += t.info().byteLength();
            nameWidth = Math.max(nameWidth, Math.min(60, t.name().length()));
            typeWidth = Math.max(typeWidth, t.dtype().name().length());
        }
        out.println();
        out.println("tensors (" + tensors.size() + ", " + Bytes.human(total) + ")");
        for (Tensor t : tensors) {
            TensorInfo i = t.info();
            out.printf("  %-" + nameWidth + "s  %-" + typeWidth + "s  %-20s %s%n", i.name(), i.dtype().name(),
                    i.shape(), Bytes.human(i.byteLength()));
        }
        List<UnsupportedEntry> unsupported = f.unsupported();
        if (!unsupported.isEmpty()) {
            out.println();
            out.println("not tensors (" + unsupported.size() + ")");
            for (UnsupportedEntry e : unsupported) out.println("  " + e.name() + ": " + e.description());
        }
    }

    private static String typeOf(MetadataValue v) {
        return v instanceof MetadataValue.Array a ? "array of " + a.elementType().jsonName() : v.type().jsonName();
    }

    /** A value for people: long strings cut, long arrays abbreviated to their first elements and their length. */
    static String render(MetadataValue v) {
        return switch (v) {
            case MetadataValue.Str s -> quote(s.value());
            case MetadataValue.Int i -> i.type().isUnsigned() ? Long.toUnsignedString(i.value()) : Long.toString(i.value());
            case MetadataValue.F32 x -> Float.toString(x.value());
            case MetadataValue.F64 x -> Double.toString(x.value());
            case MetadataValue.Bool b -> Boolean.toString(b.value());
            case MetadataValue.Array a -> {
                StringBuilder b = new StringBuilder("[");
                int shown = Math.min(a.size(), SHOWN_ARRAY_ELEMENTS);
                for (int i = 0; i < shown; i++) {
                    if (i > 0) b.append(", ");
                    b.append(render(a.values().get(i)));
                }
                if (a.size() > shown) b.append(", ... (").append(a.size()).append(" values)");
                yield b.append(']').toString();
            }
        };
    }

    private static String quote(String s) {
        String cut = s.length() > SHOWN_STRING_CHARS ? s.substring(0, SHOWN_STRING_CHARS) + "... (" + s.length() + " chars)" : s;
        StringBuilder b = new StringBuilder("\"");
        for (char c : cut.toCharArray()) {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '"' -> b.append("\\\"");
                default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return b.append('"').toString();
    }
}
