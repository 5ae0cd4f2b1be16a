package dev.tensorfile.pickle;

import dev.tensorfile.core.DType;
import dev.tensorfile.core.MalformedFileException;
import dev.tensorfile.core.UnsupportedFeatureException;
import dev.tensorfile.core.spi.ByteCursor;
import dev.tensorfile.pickle.tensor.ByteSource;
import dev.tensorfile.pickle.tensor.Contents;
import dev.tensorfile.pickle.torch.LegacyStream;
import dev.tensorfile.pickle.torch.TorchDTypes;
import dev.tensorfile.pickle.vm.PValue;
import dev.tensorfile.pickle.vm.PickleLimits;
import dev.tensorfile.pickle.vm.PickleMachine;
import dev.tensorfile.pickle.vm.Values;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The legacy {@code torch.save} stream (before 1.6, torch {@code serialization.py _legacy_save}, see
 * {@link LegacyStream}): five pickles, then each storage's element count and raw bytes in the order the storage keys
 * pickle lists them.
 */
final class TorchLegacyReader {
    private final Contents out;
    private final Path path;
    private final String format;
    private final PickleLimits pickleLimits;

    private TorchLegacyReader(Contents out) {
        this.out = out;
        this.path = out.path();
        this.format = out.format();
        this.pickleLimits = out.pickleLimits();
    }

    /** Reads the stream {@code s} into {@code out}. */
    static void read(MemorySegment s, Contents out) { new TorchLegacyReader(out).read(s); }

    private void read(MemorySegment s) {
        ByteCursor c = new ByteCursor(s, 0, format, path).structure("legacy magic number pickle");
        Map<String, PValue.PPersistent> ids = new LinkedHashMap<>();
        PickleMachine.Listener collectIds = new PickleMachine.Listener() {
            @Override
            public void persistent(PValue.PPersistent p) {
                List<PValue> id = Values.seq(p.id());
                if (id != null && id.size() >= 3 && "storage".equals(Values.str(id.get(0))) && Values.str(id.get(2)) != null) {
                    ids.putIfAbsent(Values.str(id.get(2)), p);
                }
            }
        };
        PValue magic = new PickleMachine(pickleLimits, collectIds).run(c).root();
        if (!(magic instanceof PValue.PBigInt b) || b.value() == null
                || !b.value().equals(LegacyStream.MAGIC_NUMBER)) {
            throw c.failAt(0, "legacy magic number is not 0x1950a86a20f9469cfc6c");
        }
        c.structure("legacy protocol version pickle");
        Long protocol = Values.integer(new PickleMachine(pickleLimits, collectIds).run(c).root());
        if (protocol == null || protocol != LegacyStream.PROTOCOL_VERSION) throw c.fail("legacy protocol version is " + protocol + ", not 1001");
        out.metadata("pytorch.format", "legacy");
        out.metadata("pytorch.protocol_version", "1001");
        c.structure("legacy sys_info pickle");
        PValue sysInfo = new PickleMachine(pickleLimits, collectIds).run(c).root();
        if (sysInfo instanceof PValue.PDict d && Values.bool(d.get("little_endian")) != null) {
            out.metadata("pytorch.little_endian", Boolean.toString(Values.bool(d.get("little_endian"))));
        }
        c.structure("legacy object pickle");
        PickleMachine.Result object = new PickleMachine(pickleLimits, collectIds).resolvingTorchModules().run(c);
        c.structure("legacy storage keys pickle");
        List<PValue> keys = Values.seq(new PickleMachine(pickleLimits, collectIds).run(c).root());
        if (keys == null) throw c.fail("the storage keys pickle is not a list");
        Map<String, ByteSource> storages = new HashMap<>();
        c.structure("legacy storage data");
        for (PValue k : keys) {
            String key = Values.str(k);
            PValue.PPersistent p = key == null ? null : ids.get(key);
            if (p == null) throw c.fail("storage key " + Values.describe(k) + " is not used by the object pickle");
            DType dt = storageType(p);
            long at = c.position();
            long count = c.i64();
            if (count < 0) throw c.failAt(at, "storage " + key + " has negative element count " + count);
            c.requireCount(count, dt.blockBytes(), "storage " + key + " element");
            storages.put(key, new ByteSource.Mapped(c.slice(count * dt.blockBytes())));
        }
        if (c.remaining() > 0) out.detail(c.remaining() + " bytes after the last storage (ignored)");
        out.collect(object.root(), "", key -> {
            ByteSource src = storages.get(key);
            if (src == null) throw new MalformedFileException(format, path, "legacy storage data", -1, "no data for storage " + key);
            return src;
        }, false);
    }

    private DType storageType(PValue.PPersistent p) {
        List<PValue> id = Values.seq(p.id());
        if (id != null && id.size() >= 2 && id.get(1) instanceof PValue.PGlobal g) {
            DType dt = TorchDTypes.ofStorage(g.name());
            if (dt != null) return dt;
            throw new UnsupportedFeatureException(format, path, "storage class " + g.qualified() + " is not supported");
        }
        throw new MalformedFileException(format, path, "legacy object pickle", p.offset(), "persistent id does not name a storage class");
    }
}
