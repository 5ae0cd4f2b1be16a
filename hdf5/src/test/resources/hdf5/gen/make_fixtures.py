#!/usr/bin/python3
"""Writes the HDF5/Keras test fixtures of the hdf5 module with Debian's h5py (python3-h5py 3.7 / libhdf5 1.10.8),
python3-hdf5plugin + hdf5-filter-plugin (LZ4) and bitshuffle (its HDF5 plugin), and beside each file a manifest
NAME.json of what h5py reads back: for every dataset its canonical dtype, shape, the SHA-256 of its values as
little-endian bytes (what h5py returns, byte-swapped to little-endian), a few values; every attribute's value as
h5py decodes it. The Java tests compare against these manifests only; they never run Python.

Run from this directory: /usr/bin/python3 make_fixtures.py
Each structural file is written twice: libver 'earliest' (superblock 0, v1 object headers, symbol-table groups,
v1 B-tree chunk index) and libver 'latest' (superblock 3, v2 object headers, link messages / dense storage, the
new chunk indexes).
"""
import hashlib, io, json, os, zipfile
import numpy as np
import h5py

try:
    import hdf5plugin  # registers LZ4 (32004) and bitshuffle (32008) from Debian's plugin directory
except ImportError:
    hdf5plugin = None

HERE = os.path.dirname(os.path.abspath(__file__))
RNG = np.random.default_rng(20261125)

CANON = {'i1': 'I8', 'i2': 'I16', 'i4': 'I32', 'i8': 'I64', 'u1': 'U8', 'u2': 'U16', 'u4': 'U32', 'u8': 'U64',
         'f2': 'F16', 'f4': 'F32', 'f8': 'F64', 'b1': 'BOOL'}


def canonical(ds):
    dt = ds.dtype
    if h5py.check_string_dtype(dt) is not None:
        return 'STRING'
    if dt.kind == 'V' and ds.attrs.get('dtype') is not None:
        return {'bfloat16': 'BF16', 'float8_e4m3fn': 'F8_E4M3', 'float8_e5m2': 'F8_E5M2'}.get(_s(ds.attrs['dtype']))
    if h5py.check_enum_dtype(dt) is not None and dt.kind != 'b':
        dt = dt  # other enums: their base integer type
    if dt.kind in 'biuf':
        return CANON.get(dt.str[1:])
    return None


def _s(v):
    return v.decode() if isinstance(v, bytes) else v


def jsonable(v):
    if isinstance(v, h5py.Empty):
        return None  # a null dataspace (PyTables writes them): no value to compare
    if isinstance(v, bytes):
        return v.decode('utf-8', 'replace')
    if isinstance(v, np.ndarray):
        if v.dtype.kind in 'SOU':
            return [jsonable(x) for x in v.tolist()]
        if v.dtype.kind == 'V':
            return None
        return [jsonable(x) for x in v.tolist()] if v.ndim else jsonable(v[()])
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    return v


def manifest(path, fmt='hdf5', h5=None, prefix=''):
    """What h5py reads back from the HDF5 file (or the HDF5 bytes h5 of an archive)."""
    out = {'file': os.path.basename(path), 'format': fmt, 'tensors': [], 'metadata': {}, 'not_tensors': []}
    f = h5py.File(h5 if h5 is not None else path, 'r')
    with f:
        def attrs(name, obj):
            for k in obj.attrs.keys():
                try:
                    v = obj.attrs[k]
                except Exception:
                    continue
                j = jsonable(v)
                if j is None:
                    continue
                key = k if name == '' else name + '@' + k
                if isinstance(j, list) and len(j) > 64:
                    j = {'count': len(j), 'sum': float(np.sum(np.asarray(v, dtype='f8'))), 'head': j[:8]}
                out['metadata'][key] = j

        def visit(name, obj):
            attrs(name, obj)
            if not isinstance(obj, h5py.Dataset):
                return
            c = canonical(obj)
            if c is None or obj.shape is None:
                out['not_tensors'].append(name)
                return
            t = {'name': name, 'dtype': c, 'shape': list(obj.shape)}
            if c == 'STRING':
                a = obj.asstr()[()] if obj.shape != () else obj.asstr()[()]
                t['strings'] = [a] if obj.shape == () else [str(x) for x in np.asarray(a).ravel().tolist()]
            else:
                a = np.asarray(obj[()])
                if a.dtype.kind in 'iuf' and a.dtype.itemsize > 1:
                    a = a.astype(a.dtype.newbyteorder('<'))
                raw = np.ascontiguousarray(a).tobytes()
                t['sha256'] = hashlib.sha256(raw).hexdigest()
                if a.dtype.kind in 'biuf':
                    t['head'] = [jsonable(x) for x in a.ravel()[:8].tolist()]
            out['tensors'].append(t)

        attrs('', f)
        f.visititems(visit)
    with open(path + '.json', 'w') as m:
        json.dump(out, m, indent=1, sort_keys=True)


