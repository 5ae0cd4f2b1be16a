#!/usr/bin/python3
"""Fixtures for classes of HDF5 file met in the wild (issue 12), each written by the tool that writes it that way,
with the manifest NAME.json of what h5py reads back (the manifest function of make_fixtures.py):

- pytables-fletcher32.h5: PyTables (python3-tables 3.7) puts fletcher32 FIRST in the pipeline (before shuffle
  and zlib), so deflate and shuffle run over each chunk plus its 4-byte checksum; tiny chunks (1-byte elements,
  chunks of 2 and of 2x3) as PyTables tests write them.
- vlen-empty-earliest.h5, vlen-empty-latest.h5: h5py (libhdf5 1.10.8) vlen string attributes holding empty
  strings (empty global heap objects) and an attribute created and never written (null global heap IDs).

Run from this directory: /usr/bin/python3 make_wild_fixtures.py
"""
import os
import numpy as np
import h5py
import tables

import make_fixtures

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


if __name__ == '__main__':
    hostile_fletcher32_first()
    pytables_fletcher32()
    vlen_empty('earliest')
    vlen_empty('latest')
