#!/usr/bin/python3
"""Fixtures for classes of HDF5 file met in the wild (issue 12), each written by the tool that writes it that way,
with the manifest NAME.json of what h5py reads back (the manifest function of make_fixtures.py):

- pytables-fletcher32.h5: PyTables (python3-tables 3.7) puts fletcher32 FIRST in the pipeline (before shuffle
  and zlib), so deflate and shuffle run over each chunk plus its 4-byte checksum; tiny chunks (1-byte elements,
  chunks of 2 and of 2x3) as PyTables tests write them.
- vlen-empty-earliest.h5, vlen-empty-latest.h5: h5py (libhdf5 1.10.8) vlen string attributes holding empty
  strings (empty global heap objects) and an attribute created and never written (null global heap IDs).
- blosc-h5py.h5: h5py with hdf5plugin 4.0.1 and Debian's Blosc filter (hdf5-filter-plugin-blosc-serial, c-blosc
  1.21): every codec (blosclz, lz4, lz4hc, zlib, zstd) with no shuffle, byte shuffle and bit shuffle; chunks of
  one block, of several blocks with a short last one, split and unsplit, incompressible (stored) and tiny.
- blosc-pytables.h5: PyTables' own Blosc writer (complib blosc:CODEC), the main producer of Blosc HDF5 files.
- szip.h5: h5py with libhdf5's szip filter (libaec 1.0.6 through libsz2): nearest-neighbour and entropy-coding
  options, 8/16/32 pixels per block, 8- to 64-bit little- and big-endian types, chunks whose rows are not a
  multiple of the block.

Run from this directory: /usr/bin/python3 make_wild_fixtures.py [GENERATOR...]
"""
import os
import sys
os.environ.setdefault('HDF5_PLUGIN_PATH', '/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins')
import numpy as np
import h5py
import tables

import make_fixtures
import hdf5plugin

HERE = os.path.dirname(os.path.abspath(__file__))


def pytables_fletcher32():
    path = os.path.join(HERE, 'pytables-fletcher32.h5')
    filters = tables.Filters(complevel=1, complib='zlib', shuffle=True, fletcher32=True)
    with tables.open_file(path, 'w') as f:
        a = f.create_carray('/', 'u8_chunks_of_2', atom=tables.UInt8Atom(), shape=(7,), chunkshape=(2,), filters=filters)
        a[:] = np.arange(7, dtype='u1') * 3
        b = f.create_carray('/', 'i8_chunks_of_2x3', atom=tables.Int8Atom(), shape=(5, 3), chunkshape=(2, 3), filters=filters)
        b[:] = np.arange(-7, 8, dtype='i1').reshape(5, 3)
        c = f.create_carray('/', 'f4_chunks_of_100', atom=tables.Float32Atom(), shape=(1000,), chunkshape=(100,), filters=filters)
        c[:] = np.linspace(-1, 1, 1000, dtype='<f4')
    with h5py.File(path, 'r') as f:
        # the order this fixture exists for: fletcher32 (3) before shuffle (2) and deflate (1)
        assert f['u8_chunks_of_2'].id.get_create_plist().get_filter(0)[0] == 3
    make_fixtures.manifest(path)


def vlen_empty(libver):
    path = os.path.join(HERE, f'vlen-empty-{libver}.h5')
    s = h5py.string_dtype()
    with h5py.File(path, 'w', libver=libver) as f:
        f.attrs.create('names', ['a', '', 'bc', ''], dtype=s)
        f.attrs.create('all_empty', ['', '', ''], dtype=s)
        f.attrs.create('empty_scalar', '', dtype=s)
        sid = h5py.h5s.create_simple((3,))
        h5py.h5a.create(f.id, b'never_written', h5py.h5t.py_create(s, logical=True), sid).close()
        d = f.create_dataset('x', data=np.arange(3, dtype='<i4'))
        d.attrs.create('names', ['', 'z'], dtype=s)
        f.create_dataset('strings', data=['', 'q', ''], dtype=s)
    make_fixtures.manifest(path)