def new(name, libver, **kw):
    return h5py.File(os.path.join(HERE, name), 'w', libver=libver, **kw)


def types(libver):
    name = f'types-{libver}.h5'
    with new(name, libver) as f:
        for code in ('i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8'):
            info = np.iinfo(code)
            a = np.array([info.min, info.max, 0, 1, 7, info.max // 3], dtype=code)
            f['int/' + code + '_le'] = a.astype('<' + code)
            f['int/' + code + '_be'] = a.astype('>' + code)
        for code in ('f2', 'f4', 'f8'):
            a = np.array([0.5, -1.25, np.inf, -0.0, 1e-3, 65504.0 if code == 'f2' else 3e38], dtype=code)
            f['float/' + code + '_le'] = a.astype('<' + code)
            f['float/' + code + '_be'] = a.astype('>' + code)
        f['bool'] = np.array([True, False, True, True])
        colour = h5py.enum_dtype({'RED': 0, 'GREEN': 1, 'BLUE': 42}, basetype='i2')
        f.create_dataset('enum_i2', data=np.array([0, 42, 1], dtype='i2'), dtype=colour)
        # bitfield: only the low-level API makes one
        bf = h5py.h5t.STD_B16LE.copy()
        sid = h5py.h5s.create_simple((3,))
        did = h5py.h5d.create(f.id, b'bitfield16', bf, sid)
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([1, 0x8001, 0xffff], dtype='<u2'), mtype=h5py.h5t.STD_U16LE)
        f['opaque4'] = np.frombuffer(b'abcdEFGH', dtype='V4')
        f['compound'] = np.array([(1, 2.5), (3, 4.5)], dtype=[('a', '<i4'), ('b', '<f8')])
        f['array3'] = np.zeros(2, dtype=('<f4', (3,)))
        vl = f.create_dataset('vlen_i4', (2,), dtype=h5py.vlen_dtype(np.int32))
        vl[0] = [1, 2]
        vl[1] = [3]
        refs = f.create_dataset('refs', (1,), dtype=h5py.ref_dtype)
        refs[0] = f['bool'].ref
        f['scalar_f4'] = np.float32(2.5)
        f['empty_2x0'] = np.zeros((2, 0), dtype='<f4')
        f.create_dataset('null_space', data=h5py.Empty('<f4'))
        # strings: vlen utf-8 and ascii, fixed null-padded (h5py's), null-terminated and space-padded, utf-8 fixed
        f.create_dataset('str/vlen_utf8', data=['héllo', '', 'wörld ✓'], dtype=h5py.string_dtype('utf-8'))
        f.create_dataset('str/vlen_ascii', data=[b'ab', b'cde'], dtype=h5py.string_dtype('ascii'))
        f['str/fixed_nullpad'] = np.array([b'ab', b'cdef', b''], dtype='S4')
        f.create_dataset('str/scalar_vlen', data='only one', dtype=h5py.string_dtype())
        for pad, label in ((h5py.h5t.STR_NULLTERM, 'nullterm'), (h5py.h5t.STR_SPACEPAD, 'spacepad')):
            t = h5py.h5t.C_S1.copy()
            t.set_size(5)
            t.set_strpad(pad)
            did = h5py.h5d.create(f.id, ('str/fixed_' + label).encode(), t, h5py.h5s.create_simple((2,)))
            raw = b'ab\0\0\0wxyz\0' if label == 'nullterm' else b'ab   wxyz '
            did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.frombuffer(raw, dtype='S5'), mtype=t)
        t = h5py.h5t.C_S1.copy()
        t.set_size(8)
        t.set_cset(h5py.h5t.CSET_UTF8)
        did = h5py.h5d.create(f.id, b'str/fixed_utf8', t, h5py.h5s.create_simple((2,)))
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array(['ñu'.encode(), 'ü✓'.encode()], dtype='S8'), mtype=t)
        # attributes of many kinds, on the root and on a dataset
        f.attrs['a_vlen_str'] = 'tensorfile ✓'
        f.attrs['a_fixed_bytes'] = np.bytes_(b'fixed')
        f.attrs['a_i64'] = np.int64(-5)
        f.attrs['a_u8_array'] = np.array([1, 2, 255], dtype='u8')
        f.attrs['a_f32'] = np.float32(0.25)
        f.attrs['a_f64_array'] = np.array([0.5, -2.0])
        f.attrs['a_be_i32'] = np.array([1, -2], dtype='>i4')
        f.attrs['a_bool'] = np.bool_(True)
        f.attrs.create('a_str_list', ['x', 'yz'], dtype=h5py.string_dtype())
        f['float/f4_le'].attrs['units'] = 'm/s'
    manifest(os.path.join(HERE, name))


