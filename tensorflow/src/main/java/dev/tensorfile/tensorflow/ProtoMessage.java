package dev.tensorfile.tensorflow;

import dev.tensorfile.core.ReadLimits;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.core.spi.WireReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A protobuf message read the same way from the wire format ({@code saved_model.pb}) or the text format
 * ({@code saved_model.pbtxt}): fields are asked for by number (wire) and name (text), so one reader of a SavedModel
 * serves both. Only the fields asked for are decoded; a wire message is a view of the mapped file.
 */
sealed interface ProtoMessage permits ProtoMessage.Wire, ProtoMessage.Text {
    /** Every occurrence of a message field (a map field's entries: {@code key} 1, {@code value} 2). */
    List<ProtoMessage> messages(int number, String name);

    /** Every occurrence of a string field. */
    List<String> strings(int number, String name);

    /** The last occurrence of an integer or enum-number field, or 0. */
    long int64(int number, String name);

    /** The last occurrence of an enum field as the enum's name, given the names by number; "" when unset. */
    String enumName(int number, String name, java.util.function.LongFunction<String> names);

    /** The message's absolute byte offset in the file (wire format), or -1 (text format). */
    long offset();

    /** The last occurrence of a message field, or null. */
    default ProtoMessage message(int number, String name) {
        List<ProtoMessage> all = messages(number, name);
        return all.isEmpty() ? null : all.getLast();
    }

    /** The last occurrence of a string field, or "". */
    default String string(int number, String name) {
        List<String> all = strings(number, name);
        return all.isEmpty() ? "" : all.getLast();
    }

    /** A message in the wire format: a cursor over its bytes, scanned once per question. */
    record Wire(ByteCursor cursor, java.nio.file.Path file, int depth, ReadLimits limits) implements ProtoMessage {
        private WireReader reader() {
            ByteCursor c = new ByteCursor(cursor.segment(), cursor.absolutePosition() - cursor.position(), TensorFlowFile.FORMAT,
                    file).structure(cursor.structure());
            return new WireReader(c, depth, limits.maxNestingDepth());
        }

        @Override
        public List<ProtoMessage> messages(int number, String name) {
            List<ProtoMessage> out = new ArrayList<>();
            WireReader r = reader();
            while (r.next()) {
                if (r.field() == number) {
                    WireReader sub = r.message(name, cursor.structure() + "." + name);
                    out.add(new Wire(sub.cursor(), file, depth + 1, limits));
                } else {
                    r.skip();
                }
            }
            return out;
        }

        @Override
        public List<String> strings(int number, String name) {
            List<String> out = new ArrayList<>();
            WireReader r = reader();
            while (r.next()) {
                if (r.field() == number) out.add(r.string(name, limits.maxStringBytes()));
                else r.skip();
            }
            return out;
        }

        @Override
        public long int64(int number, String name) {
            long v = 0;
            WireReader r = reader();
            while (r.next()) {
                if (r.field() == number) v = r.int64(name);
                else r.skip();
            }
            return v;
        }

        @Override
        public String enumName(int number, String name, java.util.function.LongFunction<String> names) {
            boolean set = false;
            long v = 0;
            WireReader r = reader();
            while (r.next()) {
                if (r.field() == number) {
                    v = r.int64(name);
                    set = true;
                } else {
                    r.skip();
                }
            }
            return set ? names.apply(v) : "";
        }

        @Override
        public long offset() { return cursor.absolutePosition() - cursor.position(); }
    }

    /** A message in the text format, parsed by {@link TextFormat}: field name to values (String or Text). */
    record Text(Map<String, List<Object>> fields) implements ProtoMessage {
        @Override
        public long offset() { return -1; }

        @Override
        public List<ProtoMessage> messages(int number, String name) {
            List<ProtoMessage> out = new ArrayList<>();
            for (Object o : fields.getOrDefault(name, List.of())) if (o instanceof Text t) out.add(t);
            return out;
        }

        @Override
        public List<String> strings(int number, String name) {
            List<String> out = new ArrayList<>();
            for (Object o : fields.getOrDefault(name, List.of())) if (o instanceof String s) out.add(s);
            return out;
        }

        @Override
        public long int64(int number, String name) {
            List<String> all = strings(number, name);
            if (all.isEmpty()) return 0;
            String s = all.getLast();
            if (s.equals("true")) return 1;
            if (s.equals("false")) return 0;
            try {
                return Long.decode(s);
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        @Override
        public String enumName(int number, String name, java.util.function.LongFunction<String> names) {
            List<String> all = strings(number, name);
            if (all.isEmpty()) return "";
            String s = all.getLast();
            return !s.isEmpty() && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-') ? names.apply(int64(number, name)) : s;
        }
    }
}
