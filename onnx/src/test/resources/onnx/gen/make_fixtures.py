#!/usr/bin/python3
"""Fixtures for tensorfile's ONNX tests, written with Debian's python3-onnx (1.12) and python3-numpy.

Run from this directory: /usr/bin/python3 make_fixtures.py. Every .onnx file gets a manifest <file>.json whose
expected values come from onnx itself (numpy_helper.to_array of what onnx.load reads back), never from tensorfile.
onnx 1.12 stops at data type 16: types 17-26 are built at the wire level (their TensorProto.data_type is a plain
int32, so onnx 1.12's classes carry them) and their expected values are written out by hand from the definitions
in onnx.in.proto's DataType comments and the OCP 8-bit / MX specifications, not computed by any decoder.
"""
import hashlib, json, os, shutil
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto as TP

rng = np.random.default_rng(6)
OUT = os.path.dirname(os.path.abspath(__file__))
DTYPE = {1: 'F32', 2: 'U8', 3: 'I8', 4: 'U16', 5: 'I16', 6: 'I32', 7: 'I64', 8: 'STRING', 9: 'BOOL', 10: 'F16',
         11: 'F64', 12: 'U32', 13: 'U64', 14: 'C64', 15: 'C128', 16: 'BF16'}


def stored(t):
    """The tensor's little-endian bytes as onnx reads them (BF16: the stored 16-bit patterns; onnx 1.12 widens)."""
    if t.data_type == TP.BFLOAT16:
        return t.raw_data if t.raw_data else np.array(t.int32_data, '<u2').tobytes()
    if t.data_type in (TP.COMPLEX64, TP.COMPLEX128) and not t.raw_data:
        # onnx 1.12's to_array cannot read typed complex; float_data/double_data hold (real, imag) pairs (onnx.in.proto)
        return np.asarray(t.float_data, '<f4').tobytes() if t.data_type == TP.COMPLEX64 else np.asarray(t.double_data, '<f8').tobytes()
    if t.data_type == TP.STRING:
        return b''.join(x if isinstance(x, bytes) else x.encode('utf-8') for x in numpy_helper.to_array(t).ravel().tolist())
    a = numpy_helper.to_array(t)
    return a.astype(a.dtype.newbyteorder('<')).tobytes()


def manifest(path, tensors, extra=None):
    """Reads `path` back with onnx and records every listed TensorProto's values."""
    m = onnx.load(path)
    out = {'file': os.path.basename(path), 'ir_version': m.ir_version,
           'opset_import': {(o.domain or 'ai.onnx'): o.version for o in m.opset_import}, 'tensors': []}
    for name, t in tensors(m):
        e = {'name': name, 'dtype': DTYPE[t.data_type], 'shape': list(t.dims), 'sha256': hashlib.sha256(stored(t)).hexdigest()}
        if t.data_type == TP.STRING:
            e['strings'] = [s.decode('utf-8') if isinstance(s, bytes) else s for s in numpy_helper.to_array(t).ravel().tolist()]
        out['tensors'].append(e)
    if extra: out.update(extra)
    with open(path + '.json', 'w') as f:
        json.dump(out, f, indent=1, ensure_ascii=False)


def values_for(dt, shape):
    n = int(np.prod(shape))
    if dt in (TP.FLOAT, TP.DOUBLE, TP.FLOAT16): return rng.standard_normal(n).reshape(shape)
    if dt == TP.BFLOAT16: return np.array([0.5, -1.0, 3.0, 0.15625][:n]).reshape(shape)
    if dt in (TP.COMPLEX64, TP.COMPLEX128): return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).reshape(shape)
    if dt == TP.BOOL: return (np.arange(n) % 3 == 0).reshape(shape)
    if dt == TP.STRING: return np.array([('s%d-é' % i).encode() for i in range(n)], dtype=object).reshape(shape)
    info = {TP.UINT8: (0, 255), TP.INT8: (-128, 127), TP.UINT16: (0, 65535), TP.INT16: (-32768, 32767),
            TP.INT32: (-2**31, 2**31 - 1), TP.INT64: (-2**62, 2**62), TP.UINT32: (0, 2**32 - 1), TP.UINT64: (0, 2**63)}[dt]
    v = [info[0], info[1]] + [int(x) for x in rng.integers(info[0] // 2, info[1] // 2, n)]
    return np.array(v[:n], np.uint64 if dt in (TP.UINT32, TP.UINT64) else np.int64).reshape(shape)


def tensor(name, dt, shape, raw):
    v = values_for(dt, shape)
    if dt == TP.STRING:
        return helper.make_tensor(name, dt, shape, v.ravel().tolist())
    if dt == TP.BFLOAT16 and raw:
        bits = (np.asarray(v, np.float32).view(np.uint32) >> 16).astype('<u2')
        return helper.make_tensor(name, dt, shape, bits.tobytes(), raw=True)
    if raw:
        np_type = helper.tensor_dtype_to_np_dtype(dt) if hasattr(helper, 'tensor_dtype_to_np_dtype') else onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[dt]
        return helper.make_tensor(name, dt, shape, np.asarray(v, np_type).astype(np.dtype(np_type).newbyteorder('<')).tobytes(), raw=True)
    vals = v.ravel().tolist()
    return helper.make_tensor(name, dt, shape, vals)


def weights_model(inits, ir, opset, name='weights', sparse=()):
    outs = [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in inits]
    g = helper.make_graph([], name, [], outs, initializer=inits, sparse_initializer=list(sparse))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)], producer_name='tensorfile fixtures')
    m.ir_version = ir
    return m


