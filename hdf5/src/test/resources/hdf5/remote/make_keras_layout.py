#!/usr/bin/python3
"""Keras 2 weight files of 500 datasets, at two data sizes, whose data are holes: what RemoteCostTest (cli) and
docs/remote.md measure remote HDF5 reading with. Made with Debian 12's python3-h5py 3.7.0 (libhdf5 1.10.8).

The layout is Keras 2's save_weights_to_hdf5_group (keras/saving/legacy/hdf5_format.py): root attributes backend,
keras_version and layer_names; a group per layer with attribute weight_names; each weight a contiguous float32
dataset at LAYER/LAYER/NAME:0. As in Keras' files, libhdf5 puts each layer's object headers, local heap and B-tree
beside that layer's data, so the metadata lies scattered between the weights. The data are allocated at creation
(H5D_ALLOC_TIME_EARLY, where Keras writes them at once) and never written (H5D_FILL_TIME_NEVER): holes in a sparse
file, so the 16 GB one takes 2 MB. Each file is committed as its non-hole runs (os.SEEK_DATA / SEEK_HOLE), gzipped:
  u64 file size, u32 run count, then per run u64 offset, u32 length, the bytes (little-endian)
and the test writes the sparse file back from them.

  keras-layout-16.h5    250 layers of a [16, 16] kernel and a [16] bias: 1,018,080 bytes
  keras-layout-4096.h5  250 layers of a [4096, 4096] kernel and a [4096] bias: 16,782,063,576 bytes
"""
import gzip
import os
import struct

import h5py
from h5py import h5d, h5p, h5s, h5t

LAYERS = 250


def make(path, dim):
    with h5py.File(path, 'w') as f:
        f.attrs['backend'] = b'tensorflow'
        f.attrs['keras_version'] = b'2.11.0'
        f.attrs['layer_names'] = [('dense_%d' % i).encode() for i in range(LAYERS)]
        for i in range(LAYERS):
            g = f.create_group('dense_%d' % i)
            names = ['dense_%d/kernel:0' % i, 'dense_%d/bias:0' % i]
            g.attrs['weight_names'] = [n.encode() for n in names]
            for name, shape in zip(names, [(dim, dim), (dim,)]):
                dcpl = h5p.create(h5p.DATASET_CREATE)
                dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
                dcpl.set_fill_time(h5d.FILL_TIME_NEVER)
                parent, leaf = name.split('/')
                h5d.create(g.require_group(parent).id, leaf.encode(), h5t.IEEE_F32LE, h5s.create_simple(shape), dcpl=dcpl)


def runs(path):
    size = os.path.getsize(path)
    out = []
    fd = os.open(path, os.O_RDONLY)
    try:
        pos = 0
        while pos < size:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                break
            end = os.lseek(fd, start, os.SEEK_HOLE)
            os.lseek(fd, start, os.SEEK_SET)
            out.append((start, os.read(fd, end - start)))
            pos = end
    finally:
        os.close(fd)
    return size, out


for dim in (16, 4096):
    name = 'keras-layout-%d.h5' % dim
    make(name, dim)
    size, rs = runs(name)
    with gzip.GzipFile(name + '.extents.gz', 'wb', compresslevel=9, mtime=0) as o:
        o.write(struct.pack('<QI', size, len(rs)))
        for start, data in rs:
            o.write(struct.pack('<QI', start, len(data)))
            o.write(data)
    os.remove(name)
    print(name, size, 'bytes,', len(rs), 'runs,', sum(len(d) for _, d in rs), 'bytes not holes')
