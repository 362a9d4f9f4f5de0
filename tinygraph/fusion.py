"""Fusion: groups of ops that a plan runs as one kernel call.

The graph keeps TensorFlow's ops and names; only the compiled plan (plan.py) changes. A
group always starts at its *head* op and ends at its *result* op; every op in between is
read by the next one alone, so its output is never materialised (or only chunk by chunk).
Two kinds:

* **Pairs** with a dedicated one-pass kernel (`PAIRS`): `ReluGrad(MaxPoolGrad(x, y, dy), x)`
  routes each window's gradient and applies the relu mask in the same pass.
* **Per-example chains**: a run of ops that treat each image of a batch on its own
  (Conv2D -> BiasAdd -> Relu -> MaxPool). For a large batch the chain runs a few images at a
  time, so the big convolution output never exists for the whole batch at once: evaluating a
  CNN on 10,000 MNIST images holds one 16 MB slice of conv1's output instead of 1 GB.
  Small batches (a training step) run the chain unchunked, exactly as the separate ops would.
"""
import functools

import numpy as np

from tinygraph.framework import errors

__all__ = ["find", "Fusions", "FRESH_OUTPUT_OPS"]

# Ops whose kernels always return a freshly allocated array that nothing else refers to, so
# the op reading it next may write its result into it (`OpDef.compute_inplace`).
FRESH_OUTPUT_OPS = frozenset(["Conv2D", "MatMul", "BiasAdd", "Add"])

# (head type, result type) -> (name of the head OpDef's method computing both, and
# {result input index: head input index} that must be the same tensors).
PAIRS = {
    ("MaxPoolGrad", "ReluGrad"): ("compute_then_relu_grad", {1: 0}),
}

# Ops whose output for image i depends only on image i of input 0 (NHWC, batch first).
PER_EXAMPLE_OPS = frozenset(["Conv2D", "BiasAdd", "MaxPool", "AvgPool", "LRN", "Relu", "Relu6",
                             "Elu", "Selu", "Softplus", "Sigmoid", "Tanh"])

# A chain is chunked when its largest intermediate would exceed CHUNK_ABOVE_BYTES for the whole
# batch; each chunk's largest intermediate is then about CHUNK_BYTES (fits in L3, and big
# enough that the convolution's matrix products stay efficient).
CHUNK_ABOVE_BYTES = 64 << 20
CHUNK_BYTES = 16 << 20


class Fusions:
    """kernels: {head op: (callable, extra input tensors)}, where the callable takes the head's
    value inputs followed by the extra ones; into: {absorbed op: head op};
    result: {head op: the op whose output the head's call returns}."""

    __slots__ = ("kernels", "into", "result")

    def __init__(self):
        self.kernels, self.into, self.result = {}, {}, {}

    def add(self, ops, kernel, extra_inputs=()):
        self.kernels[ops[0]] = (kernel, list(extra_inputs))
        self.result[ops[0]] = ops[-1]
        for op in ops[1:]:
            self.into[op] = ops[0]


def find(session, order, value_inputs, pinned, maybe_dead, available_before):
    """The fusions for a plan.

    value_inputs(op): the inputs the kernel receives; pinned: tensors that must exist as
    values (fetched, fed, folded); maybe_dead: ops that may see tf.cond's dead values (never
    fused); available_before(tensor, op): the tensor's value exists before `op` runs (a
    chain's later ops receive their other inputs at the head's call).
    """
    fusions = Fusions()
    readers = {}
    for op in order:
        for t in value_inputs(op):
            readers.setdefault(t, []).append(op)

    def next_in_group(op):
        """The single reader of op's output, if nobody else can see that output."""
        if len(op.outputs) != 1 or op in maybe_dead:
            return None
        out = op.outputs[0]
        if out in pinned or len(readers.get(out, ())) != 1 or readers[out][0] in maybe_dead:
            return None
        reader = readers[out][0]
        ins = value_inputs(reader)
        if not ins or ins[0] is not op.outputs[0] or ins.count(op.outputs[0]) != 1:
            return None
        return reader

    for op in order:
        if op in fusions.kernels or op in fusions.into:
            continue
        reader = next_in_group(op)
        rule = reader is not None and PAIRS.get((op.type, reader.type))
        if rule:
            method, same = rule
            if all(value_inputs(reader)[i] is value_inputs(op)[j] for i, j in same.items()):
                fusions.add([op, reader], _bound(getattr(op.op_def, method), op))
                continue
        chain = _per_example_chain(op, next_in_group, value_inputs, available_before)
        if chain:
            extras = [t for member in chain[1:] for t in value_inputs(member)[1:]]
            fusions.add(chain, _chain_kernel(session, chain, value_inputs), extras)
    return fusions