def save(m, name, **kw):
    path = os.path.join(OUT, name)
    onnx.save_model(m, path, **kw)
    onnx.checker.check_model(path)
    return path


def main_graph(m):
    return [(t.name, t) for t in m.graph.initializer]


# 1. every type of onnx 1.12 (1-16), raw_data and typed fields
TYPES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
inits = []
for dt in TYPES:
    shape = [2, 3] if dt not in (TP.BFLOAT16,) else [2, 2]
    if dt != TP.STRING:
        inits.append(tensor(f'{DTYPE[dt].lower()}_raw', dt, shape, True))
    inits.append(tensor(f'{DTYPE[dt].lower()}_typed', dt, shape, False))
inits.append(helper.make_tensor('f32_scalar', TP.FLOAT, [], [2.5]))
inits.append(helper.make_tensor('i64_empty', TP.INT64, [0, 3], []))
manifest(save(weights_model(inits, 8, 13), 'all-types.onnx'), main_graph)

# 2. IR versions 3-8 (IR 3: every initializer is also a graph input, onnx's rule before IR 4)
for ir, opset in ((3, 8), (4, 9), (5, 10), (6, 11), (7, 12), (8, 13)):
    w = tensor('w', TP.FLOAT, [3, 2], True)
    b = tensor('b', TP.INT64, [2], False)
    x = helper.make_tensor_value_info('x', TP.FLOAT, ['n', 3])
    y = helper.make_tensor_value_info('y', TP.FLOAT, ['n', 2])
    node = helper.make_node('MatMul', ['x', 'w'], ['y'], name='mm')
    inputs = [x] + ([helper.make_tensor_value_info('w', TP.FLOAT, [3, 2]), helper.make_tensor_value_info('b', TP.INT64, [2])] if ir == 3 else [])
    g = helper.make_graph([node], 'ir%d' % ir, inputs, [y], initializer=[w, b])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)], producer_name='tensorfile fixtures')
    m.ir_version = ir
    manifest(save(m, 'ir%d.onnx' % ir), main_graph)

# 3. external data: one file for all tensors, and one file per tensor
ext = [tensor('ext_f32', TP.FLOAT, [16, 8], True), tensor('ext_i8', TP.INT8, [5], True),
       tensor('ext_f16', TP.FLOAT16, [3, 3], True), tensor('ext_typed_i64', TP.INT64, [4], False)]
for d in ('ext-one', 'ext-each'):
    shutil.rmtree(os.path.join(OUT, d), ignore_errors=True)
    os.makedirs(os.path.join(OUT, d))
m = weights_model([onnx.TensorProto.FromString(t.SerializeToString()) for t in ext], 8, 13)
manifest(save(m, 'ext-one/model.onnx', save_as_external_data=True, all_tensors_to_one_file=True,
              location='weights.bin', size_threshold=0), main_graph)
m = weights_model([onnx.TensorProto.FromString(t.SerializeToString()) for t in ext], 8, 13)
manifest(save(m, 'ext-each/model.onnx', save_as_external_data=True, all_tensors_to_one_file=False,
              size_threshold=0), main_graph)

