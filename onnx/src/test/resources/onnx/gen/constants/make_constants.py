#!/usr/bin/python3
"""Models whose weights are Constant nodes, not initializers, written with Debian's python3-onnx (1.12) and
python3-torch (1.13): run from this directory, /usr/bin/python3 make_constants.py.

- paddle-style.onnx: built with onnx.helper as paddle2onnx exports (PaddleOCR keeps every weight in a Constant):
  Conv/Add/Reshape fed by Constant values in raw_data and in typed fields, beside one initializer, and a Constant of
  each other attribute form (value_float(s), value_int(s), value_string(s), sparse_value).
- subgraphs.onnx: Constant weights in the main graph, in both branches of an If (the same output name in each, as
  sibling branches may), in a Loop body and in an If nested inside that body.
- torch-frozen.onnx: as torch.onnx.export writes it, of a frozen TorchScript module with an If and a loop, the way Silero VAD
  ships: torch inlines every parameter as a Constant, inside the subgraphs too. The script checks that the Constant
  values are the module's parameters.
- external/model.onnx: paddle-style.onnx saved with save_as_external_data=True, convert_attribute=True, so that the
  Constant values lie in external data (onnx's own option for them).

Each model gets a manifest <file>.json listing every Constant value as onnx reads it (numpy_helper.to_array of the
TensorProto, numpy arrays of the attribute's f/floats/i/ints/s/strings, the sparse tensor scattered as
numpy_helper gives its values and indices), named as tensorfile names them: the node's output, '#2', '#3', ... for
a name seen before in the order initializers, sparse initializers, Constant values of a graph, then its subgraphs.
"""
import hashlib, json, os, shutil
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto as TP

OUT = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(12)
DTYPE = {1: 'F32', 2: 'U8', 3: 'I8', 5: 'I16', 6: 'I32', 7: 'I64', 8: 'STRING', 9: 'BOOL', 10: 'F16', 11: 'F64'}


def stored(a):
    return a.astype(a.dtype.newbyteorder('<')).tobytes()


def entry(name, dtype, a, strings=None):
    e = {'name': name, 'dtype': dtype, 'shape': list(a.shape) if strings is None else [len(strings)] if a is None else list(a.shape)}
    if strings is not None:
        e['strings'] = strings
        e['sha256'] = hashlib.sha256(''.join(strings).encode('utf-8')).hexdigest()
    else:
        e['sha256'] = hashlib.sha256(stored(a)).hexdigest()
    return e


def constant_value(attr):
    """(dtype, numpy array or None, strings or None) of a Constant's attribute, as onnx reads it."""
    if attr.name == 'value':
        t = attr.t
        if t.data_type == TP.STRING:
            s = [x.decode('utf-8') for x in numpy_helper.to_array(t).ravel().tolist()]
            return 'STRING', np.empty(list(t.dims)), s
        return DTYPE[t.data_type], numpy_helper.to_array(t), None
    if attr.name == 'sparse_value':
        v = numpy_helper.to_array(attr.sparse_tensor.values)
        ix = numpy_helper.to_array(attr.sparse_tensor.indices)
        dense = np.zeros(int(np.prod(attr.sparse_tensor.dims)), v.dtype)
        dense[ix] = v
        return DTYPE[attr.sparse_tensor.values.data_type], dense.reshape(list(attr.sparse_tensor.dims)), None
    if attr.name == 'value_float': return 'F32', np.array(attr.f, np.float32), None
    if attr.name == 'value_floats': return 'F32', np.array(list(attr.floats), np.float32), None
    if attr.name == 'value_int': return 'I64', np.array(attr.i, np.int64), None
    if attr.name == 'value_ints': return 'I64', np.array(list(attr.ints), np.int64), None
    if attr.name == 'value_string': return 'STRING', np.empty([]), [attr.s.decode('utf-8')]
    if attr.name == 'value_strings': return 'STRING', np.empty([len(attr.strings)]), [s.decode('utf-8') for s in attr.strings]
    raise ValueError(attr.name)


