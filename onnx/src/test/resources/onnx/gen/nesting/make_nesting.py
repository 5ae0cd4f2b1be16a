#!/usr/bin/python3
"""Models at protobuf's default recursion limit and one past it, written with Debian's python3-onnx (1.12) and
read back with onnx.load (python3-protobuf 3.21, the C++ parser, recursion limit 100): run from this directory,
/usr/bin/python3 make_nesting.py. nesting.json records, per file, the deepest message (ModelProto is depth 0) and
whether onnx.load parses it: a message at depth 100 parses, one at 101 does not, whatever holds it.
"""
import json, os
import onnx
from onnx import helper, TensorProto as TP

OUT = os.path.dirname(os.path.abspath(__file__))


def model(graph):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='tensorfile fixtures')
    m.ir_version = 8
    return m


def typed_input(t):
    vi = helper.make_value_info('x', t)
    return model(helper.make_graph([helper.make_node('Identity', ['x'], ['y'])], 'g', [vi], []))


def sequences(n, shape):
    # graph 1, input ValueInfoProto 2, TypeProto 3; each sequence adds Sequence and TypeProto; then Tensor and shape
    t = helper.make_tensor_type_proto(TP.FLOAT, shape)
    for _ in range(n):
        t = helper.make_sequence_type_proto(t)
    return typed_input(t)


def maps(n):
    t = helper.make_tensor_type_proto(TP.FLOAT, None)
    for _ in range(n):
        m = onnx.TypeProto()  # onnx 1.12's helper has no make_map_type_proto
        m.map_type.key_type = TP.INT64
        m.map_type.value_type.CopyFrom(t)
        t = m
    return typed_input(t)


def optionals(n):
    t = helper.make_tensor_type_proto(TP.FLOAT, None)
    for _ in range(n):
        t = helper.make_optional_type_proto(t)
    return typed_input(t)


def ifs(k, leaf_node):
    # graph at depth 1 + 3k: node, attribute, graph per level (one branch only: two would double the size per level)
    leaf = helper.make_graph([helper.make_node('Identity', ['a'], ['b'])] if leaf_node else [], 'leaf', [], [])
    g = leaf
    for i in range(k):
        g = helper.make_graph([helper.make_node('If', ['c'], ['o'], then_branch=g)], 'g%d' % i, [], [])
    return model(g)


CASES = {
    'sequence-100.onnx': (sequences(48, None), 100),      # ... TypeProto 99, Tensor 100
    'sequence-101.onnx': (sequences(48, []), 101),        # an empty shape message at 101
    'map-100.onnx': (maps(48), 100),
    'map-102.onnx': (maps(49), 102),
    'optional-102.onnx': (optionals(49), 102),
    'if-100.onnx': (ifs(33, False), 100),                 # the leaf graph at 100, holding only its name
    'if-101.onnx': (ifs(33, True), 101),                  # ... and a node at 101
}
verdicts = {}
for name, (m, deepest) in CASES.items():
    data = m.SerializeToString()
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    try:
        onnx.load(os.path.join(OUT, name))
        loads, error = True, None
    except Exception as e:
        loads, error = False, '%s: %s' % (type(e).__name__, e)
    verdicts[name] = {'deepest': deepest, 'onnx_load': loads, 'error': error}
    assert loads == (deepest <= 100), (name, loads, error)
with open(os.path.join(OUT, 'nesting.json'), 'w') as f:
    json.dump(verdicts, f, indent=1)
print(json.dumps(verdicts, indent=1))