# 4. subgraph initializers (If branches; the same name in both branches) and a sparse initializer
then_w = tensor('branch_w', TP.FLOAT, [2], True)
else_w = tensor('branch_w', TP.FLOAT, [2], True)
then_g = helper.make_graph([helper.make_node('Identity', ['branch_w'], ['t_out'])], 'then_branch', [],
                           [helper.make_tensor_value_info('t_out', TP.FLOAT, [2])], initializer=[then_w])
else_g = helper.make_graph([helper.make_node('Identity', ['branch_w'], ['e_out'])], 'else_branch', [],
                           [helper.make_tensor_value_info('e_out', TP.FLOAT, [2])], initializer=[else_w])
cond = helper.make_tensor('cond', TP.BOOL, [], [True])
if_node = helper.make_node('If', ['cond'], ['y'], name='if', then_branch=then_g, else_branch=else_g)
sp_values = helper.make_tensor('sparse_w', TP.FLOAT, [3], [1.5, -2.0, 4.0])
sp_indices = helper.make_tensor('sparse_w_indices', TP.INT64, [3], [1, 4, 10])
sparse = helper.make_sparse_tensor(sp_values, sp_indices, [3, 4])
g = helper.make_graph([if_node], 'main', [], [helper.make_tensor_value_info('y', TP.FLOAT, [2])],
                      initializer=[cond], sparse_initializer=[sparse])
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)], producer_name='tensorfile fixtures')
m.ir_version = 8
path = save(m, 'subgraphs.onnx')
dense = np.zeros(12, np.float32)
dense[[1, 4, 10]] = [1.5, -2.0, 4.0]
manifest(path, lambda m: [('cond', m.graph.initializer[0]),
                          ('branch_w', m.graph.node[0].attribute[0].g.initializer[0]),
                          ('branch_w#2', m.graph.node[0].attribute[1].g.initializer[0])],
         {'sparse': {'name': 'sparse_w', 'dtype': 'F32', 'shape': [3, 4],
                     'sha256': hashlib.sha256(dense.astype('<f4').tobytes()).hexdigest()}})


# 5. the wire level: packed and unpacked typed fields, mixed, and data types 17-26
def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wire): return varint(field << 3 | wire)
def ld(field, data): return key(field, 2) + varint(len(data)) + data
def vi(field, v): return key(field, 0) + varint(v)


def tensor_bytes(name, dt, dims, body):
    return b''.join(vi(1, d) for d in dims) + vi(2, dt) + ld(8, name.encode()) + body


def model_bytes(tensors, ir, opset=13):
    graph = ld(2, b'wire') + b''.join(ld(5, t) for t in tensors)
    return vi(1, ir) + ld(2, b'tensorfile fixtures (wire level)') + ld(7, graph) + ld(8, ld(1, b'') + vi(2, opset))


wire = []
expected = []
# int64_data unpacked, packed, and mixed (both are legal for the same field, protobuf encoding guide)
i64 = [5, -3, 1 << 40, -(1 << 62)]
wire.append(tensor_bytes('i64_unpacked', 7, [4], b''.join(vi(7, v) for v in i64)))
wire.append(tensor_bytes('i64_packed', 7, [4], ld(7, b''.join(varint(v) for v in i64))))
wire.append(tensor_bytes('i64_mixed', 7, [4], vi(7, i64[0]) + ld(7, varint(i64[1]) + varint(i64[2])) + vi(7, i64[3])))
for n in ('i64_unpacked', 'i64_packed', 'i64_mixed'):
    expected.append({'name': n, 'dtype': 'I64', 'shape': [4], 'ints': i64})
f32 = np.array([1.0, -2.5, 3.25], '<f4')
wire.append(tensor_bytes('f32_unpacked', 1, [3], b''.join(key(4, 5) + x.tobytes() for x in f32)))
wire.append(tensor_bytes('f32_mixed', 1, [3], ld(4, f32[:2].tobytes()) + key(4, 5) + f32[2:].tobytes()))
for n in ('f32_unpacked', 'f32_mixed'):
    expected.append({'name': n, 'dtype': 'F32', 'shape': [3], 'floats': [1.0, -2.5, 3.25]})
# an unknown field (99, every wire type) inside a tensor is skipped
wire.append(tensor_bytes('f32_unknown_fields', 1, [1], vi(99, 7) + ld(99, b'xyz') + key(99, 5) + b'abcd'
                         + key(99, 1) + b'12345678' + ld(4, np.array([7.0], '<f4').tobytes())))
