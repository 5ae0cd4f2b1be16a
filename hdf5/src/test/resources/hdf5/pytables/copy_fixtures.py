#!/usr/bin/python3
"""Copies a few files from PyTables' own test suite, as Debian's python3-tables (3.7.0) ships them under
/usr/lib/python3/dist-packages/tables/tests/ (PyTables, BSD 3-clause licence, (c) PyTables developers), and writes
beside each the manifest NAME.json of what h5py (python3-h5py 3.7 / libhdf5 1.10.8) reads back from it, with the
manifest function of ../gen/make_fixtures.py.

These files were written by old PyTables on libhdf5 1.4-1.8 (superblock 0, data layout message versions 1-3,
chunked storage whose last layout dimension is the element size): the oldest writers we can install read back.

Run from this directory: /usr/bin/python3 copy_fixtures.py [FILE...]
"""
import os, shutil, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'gen'))
import make_fixtures  # noqa: E402

SOURCE = '/usr/lib/python3/dist-packages/tables/tests'
FILES = ['smpl_SDSextendible.h5',      # EArray of int32, chunked, layout v1/v2 (HDF5 1.4-era)
         'ex-noattr.h5',               # PyTables 1.x arrays and an EArray without attributes
         'idx-std-1.x.h5',             # a table and its PyTables 1.x indexes (chunked float/int arrays)
         'attr-u16.h5',                # unsigned attributes, chunked arrays
         'flavored_vlarrays-format1.6.h5',
         'test_szip.h5',               # szip-compressed int32 chunks, as old PyTables wrote them
         'blosc_bigendian.h5']         # big-endian integers through Blosc (PyTables 2.x)

if __name__ == '__main__':
    for name in sys.argv[1:] or FILES:
        dst = os.path.join(HERE, name)
        shutil.copyfile(os.path.join(SOURCE, name), dst)
        make_fixtures.manifest(dst)