def layouts(libver):
    name = f'layouts-{libver}.h5'
    data = RNG.standard_normal((20, 9)).astype('<f4')
    with new(name, libver) as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        did = h5py.h5d.create(f.id, b'compact', h5py.h5t.STD_I16LE, h5py.h5s.create_simple((12,)), dcpl=dcpl)
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(-6, 6, dtype='<i2'))
        f['contiguous'] = data
        f.create_dataset('unallocated', shape=(5,), dtype='<i4', fillvalue=3)
        f.create_dataset('chunked', data=data, chunks=(6, 4))
        sparse = f.create_dataset('chunked_sparse', shape=(8, 6), dtype='<f4', chunks=(4, 3), fillvalue=9.0)
        sparse[0:4, 0:3] = 1.0
        f.create_dataset('single_chunk', data=data, chunks=(20, 9))
        f.create_dataset('fixed_array', data=data, chunks=(3, 2), maxshape=(20, 9))
        # more than 1024 chunks: the fixed array is paged (data block pages of 2^10 elements)
        f.create_dataset('fixed_array_paged', data=np.arange(1100, dtype='<i2'), chunks=(1,), maxshape=(1100,))
        # implicit index: early allocation, fixed maximum, no filters (libhdf5 chooses it then)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((5, 3))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        did = h5py.h5d.create(f.id, b'implicit', h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((20, 9), (20, 9)), dcpl=dcpl)
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, data)
        # extensible array: one unlimited dimension; 300 chunks reach its secondary blocks
        ea = f.create_dataset('extensible', shape=(0,), maxshape=(None,), chunks=(2,), dtype='<i4')
        ea.resize((600,))
        ea[:] = np.arange(600, dtype='<i4')
        ea_gz = f.create_dataset('extensible_gzip', data=np.arange(40, dtype='<f8'), maxshape=(None,), chunks=(4,),
                                 compression='gzip')
        # v2 B-tree: two unlimited dimensions; with a filter the records carry sizes (type 11)
        f.create_dataset('btree2', data=data, maxshape=(None, None), chunks=(4, 4))
        f.create_dataset('btree2_gzip', data=data, maxshape=(None, None), chunks=(4, 4), compression='gzip')
        f.create_dataset('chunked_3d', data=RNG.standard_normal((3, 4, 5)).astype('<f8'), chunks=(2, 2, 2))
        f.create_dataset('chunked_be', data=data.astype('>f4'), chunks=(7, 4))
        f.create_dataset('chunked_empty', shape=(0, 4), maxshape=(None, 4), dtype='<f4', chunks=(2, 4))
    manifest(os.path.join(HERE, name))


def filters(libver):
    name = f'filters-{libver}.h5'
    data = RNG.standard_normal((30, 8)).astype('<f4')
    ints = RNG.integers(-1000, 1000, (30, 8)).astype('<i4')
    with new(name, libver) as f:
        f.create_dataset('deflate', data=data, chunks=(8, 8), compression='gzip', compression_opts=9)
        f.create_dataset('shuffle_deflate', data=ints, chunks=(7, 8), compression='gzip', shuffle=True)
        f.create_dataset('fletcher32', data=ints, chunks=(10, 8), fletcher32=True)
        f.create_dataset('shuffle_deflate_fletcher32', data=data, chunks=(10, 3), compression='gzip', shuffle=True,
                         fletcher32=True)
        f.create_dataset('lzf', data=data, chunks=(10, 4), compression='lzf')
        f.create_dataset('lzf_shuffle', data=ints, chunks=(10, 8), compression='lzf', shuffle=True)
        if hdf5plugin is not None:
            f.create_dataset('lz4', data=np.tile(data, (4, 1)), chunks=(60, 8), **hdf5plugin.LZ4())
            f.create_dataset('bitshuffle', data=ints, chunks=(15, 8), **hdf5plugin.Bitshuffle(cname='none'))
            f.create_dataset('bitshuffle_lz4', data=data, chunks=(15, 8), **hdf5plugin.Bitshuffle(cname='lz4'))
    manifest(os.path.join(HERE, name))