expected.append({'name': 'f32_unknown_fields', 'dtype': 'F32', 'shape': [1], 'floats': [7.0]})

# 17-26: (code, DType, bytes, expected element values written from the type definitions)
NAN = 'NaN'
SMALL = [
    # FLOAT8E4M3FN: bias 7, no Inf, S.1111.111 is NaN; 0x38 = 1.0, 0x7E = 448 (max), 0x01 = 2^-9, 0x08 = 2^-6
    (17, 'F8_E4M3', [0x00, 0x38, 0x7E, 0xFE, 0x01, 0x08, 0x7F, 0xC0], [0.0, 1.0, 448.0, -448.0, 2 ** -9, 2 ** -6, NAN, -2.0]),
    # FLOAT8E4M3FNUZ: bias 8, 0x80 the only NaN; 0x40 = 1.0, 0x7F = 240, 0x01 = 2^-10
    (18, 'F8_E4M3FNUZ', [0x00, 0x40, 0x7F, 0xFF, 0x01, 0x80, 0x48, 0xC0], [0.0, 1.0, 240.0, -240.0, 2 ** -10, NAN, 2.0, -1.0]),
    # FLOAT8E5M2: IEEE-like, bias 15; 0x3C = 1.0, 0x7B = 57344, 0x7C = Inf, 0x7F NaN, 0x01 = 2^-16
    (19, 'F8_E5M2', [0x00, 0x3C, 0x7B, 0x7C, 0xFC, 0x7F, 0x01, 0xC0], [0.0, 1.0, 57344.0, 'Infinity', '-Infinity', NAN, 2 ** -16, -2.0]),
    # FLOAT8E5M2FNUZ: bias 16, 0x80 the only NaN; 0x40 = 1.0, 0x7F = 57344, 0x01 = 2^-17
    (20, 'F8_E5M2FNUZ', [0x00, 0x40, 0x7F, 0xFF, 0x01, 0x80, 0x44, 0xC0], [0.0, 1.0, 57344.0, -57344.0, 2 ** -17, NAN, 2.0, -1.0]),
    # UINT4: two per byte, first element in the low nibble
    (21, 'U4', [0x21, 0xF0, 0x87], [1, 2, 0, 15, 7, 8]),
    # INT4: two's complement nibbles, [-8, 7]
    (22, 'I4', [0x21, 0xF0, 0x87], [1, 2, 0, -1, 7, -8]),
    # FLOAT4E2M1: nibbles 0..7 = 0, 0.5, 1, 1.5, 2, 3, 4, 6; bit 3 is the sign
    (23, 'F4', [0x10, 0x32, 0x54, 0x76, 0xA9, 0xFF], [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.5, -1.0, -6.0, -6.0]),
    # FLOAT8E8M0: 2^(e-127), 0xFF NaN
    (24, 'F8_E8M0', [0x7F, 0x80, 0x7E, 0x00, 0xFF, 0x86], [1.0, 2.0, 0.5, 2 ** -127, NAN, 128.0]),
    # UINT2: four per byte, x0 | x1<<2 | x2<<4 | x3<<6
    (25, 'U2', [0xE4, 0x1B], [0, 1, 2, 3, 3, 2, 1, 0]),
    # INT2: two's complement, [-2, 1]
    (26, 'I2', [0xE4, 0x1B], [0, 1, -2, -1, -1, -2, 1, 0]),
]
for code, dname, raw, vals in SMALL:
    n = len(vals)
    for storage in ('raw', 'typed'):
        name = '%s_%s' % (dname.lower(), storage)
        body = ld(9, bytes(raw)) if storage == 'raw' else ld(5, b''.join(varint(b) for b in raw))
        wire.append(tensor_bytes(name, code, [n], body))
        e = {'name': name, 'dtype': dname, 'shape': [n], 'sha256': hashlib.sha256(bytes(raw)).hexdigest()}
        e['floats' if dname.startswith('F') else 'ints'] = vals
        expected.append(e)

for ir in (13,):
    path = os.path.join(OUT, 'wire-types.onnx')
    with open(path, 'wb') as f:
        f.write(model_bytes(wire, ir, 25))
    with open(path + '.json', 'w') as f:
        json.dump({'file': 'wire-types.onnx', 'ir_version': ir, 'opset_import': {'ai.onnx': 25}, 'tensors': expected}, f, indent=1)
print('fixtures written to', OUT)