def _bound(function, op):
    attrs = {k: v for k, v in op.attrs.items() if k not in op.op_def.runtime_attrs}
    return functools.partial(function, **attrs) if attrs else function


def _per_example(op):
    return (op.type in PER_EXAMPLE_OPS and op.attrs.get("data_format", "NHWC") == "NHWC"
            and not op.op_def.stateful)


def _per_image_bytes(tensor):
    dims = tensor.shape.as_list() if tensor.shape.ndims else None
    if not dims or any(d is None for d in dims[1:]):
        return None
    return int(np.prod(dims[1:], dtype=np.int64)) * np.dtype(tensor.dtype.as_numpy_dtype).itemsize


def _per_example_chain(head, next_in_group, value_inputs, available_before):
    """The longest per-example chain from `head` worth chunking, or None."""
    if not _per_example(head):
        return None
    chain = [head]
    while True:
        reader = next_in_group(chain[-1])
        if (reader is None or not _per_example(reader)
                or not all(available_before(t, head) for t in value_inputs(reader)[1:])):
            break
        chain.append(reader)
    sizes = [_per_image_bytes(op.outputs[0]) for op in chain]
    if len(chain) < 2 or None in sizes:
        return None
    # Worth it only if the chain ends smaller than it grows in between (a pooling step).
    while len(chain) > 1 and sizes[-1] >= max(sizes[:-1]):
        chain.pop()
        sizes.pop()
    return chain if len(chain) > 1 else None


def _chain_kernel(session, chain, value_inputs):
    """One call running the chain, a slice of the batch at a time when the batch is large."""
    kernels = [chain[0].op_def.bind(chain[0], session)]
    for before, op in zip(chain, chain[1:]):
        # Each op's input is the fresh output of the op before it, only ever read here.
        inplace = op.op_def.compute_inplace is not None and before.type in FRESH_OUTPUT_OPS
        kernels.append(_bound(op.op_def.compute_inplace, op) if inplace
                       else op.op_def.bind(op, session))
    head_arity = len(value_inputs(chain[0]))
    arities = [len(value_inputs(op)) - 1 for op in chain[1:]]
    widest = max(_per_image_bytes(op.outputs[0]) for op in chain[:-1])

    def run_slice(head_values, extras):
        value, at = head_values, 0
        for op, kernel, arity in zip(chain, kernels, [head_arity] + arities):
            args = value if op is chain[0] else (value,) + extras[at:at + arity]
            at += 0 if op is chain[0] else arity
            try:
                value = kernel(*args)
            except errors.OpError as e:
                if e.op is not None:
                    raise
                raise errors.op_error(type(e), op, e.message) from e
            except Exception as e:  # name the op that failed, not the chain's head
                raise errors.op_error(errors.InvalidArgumentError, op,
                                      "%s: %s" % (type(e).__name__, e)) from e
        return value

    def run(*values):
        head_values, extras = values[:head_arity], values[head_arity:]
        images = np.shape(head_values[0])[0] if np.ndim(head_values[0]) else 0
        if images * widest <= CHUNK_ABOVE_BYTES:
            return run_slice(head_values, extras)
        step = max(1, CHUNK_BYTES // widest)
        out = None
        for lo in range(0, images, step):
            part = run_slice((head_values[0][lo:lo + step],) + head_values[1:], extras)
            if out is None:
                out = np.empty((images,) + part.shape[1:], part.dtype)
            out[lo:lo + step] = part
        return out

    return run