def tensors_of(m):
    """Every initializer and Constant value, in tensorfile's order, with its values as onnx reads them."""
    seen, out = {}, []

    def unique(name):
        n = seen.get(name, 0) + 1
        seen[name] = n
        if n == 1: return name
        c = '%s#%d' % (name, n)
        while c in seen: n += 1; seen[name] = n; c = '%s#%d' % (name, n)
        seen[c] = 1
        return c

    def walk(g):
        for t in g.initializer:
            a = numpy_helper.to_array(t)
            out.append(dict(entry(unique(t.name), DTYPE[t.data_type], a), origin='initializer'))
        for n in g.node:
            if n.op_type == 'Constant' and n.domain in ('', 'ai.onnx'):
                dtype, a, strings = constant_value(n.attribute[0])
                e = entry(unique(n.output[0]), dtype, a, strings)
                if strings is not None: e['shape'] = list(a.shape)
                out.append(dict(e, origin='constant'))
        for n in g.node:
            for attr in n.attribute:
                if attr.type == onnx.AttributeProto.GRAPH: walk(attr.g)
                if attr.type == onnx.AttributeProto.GRAPHS:
                    for sub in attr.graphs: walk(sub)
    walk(m.graph)
    return out


def save(m, rel, **kw):
    path = os.path.join(OUT, rel)
    onnx.save_model(m, path, **kw)
    return write_manifest(path)


def write_manifest(path):
    onnx.checker.check_model(path)
    m = onnx.load(path)  # external data read back too
    with open(path + '.json', 'w') as f:
        json.dump({'file': os.path.basename(path), 'ir_version': m.ir_version, 'complete': True,
                   'opset_import': {(o.domain or 'ai.onnx'): o.version for o in m.opset_import},
                   'tensors': tensors_of(m)}, f, indent=1, ensure_ascii=False)
    return path


def const(out, **attrs):
    return helper.make_node('Constant', [], [out], name=out + '_node', **attrs)


def raw(name, a):
    return numpy_helper.from_array(a, name)


# 1. PaddleOCR style
w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
b = rng.standard_normal(4).astype(np.float32)
scale = rng.standard_normal(4).astype(np.float16)
nodes = [
    const('conv1_w', value=raw('', w)),  # raw_data, as paddle2onnx writes weights
    const('conv1_b', value=helper.make_tensor('', TP.FLOAT, [4, 1, 1], b.tolist())),  # float_data
    const('bn_scale', value=raw('', scale.reshape(1, 4, 1, 1))),
    const('shape', value=helper.make_tensor('', TP.INT64, [2], [1, -1])),  # int64_data
    const('alpha', value_float=0.25),
    const('offsets', value_floats=[0.5, -1.5, 2.25]),
    const('axis', value_int=-3),
    const('pads', value_ints=[0, 1, 1 << 40, -7]),
    const('label', value_string='crnn-é'),
    const('labels', value_strings=['a', 'bc', '', 'déf']),
    const('mask', sparse_value=helper.make_sparse_tensor(
        helper.make_tensor('mask_values', TP.FLOAT, [3], [1.5, -2.0, 4.0]),
        helper.make_tensor('mask_indices', TP.INT64, [3], [1, 4, 10]), [3, 4])),
    const('flags', value=helper.make_tensor('', TP.BOOL, [3], [True, False, True])),
    helper.make_node('Conv', ['x', 'conv1_w'], ['c'], name='conv1', pads=[1, 1, 1, 1]),
    helper.make_node('Add', ['c', 'conv1_b'], ['cb'], name='add_bias'),
    helper.make_node('Cast', ['bn_scale'], ['bn_scale32'], name='cast', to=TP.FLOAT),
    helper.make_node('Mul', ['cb', 'bn_scale32'], ['cs'], name='mul_scale'),
    helper.make_node('Mul', ['cs', 'alpha'], ['ca'], name='mul_alpha'),
    helper.make_node('Add', ['ca', 'init_bias'], ['cz'], name='add_init'),
    helper.make_node('Reshape', ['cz', 'shape'], ['y'], name='flatten'),
]
init = [raw('init_bias', rng.standard_normal((1, 4, 1, 1)).astype(np.float32))]
outs = [helper.make_tensor_value_info('y', TP.FLOAT, [1, 64])]
for n, t, s in (('offsets', TP.FLOAT, [3]), ('axis', TP.INT64, []), ('pads', TP.INT64, [4]),
                ('label', TP.STRING, []), ('labels', TP.STRING, [4]), ('mask', TP.FLOAT, [3, 4]), ('flags', TP.BOOL, [3])):
    outs.append(helper.make_tensor_value_info(n, t, s))
g = helper.make_graph(nodes, 'paddle', [helper.make_tensor_value_info('x', TP.FLOAT, [1, 3, 4, 4])], outs, initializer=init)
paddle = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)], producer_name='tensorfile fixtures (paddle2onnx style)')
paddle.ir_version = 7
save(paddle, 'paddle-style.onnx')