def refused(libver):
    """Filters the reader refuses by name: scale-offset, N-bit, and one it does not know (bzip2, 307)."""
    name = f'refused-{libver}.h5'
    with new(name, libver) as f:
        f.create_dataset('scaleoffset', data=np.arange(50, dtype='<i4'), chunks=(10,), scaleoffset=0)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((10,))
        dcpl.set_filter(5)  # H5Z_FILTER_NBIT; libhdf5 fills in its parameters (no h5py wrapper)
        did = h5py.h5d.create(f.id, b'nbit', h5py.h5t.STD_I32LE, h5py.h5s.create_simple((20,)), dcpl=dcpl)
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(20, dtype='<i4'))
        if hdf5plugin is not None:
            f.create_dataset('bzip2', data=np.arange(50, dtype='<i4'), chunks=(10,), **hdf5plugin.BZip2())
        f['plain'] = np.arange(3, dtype='<i4')
    path = os.path.join(HERE, name)
    manifest(path)
    # h5py reads them (its plugins decode them); we list them as not read, naming the filter
    m = json.load(open(path + '.json'))
    m['refused'] = [t for t in m['tensors'] if t['name'] != 'plain']
    m['tensors'] = [t for t in m['tensors'] if t['name'] == 'plain']
    m['not_tensors'] += [t['name'] for t in m['refused']]
    json.dump(m, open(path + '.json', 'w'), indent=1, sort_keys=True)


def groups(libver):
    name = f'groups-{libver}.h5'
    with new(name, libver, userblock_size=512) as f:
        for i in range(40):
            g = f.create_group(f'many/g{i:02d}')
            g['v'] = np.array([i], dtype='<i8')
        a = f.create_group('a')
        a['x'] = np.arange(4, dtype='<f4')
        a['soft_to_x'] = h5py.SoftLink('/a/x')
        a['dangling'] = h5py.SoftLink('/nowhere')
        a['external'] = h5py.ExternalLink('other.h5', '/data')
        a['cycle'] = f['/']  # a hard link back to the root: legal, must not loop
        b = f.create_group('b')
        b['same_x'] = a['x']  # a second hard link to one dataset
        for i in range(30):
            b.attrs[f'attr_{i:02d}'] = i
        if libver == 'latest':
            # larger than 64 KiB: only dense attribute storage (fractal heap huge object) holds it
            f.attrs['big'] = np.arange(20000, dtype='<i4')
        o = f.create_group('ordered', track_order=True)
        for n in ('z', 'y', 'x'):
            o[n] = np.array([ord(n)], dtype='u1')
            o.attrs[n] = n
    manifest(os.path.join(HERE, name))


def superblocks():
    """4-byte addresses and lengths (superblock 0), superblock 2 (libver v108); 3 is 'latest', 0 'earliest'.
    Superblock 1 needs H5Pset_istore_k, which h5py does not wrap (and no libhdf5 headers are installed here)."""
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_sizes(4, 4)
    path = os.path.join(HERE, 'sizes4.h5')
    fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl)
    with h5py.File(fid) as f:
        f['x'] = np.arange(6, dtype='<f4').reshape(2, 3)
        f.create_dataset('c', data=np.arange(100, dtype='<i4'), chunks=(10,))
    manifest(path)
    with h5py.File(os.path.join(HERE, 'superblock2.h5'), 'w', libver=('v108', 'v108')) as f:
        f['x'] = np.arange(6, dtype='<f4').reshape(2, 3)
        f.attrs['note'] = 'v108'
    manifest(os.path.join(HERE, 'superblock2.h5'))