def samples(n, kind, rng):
    """Data with structure (what compressors find) and noise (what they cannot), as real weights have both."""
    x = np.arange(n)
    if kind == 'smooth':
        return np.round(np.sin(x / 500.0) * 64).astype('<f4')
    if kind == 'noisy':
        return (np.round(np.sin(x / 50.0) * 16) + (rng.random(n) < 0.05) * rng.standard_normal(n)).astype('<f4')
    return rng.standard_normal(n).astype('<f4')


def blosc_h5py():
    path = os.path.join(HERE, 'blosc-h5py.h5')
    rng = np.random.default_rng(32001)
    shuffles = {'noshuffle': hdf5plugin.Blosc.NOSHUFFLE, 'shuffle': hdf5plugin.Blosc.SHUFFLE,
                'bitshuffle': hdf5plugin.Blosc.BITSHUFFLE}
    with h5py.File(path, 'w') as f:
        for cname in ('blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'):
            for sname, shuffle in shuffles.items():
                # 3000 floats in chunks of 1100: one block per chunk, the last chunk short
                f.create_dataset(f'{cname}_{sname}', data=samples(3000, 'noisy', rng), chunks=(1100,),
                                 **hdf5plugin.Blosc(cname=cname, clevel=5, shuffle=shuffle))
            # one chunk of 1.2 MB: several blocks (c-blosc picks 256 or 512 KiB at level 5), the last one short
            f.create_dataset(f'{cname}_blocks', data=(np.arange(300001) % 1000).astype('<f4'), chunks=(300001,),
                             **hdf5plugin.Blosc(cname=cname, clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
        # several blocks, bit-shuffled: the short last block holds a number of elements not a multiple of 8
        f.create_dataset('lz4_blocks_bitshuffle', data=(np.arange(300001) % 777).astype('<i4'), chunks=(300001,),
                         **hdf5plugin.Blosc(cname='lz4', clevel=5, shuffle=hdf5plugin.Blosc.BITSHUFFLE))
        f.create_dataset('blosclz_f8_split', data=np.cumsum(rng.integers(0, 3, 20000)).astype('<f8'), chunks=(10000,),
                         **hdf5plugin.Blosc(cname='blosclz', clevel=9, shuffle=hdf5plugin.Blosc.SHUFFLE))
        f.create_dataset('lz4_i2_bitshuffle', data=rng.integers(-300, 300, (50, 70)).astype('<i2'), chunks=(20, 30),
                         **hdf5plugin.Blosc(cname='lz4', clevel=5, shuffle=hdf5plugin.Blosc.BITSHUFFLE))
        f.create_dataset('zstd_u1_tiny', data=np.arange(7, dtype='u1'), chunks=(2,),
                         **hdf5plugin.Blosc(cname='zstd', clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
        f.create_dataset('zlib_random_stored', data=samples(2000, 'random', rng), chunks=(2000,),
                         **hdf5plugin.Blosc(cname='zlib', clevel=1, shuffle=hdf5plugin.Blosc.NOSHUFFLE))
    make_fixtures.manifest(path)


def blosc_pytables():
    path = os.path.join(HERE, 'blosc-pytables.h5')
    rng = np.random.default_rng(32002)
    with tables.open_file(path, 'w') as f:
        for codec in ('blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'):
            for shuffle, bitshuffle, name in ((False, False, 'noshuffle'), (True, False, 'shuffle'), (False, True, 'bitshuffle')):
                filters = tables.Filters(complevel=5, complib='blosc:' + codec, shuffle=shuffle, bitshuffle=bitshuffle)
                a = f.create_carray('/', f'{codec}_{name}', atom=tables.Float32Atom(), shape=(5000,), chunkshape=(1500,),
                                    filters=filters)
                a[:] = samples(5000, 'noisy', rng)
    make_fixtures.manifest(path)


def szip():
    path = os.path.join(HERE, 'szip.h5')
    rng = np.random.default_rng(4)
    with h5py.File(path, 'w') as f:
        for dt in ('u1', '<i2', '>u2', '<i4', '>i4', '<f4', '<f8', '<i8'):
            name = dt.replace('<', 'le_').replace('>', 'be_')
            ints = np.cumsum(rng.integers(-3, 4, (40, 37))).reshape(40, 37)
            data = (ints % 200).astype(dt) if dt == 'u1' else (ints * 7 + rng.integers(0, 2, (40, 37))).astype(dt)
            f.create_dataset(f'{name}_nn8', data=data, chunks=(16, 37), compression='szip', compression_opts=('nn', 8))
            f.create_dataset(f'{name}_ec16', data=data, chunks=(40, 37), compression='szip', compression_opts=('ec', 16))
        f.create_dataset('f4_nn32_noise', data=samples(5000, 'random', rng), chunks=(1024,), compression='szip',
                         compression_opts=('nn', 32))
        f.create_dataset('u2_zeros_nn16', data=np.zeros(3000, dtype='<u2'), chunks=(3000,), compression='szip',
                         compression_opts=('nn', 16))
        steps = np.zeros(4000, dtype='<i4')
        steps[1000:1010] = 5
        f.create_dataset('i4_runs_ec8', data=steps, chunks=(4000,), compression='szip', compression_opts=('ec', 8))
    make_fixtures.manifest(path)


def hostile_fletcher32_first():
    """hostile/fletcher32-first.h5: PyTables' pipeline order (fletcher32, shuffle, deflate) set through h5py's
    low-level API, with a raw chunk whose deflate stream inflates to 7 bytes where the chunk (2 bytes) and its
    checksum (4) hold 6. The JSON beside it gives the chunk's address as h5py reports it."""
    import json, zlib
    path = os.path.join(HERE, 'hostile', 'fletcher32-first.h5')
    with h5py.File(path, 'w') as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((2,))
        dcpl.set_fletcher32()
        dcpl.set_shuffle()
        dcpl.set_deflate(1)
        did = h5py.h5d.create(f.id, b'over', h5py.h5t.STD_U8LE, h5py.h5s.create_simple((2,)), dcpl=dcpl)
        did.write_direct_chunk((0,), zlib.compress(bytes(7)))
        f['ok'] = np.arange(3, dtype='<i4')
    with h5py.File(path, 'r') as f:
        info = f['over'].id.get_chunk_info(0)
        where = {'over': {'chunk_address': info.byte_offset, 'chunk_size': info.size}}
    with open(path + '.chunks.json', 'w') as m:
        json.dump(where, m, indent=1, sort_keys=True)


def hostile_plugins():
    """hostile/plugins.h5: datasets with the Blosc and szip filters whose chunks lie, written raw with
    write_direct_chunk (streams taken from real Blosc and szip chunks, then broken in one place). The JSON beside
    it gives each dataset's chunk address as h5py reports it."""
    import json, struct
    path = os.path.join(HERE, 'hostile', 'plugins.h5')
    tmp = os.path.join(HERE, 'hostile', 'plugins-source.h5')
    with h5py.File(tmp, 'w') as f:
        f.create_dataset('zstd', data=np.zeros(65536, dtype='<f4'), chunks=(65536,),
                         **hdf5plugin.Blosc(cname='zstd', clevel=5, shuffle=hdf5plugin.Blosc.NOSHUFFLE))
        f.create_dataset('blosclz', data=(np.arange(4000) % 100).astype('<f4'), chunks=(4000,),
                         **hdf5plugin.Blosc(cname='blosclz', clevel=5, shuffle=hdf5plugin.Blosc.NOSHUFFLE))
        f.create_dataset('szip', data=np.arange(4000, dtype='<i4') % 77, chunks=(4000,), compression='szip',
                         compression_opts=('nn', 16))
    with h5py.File(tmp, 'r') as f:
        zstd = f['zstd'].id.read_direct_chunk((0,))[1]
        blosclz = f['blosclz'].id.read_direct_chunk((0,))[1]
        szip = f['szip'].id.read_direct_chunk((0,))[1]
    os.remove(tmp)
    # the zstd frame of the first block of a 256 KiB chunk of zeros, inside a Blosc buffer that declares 16 bytes
    start = struct.unpack_from('<i', zstd, 16)[0]
    csize = struct.unpack_from('<i', zstd, start)[0]
    frame = zstd[start + 4:start + 4 + csize]
    zstd_bomb = bytes([2, 1, 0x90, 4]) + struct.pack('<iii', 16, 16, 16 + 4 + 4 + len(frame)) \
        + struct.pack('<ii', 20, len(frame)) + frame
    # a BloscLZ stream whose first match reaches 200 bytes before the block: literal 'a' (control 0, marked as
    # BloscLZ by bit 5), a match of 3 at distance 200, a literal 'b' (a stream ends with literals)
    bad_match = bytes([0x20, ord('a'), 0x20, 199, 0, ord('b')])
    blosclz_bad = bytes([2, 1, 0x10, 4]) + struct.pack('<iii', 16, 16, 16 + 4 + 4 + len(bad_match)) \
        + struct.pack('<ii', 20, len(bad_match)) + bad_match
    cases = {
        'blosc_bomb': ('<f4', 4, hdf5plugin.Blosc(cname='lz4'), bytes([2, 1, 0x20, 4]) + struct.pack('<iii', 1 << 30, 1 << 16, 16)),
        'blosc_truncated': ('<f4', 4000, hdf5plugin.Blosc(cname='blosclz', shuffle=hdf5plugin.Blosc.NOSHUFFLE), blosclz[:len(blosclz) // 2]),
        'blosclz_bad_distance': ('<f4', 4, hdf5plugin.Blosc(cname='blosclz', shuffle=hdf5plugin.Blosc.NOSHUFFLE), blosclz_bad),
        'zstd_bomb': ('<f4', 4, hdf5plugin.Blosc(cname='zstd', shuffle=hdf5plugin.Blosc.NOSHUFFLE), zstd_bomb),
        'szip_bomb': ('<i4', 64, {'compression': 'szip', 'compression_opts': ('nn', 16)}, struct.pack('<I', 1 << 30) + szip[4:]),
        'szip_truncated': ('<i4', 4000, {'compression': 'szip', 'compression_opts': ('nn', 16)}, szip[:len(szip) // 3]),
    }
    where = {}
    with h5py.File(path, 'w') as f:
        for name, (dt, n, filt, chunk) in cases.items():
            d = f.create_dataset(name, shape=(n,), dtype=dt, chunks=(n,), **filt)
            d.id.write_direct_chunk((0,), chunk)
        f['ok'] = np.arange(3, dtype='<i4')
    with h5py.File(path, 'r') as f:
        for name in cases:
            info = f[name].id.get_chunk_info(0)
            where[name] = {'chunk_address': info.byte_offset, 'chunk_size': info.size}
    with open(path + '.chunks.json', 'w') as m:
        json.dump(where, m, indent=1, sort_keys=True)


GENERATORS = {'pytables_fletcher32': pytables_fletcher32, 'vlen_empty_earliest': lambda: vlen_empty('earliest'),
              'vlen_empty_latest': lambda: vlen_empty('latest'), 'blosc_h5py': blosc_h5py,
              'blosc_pytables': blosc_pytables, 'szip': szip, 'hostile_fletcher32_first': hostile_fletcher32_first,
              'hostile_plugins': hostile_plugins}

if __name__ == '__main__':
    # all of them, or those named (libhdf5 writes different bytes each run: regenerate only what changed)
    for name in sys.argv[1:] or GENERATORS:
        GENERATORS[name]()
