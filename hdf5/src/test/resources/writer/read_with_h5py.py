"""Reads an HDF5 file (or the model.weights.h5 of a .keras zip) with h5py and prints, as one JSON line, what the
writer tests compare with what they wrote: per dataset its numpy dtype, shape, compression, shuffle and the sha256
of its little-endian bytes; every attribute's value, and each object's attribute count
as libhdf5 reports it and as iteration finds it. Used only by Hdf5WriterInteropTest, where h5py is installed."""
import hashlib, io, json, sys, zipfile
import h5py, numpy as np

def value(v):
    if isinstance(v, bytes): return v.decode()
    if isinstance(v, (str, bool, int, float)): return v
    if isinstance(v, np.ndarray): return [value(x) for x in v.tolist()]
    if isinstance(v, np.generic): return v.item()
    return str(v)

path = sys.argv[1]
out = {'datasets': {}, 'attrs': {}, 'counts': {}}
if path.endswith('.keras'):
    z = zipfile.ZipFile(path)
    bad = z.testzip()  # reads every member and checks its CRC-32
    out['zip'] = {'members': [i.filename for i in z.infolist()], 'bad': bad,
                  'stored': all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())}
    f = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')
else:
    f = h5py.File(path, 'r')
with f:
    def attrs(name, obj):
        # len() asks libhdf5 for the count (H5Aget_num_attrs); iterating finds the messages themselves
        out['counts'][name or '/'] = [len(obj.attrs), len(list(obj.attrs.keys()))]
        for k, v in obj.attrs.items():
            out['attrs'][(name + '@' if name else '') + k] = value(v)
    attrs('', f)
    def visit(name, obj):
        attrs(name, obj)
        if isinstance(obj, h5py.Dataset):
            a = np.asarray(obj[()])
            if a.dtype.kind != 'V': a = a.astype(a.dtype.newbyteorder('<'))
            out['datasets'][name] = {'dtype': a.dtype.str, 'shape': list(a.shape), 'compression': obj.compression,
                'compression_opts': obj.compression_opts, 'shuffle': obj.shuffle, 'chunks': obj.chunks,
                'sha256': hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()}
    f.visititems(visit)
print(json.dumps(out))