def keras2():
    """Keras 2 model.save('m.h5') and save_weights('w.h5') layouts (keras/saving/legacy/hdf5_format.py)."""
    kernel = RNG.standard_normal((4, 3)).astype('<f4')
    bias = RNG.standard_normal(3).astype('<f4')

    def weights(g, layers):
        g.attrs['layer_names'] = np.array([n.encode() for n in layers], dtype='S')
        g.attrs['backend'] = b'tensorflow'
        g.attrs['keras_version'] = b'2.11.0'
        d = g.create_group('dense')
        d.attrs['weight_names'] = np.array([b'dense/kernel:0', b'dense/bias:0'])
        d['dense/kernel:0'] = kernel
        d['dense/bias:0'] = bias
        g.create_group('dropout').attrs['weight_names'] = np.array([], dtype='f8')

    path = os.path.join(HERE, 'keras2-full.h5')
    with h5py.File(path, 'w') as f:
        f.attrs['model_config'] = json.dumps({'class_name': 'Sequential', 'config': {'name': 'm'}}).encode()
        f.attrs['training_config'] = b'{"loss": "mse"}'
        f.attrs['keras_version'] = b'2.11.0'
        f.attrs['backend'] = b'tensorflow'
        weights(f.create_group('model_weights'), ['dense', 'dropout'])
        f['optimizer_weights/Adam/iter:0'] = np.int64(3)
    manifest(path)
    path = os.path.join(HERE, 'keras2-weights.h5')
    with h5py.File(path, 'w') as f:
        weights(f, ['dense', 'dropout'])
        # a name list over HDF5_OBJECT_HEADER_LIMIT is split by save_attributes_to_hdf5_group into name0, name1...
        del f.attrs['layer_names']
        f.attrs['layer_names0'] = np.array([b'dense'])
        f.attrs['layer_names1'] = np.array([b'dropout'])
    manifest(path)


def keras3_weights(f, bf16):
    """Keras 3 H5IOStore layout: one group per saved object, variables as vars/0, vars/1, ..."""
    f.attrs['keras_version'] = '3.3.3'
    g = f.create_group('layers/dense/vars')
    g['0'] = RNG.standard_normal((4, 3)).astype('<f4')
    g['1'] = np.zeros(3, dtype='<f4')
    g2 = f.create_group('layers/dense_1/vars')
    # bfloat16: h5py has no such type, so Keras 3 writes the raw 2-byte elements as opaque with dtype="bfloat16"
    ds = g2.create_dataset('0', data=bf16.view('V2'))
    ds.attrs['dtype'] = 'bfloat16'
    f.create_group('optimizer/vars')['0'] = np.int64(0)
    f.create_group('layers/dropout/vars')


def keras3():
    bits = (np.array([1.0, -2.0, 0.5, 3.140625, 0.0, -0.0], dtype='<f4').view('<u4') >> 16).astype('<u2')
    bf16 = bits.reshape(2, 3)
    path = os.path.join(HERE, 'keras3.weights.h5')
    with h5py.File(path, 'w') as f:
        keras3_weights(f, bf16)
    manifest(path)
    # .keras: zip of metadata.json, config.json and model.weights.h5, stored (keras saving_lib: ZIP_STORED? the
    # weights are written through zipfile.open("model.weights.h5", "w"), which stores them uncompressed)
    bio = io.BytesIO()
    with h5py.File(bio, 'w') as f:
        keras3_weights(f, bf16)
    h5 = bio.getvalue()
    path = os.path.join(HERE, 'model.keras')
    with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_STORED) as z:
        z.writestr('metadata.json', json.dumps({'keras_version': '3.3.3', 'date_saved': '2026-11-25@09:00:00'}))
        z.writestr('config.json', json.dumps({'module': 'keras', 'class_name': 'Sequential', 'config': {'name': 's'}}))
        with z.open('model.weights.h5', 'w') as w:
            w.write(h5)
    manifest(path, 'keras', h5=io.BytesIO(h5))
    m = json.load(open(path + '.json'))
    with zipfile.ZipFile(path) as z:
        m['metadata']['keras.metadata'] = z.read('metadata.json').decode()
        m['metadata']['keras.config'] = z.read('config.json').decode()
    json.dump(m, open(path + '.json', 'w'), indent=1, sort_keys=True)
    # sharded: model.weights.json names the shard holding each object path (keras 3.10 max_shard_size)
    with h5py.File(os.path.join(HERE, 'sharded_00000.weights.h5'), 'w') as f:
        f.create_group('layers/dense/vars')['0'] = RNG.standard_normal((4, 3)).astype('<f4')
    with h5py.File(os.path.join(HERE, 'sharded_00001.weights.h5'), 'w') as f:
        f.create_group('layers/dense/vars')['1'] = np.ones(3, dtype='<f4')
    index = {'metadata': {'total_size': 60}, 'weight_map': {'layers/dense/vars': ['sharded_00000.weights.h5',
                                                                                  'sharded_00001.weights.h5']}}
    with open(os.path.join(HERE, 'sharded.weights.json'), 'w') as f:
        json.dump(index, f)
    out = {'file': 'sharded.weights.json', 'format': 'keras', 'tensors': [], 'metadata': {}, 'not_tensors': []}
    for i in (0, 1):
        p = os.path.join(HERE, f'sharded_0000{i}.weights.h5')
        manifest(p)
        part = json.load(open(p + '.json'))
        os.remove(p + '.json')
        out['tensors'] += part['tensors']
    json.dump(out, open(os.path.join(HERE, 'sharded.weights.json.json'), 'w'), indent=1, sort_keys=True)