# 2. If and Loop bodies holding Constant weights
def branch(name, value):
    return helper.make_graph([const('w', value=raw('', value)), helper.make_node('Add', ['x', 'w'], [name + '_out'])],
                             name, [], [helper.make_tensor_value_info(name + '_out', TP.FLOAT, [2])])

then_g = branch('then_branch', np.array([1.0, 2.0], np.float32))
else_g = branch('else_branch', np.array([-1.0, -2.0], np.float32))
inner_then = branch('inner_then', np.array([10.0, 20.0], np.float32))
inner_else = helper.make_graph([const('inner_w', value=raw('', np.array([5.0, 6.0], np.float32))),
                                helper.make_node('Mul', ['x', 'inner_w'], ['inner_else_out'])], 'inner_else', [],
                               [helper.make_tensor_value_info('inner_else_out', TP.FLOAT, [2])])
body = helper.make_graph(
    [const('loop_w', value=raw('', rng.standard_normal(2).astype(np.float32))),
     const('loop_step', value=helper.make_tensor('', TP.INT64, [], [3])),
     helper.make_node('Add', ['acc_in', 'loop_w'], ['acc_add']),
     helper.make_node('If', ['cond_in'], ['acc_if'], name='inner_if', then_branch=inner_then, else_branch=inner_else),
     helper.make_node('Add', ['acc_add', 'acc_if'], ['acc_out']),
     helper.make_node('Identity', ['cond_in'], ['cond_out'])],
    'loop_body',
    [helper.make_tensor_value_info('iter', TP.INT64, []), helper.make_tensor_value_info('cond_in', TP.BOOL, []),
     helper.make_tensor_value_info('acc_in', TP.FLOAT, [2])],
    [helper.make_tensor_value_info('cond_out', TP.BOOL, []), helper.make_tensor_value_info('acc_out', TP.FLOAT, [2])])
main = helper.make_graph(
    [const('x', value=raw('', np.array([0.5, 0.25], np.float32))),
     const('trips', value=helper.make_tensor('', TP.INT64, [], [2])),
     const('go', value=helper.make_tensor('', TP.BOOL, [], [True])),
     helper.make_node('If', ['go'], ['y_if'], name='if', then_branch=then_g, else_branch=else_g),
     helper.make_node('Loop', ['trips', 'go', 'y_if'], ['y'], name='loop', body=body)],
    'main', [], [helper.make_tensor_value_info('y', TP.FLOAT, [2])])
sub = helper.make_model(main, opset_imports=[helper.make_opsetid('', 13)], producer_name='tensorfile fixtures')
sub.ir_version = 7
save(sub, 'subgraphs.onnx')

# 3. torch.onnx.export of a frozen TorchScript module: parameters become Constant nodes, in subgraphs too
import torch
torch.manual_seed(12)


class Gate(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(3, 2)
        self.b = torch.nn.Linear(3, 2)

    def forward(self, x, flag: bool):
        if flag:
            y = self.a(x)
        else:
            y = self.b(x) * 2
        for i in range(x.shape[0]):
            y = y + self.a.bias
        return y


module = Gate().eval()
params = {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}
frozen = torch.jit.freeze(torch.jit.script(module))
path = os.path.join(OUT, 'torch-frozen.onnx')
torch.onnx.export(frozen, (torch.randn(4, 3), torch.tensor(True)), path, opset_version=13, input_names=['x', 'flag'])
m = onnx.load(path)
assert len(m.graph.initializer) == 0, 'torch kept initializers: the fixture would not show Constant weights'
found = [e for e in tensors_of(m)]
for k, v in params.items():  # every parameter is the value of some Constant (the weight maybe transposed by Gemm)
    shas = {hashlib.sha256(stored(x)).hexdigest() for x in (v, v.T.copy())}
    assert any(e['sha256'] in shas for e in found), k
write_manifest(path)  # the file as torch wrote it

# 4. Constant values in external data (onnx's convert_attribute=True)
shutil.rmtree(os.path.join(OUT, 'external'), ignore_errors=True)
os.makedirs(os.path.join(OUT, 'external'))
ext = onnx.ModelProto.FromString(paddle.SerializeToString())
save(ext, 'external/model.onnx', save_as_external_data=True, all_tensors_to_one_file=True, location='weights.bin',
     size_threshold=0, convert_attribute=True)
m = onnx.load(os.path.join(OUT, 'external/model.onnx'), load_external_data=False)
assert any(n.op_type == 'Constant' and n.attribute[0].t.data_location == 1 for n in m.graph.node), 'no external Constant'
print('fixtures written to', OUT)