def hostile():
    """Files h5py writes but whose chunks lie (written raw with write_direct_chunk): a deflate chunk that inflates
    far past the chunk size (a bomb), a corrupt deflate stream, a fletcher32 checksum that fails. hostile.json
    gives each dataset's chunk address as h5py reports it (the offset the reader's error must name)."""
    import zlib
    os.makedirs(os.path.join(HERE, 'hostile'), exist_ok=True)
    path = os.path.join(HERE, 'hostile', 'chunks.h5')
    where = {}
    with h5py.File(path, 'w', libver='latest') as f:
        bomb = f.create_dataset('bomb', shape=(4,), dtype='<f4', chunks=(4,), compression='gzip')
        bomb.id.write_direct_chunk((0,), zlib.compress(bytes(64 << 20), 9))  # 16 bytes declared, 64 MiB inside
        bad = f.create_dataset('corrupt_deflate', shape=(4,), dtype='<f4', chunks=(4,), compression='gzip')
        stream = bytearray(zlib.compress(np.arange(4, dtype='<f4').tobytes()))
        stream[2:6] = b'\xff\xff\xff\xff'
        bad.id.write_direct_chunk((0,), bytes(stream))
        fl = f.create_dataset('bad_fletcher32', shape=(4,), dtype='<i4', chunks=(4,), fletcher32=True)
        fl.id.write_direct_chunk((0,), np.arange(4, dtype='<i4').tobytes() + b'\x00\x00\x00\x00')
        f['ok'] = np.arange(3, dtype='<i4')
    with h5py.File(path, 'r') as f:
        for n in ('bomb', 'corrupt_deflate', 'bad_fletcher32'):
            info = f[n].id.get_chunk_info(0)
            where[n] = {'chunk_address': info.byte_offset, 'chunk_size': info.size}
    with open(os.path.join(HERE, 'hostile', 'chunks.h5.json'), 'w') as m:
        json.dump(where, m, indent=1, sort_keys=True)


def unallocated():
    """Legal files that claim far more than they hold: chunked datasets with no chunk written read as their fill
    value everywhere. 'huge' claims 4 TiB, 'big' 1 GiB (under the default whole-decode limit, over a 64 MB test
    JVM's direct memory). unallocated.h5.json is what h5py reads back: shapes, the allocated size, sample values."""
    os.makedirs(os.path.join(HERE, 'hostile'), exist_ok=True)
    path = os.path.join(HERE, 'hostile', 'unallocated.h5')
    with h5py.File(path, 'w', libver='latest') as f:
        f.create_dataset('huge', shape=(1 << 20, 1 << 20), dtype='<f4', chunks=(1024, 1024), fillvalue=1.5)
        f.create_dataset('big', shape=(1 << 14, 1 << 14), dtype='<f4', chunks=(1024, 1024), fillvalue=-2.0)
    read = {}
    with h5py.File(path, 'r') as f:
        for n in ('huge', 'big'):
            d = f[n]
            read[n] = {'shape': list(d.shape), 'nbytes': int(d.size) * d.dtype.itemsize,
                       'storage_size': int(d.id.get_storage_size()), 'chunks_written': int(d.id.get_num_chunks()),
                       'first_row_head': [float(x) for x in d[0, :4]],
                       'last_row_tail': [float(x) for x in d[-1, -4:]]}
    with open(os.path.join(HERE, 'hostile', 'unallocated.h5.json'), 'w') as m:
        json.dump(read, m, indent=1, sort_keys=True)


if __name__ == '__main__':
    for lv in ('earliest', 'latest'):
        types(lv)
        layouts(lv)
        filters(lv)
        refused(lv)
        groups(lv)
    superblocks()
    keras2()
    keras3()
    hostile()
    unallocated()
