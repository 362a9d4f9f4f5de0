"""Array ops: shapes, reshaping, joining and splitting, reordering, slicing, gathering, padding
and construction (reshape, concat, split, transpose, slice, gather, pad, one_hot, ...).

Each op is declared once (see tinygraph/framework/registry.py): its static shape rule with
TF's messages, its numpy kernel, and its gradient as TF's array_grad.py builds it. The
strided slice behind `x[1:, ::2]` lives in tinygraph/ops/slicing.py.
"""
import builtins
import collections
import numbers

import numpy as np

from tinygraph.framework import dtypes
from tinygraph.framework.constant_value import constant_shape, constant_value
from tinygraph.framework.errors import InvalidArgumentError
from tinygraph.framework.graph import Tensor, convert_to_tensor, get_default_graph
from tinygraph.framework.registry import NotDifferentiable, OpDef, ShapeError, register_op
from tinygraph.framework.tensor_shape import Dimension, TensorShape
from tinygraph.ops.op_util import apply_op
from tinygraph.ops.shape_rules import broadcast_shape
from tinygraph.ops.slicing import index_tensors, strided_slice

# The public API this module adds to the `tf` namespace (tinygraph/__init__.py).
__all__ = [
    "boolean_mask",
    "broadcast_to",
    "concat",
    "expand_dims",
    "fill",
    "gather",
    "identity",
    "invert_permutation",
    "meshgrid",
    "one_hot",
    "ones",
    "ones_like",
    "pad",
    "range",
    "rank",
    "reshape",
    "reverse",
    "reverse_v2",
    "sequence_mask",
    "shape",
    "shape_n",
    "size",
    "slice",
    "split",
    "squeeze",
    "stack",
    "stop_gradient",
    "strided_slice",
    "tile",
    "transpose",
    "unique",
    "unstack",
    "where",
    "zeros",
    "zeros_like",
    "pack",
    "unpack",
]


# ----------------------------------------------------------------------------------------
# Helpers shared by the shape rules and kernels
# ----------------------------------------------------------------------------------------
def _invalid(message):
    """A runtime error from a kernel; the executor adds the op's name and the user's line."""
    return InvalidArgumentError(None, None, message)


def _bracket(dims):
    """`[4,?]`: how TF's shape-function messages print a list of dims."""
    return "[%s]" % ",".join("?" if d is None else str(d) for d in dims)


def _check_rank(shape, rank):
    if shape.ndims is not None and shape.ndims != rank:
        raise ShapeError("Shape must be rank %d but is rank %d" % (rank, shape.ndims))


def _merge_dims(a, b):
    """Merge two lists of dims (None = unknown) with TF's message for a mismatch."""
    merged = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x is not None and y is not None and x != y:
            raise ShapeError("Dimension %d in both shapes must be equal, but are %d and %d. "
                             "Shapes are %s and %s." % (i, x, y, _bracket(a), _bracket(b)))
        merged.append(x if x is not None else y)
    return merged


def _static_ints(tensor):
    """The value of a small int tensor as a list of ints, or None if unknown when building."""
    value = constant_value(tensor)
    return None if value is None else [int(v) for v in np.asarray(value).reshape(-1)]


def _single_or_tuple(arrays):
    """A kernel returns its output array itself when the op has one output, else a tuple."""
    arrays = tuple(arrays)
    return arrays[0] if len(arrays) == 1 else arrays


def _is_tensorlike(value):
    return isinstance(value, Tensor) or hasattr(value, "_as_graph_tensor")


def _has_tensor(value):
    """Whether a (nested) list holds a Tensor somewhere, so it cannot become one Const."""
    if isinstance(value, (list, tuple)):
        return any(_has_tensor(v) for v in value)
    return _is_tensorlike(value)


# ----------------------------------------------------------------------------------------
# Identity and the shape of a tensor
# ----------------------------------------------------------------------------------------
@register_op("Identity")
class Identity(OpDef):
    def infer(inputs):
        return inputs[0].shape, inputs[0].dtype

    def compute(x):
        return x

    def grad(op, dy):
        return [dy]


@register_op("StopGradient")
class StopGradient(OpDef):
    grad = NotDifferentiable

    def infer(inputs):
        return inputs[0].shape, inputs[0].dtype

    def compute(x):
        return x


@register_op("Shape")
class Shape(OpDef):
    grad = NotDifferentiable

    def infer(inputs, out_type=dtypes.int32):
        ndims = inputs[0].shape.ndims
        return TensorShape([ndims]), out_type

    def compute(x, out_type=dtypes.int32):
        return np.array(np.shape(x), dtype=out_type.as_numpy_dtype)


@register_op("ShapeN")
class ShapeN(OpDef):
    """The shapes of several tensors at once (concat's gradient needs all of them)."""

    grad = NotDifferentiable

    def infer(inputs, out_type=dtypes.int32):
        return [(TensorShape([t.shape.ndims]), out_type) for t in inputs]

    def compute(*xs, out_type=dtypes.int32):
        return _single_or_tuple(np.array(np.shape(x), dtype=out_type.as_numpy_dtype) for x in xs)


@register_op("Size")
class Size(OpDef):
    grad = NotDifferentiable

    def infer(inputs, out_type=dtypes.int32):
        return TensorShape([]), out_type

    def compute(x, out_type=dtypes.int32):
        return np.array(np.size(x), dtype=out_type.as_numpy_dtype)


@register_op("Rank")
class Rank(OpDef):
    grad = NotDifferentiable

    def infer(inputs):
        return TensorShape([]), dtypes.int32

    def compute(x):
        return np.array(np.ndim(x), dtype=np.int32)


# ----------------------------------------------------------------------------------------
# Reshaping: Reshape, ExpandDims, Squeeze
# ----------------------------------------------------------------------------------------
def _reshape_static(in_shape, target):
    """TF's Reshape shape rule. `target`: the requested dims, -1 or None where unknown.

    With one unknown output dim and a fully known input, the unknown dim is inferred (and
    must divide evenly); with no unknown output dims, the element counts must agree.
    """
    if target is None:
        return TensorShape(None)
    for d in target:
        if d is not None and d < -1:
            raise ShapeError("Invalid value in tensor used for shape: %d" % d)
    dims = [None if d is None or d == -1 else d for d in target]
    if in_shape.ndims is None:
        return TensorShape(dims)
    n_in = int(np.prod([d for d in in_shape.as_list() if d is not None], dtype=np.int64))
    unknown_in = in_shape.as_list().count(None)
    unknown = [i for i, d in enumerate(dims) if d is None]
    n_out = int(np.prod([d for d in dims if d is not None], dtype=np.int64))
    if unknown_in:
        # One unknown input dim and a known output: that dim must make the sizes agree.
        if unknown_in == 1 and not unknown and n_in > 0 and n_out % n_in:
            raise ShapeError("Dimension size must be evenly divisible by %d but is %d"
                             % (n_in, n_out))
        return TensorShape(dims)
    if not unknown and n_in != n_out:
        raise ShapeError("Cannot reshape a tensor with %d elements to shape %s (%d elements)"
                         % (n_in, _bracket(dims), n_out))
    if len(unknown) == 1 and n_out > 0:
        if n_in % n_out:
            raise ShapeError("Dimension size must be evenly divisible by %d but is %d"
                             % (n_out, n_in))
        dims[unknown[0]] = n_in // n_out
    return TensorShape(dims)


def _reshape_error(x, shape):
    """TF's message for a runtime reshape that cannot work (numpy already refused it)."""
    target = [int(s) for s in np.reshape(shape, -1)]
    n = np.size(x)
    unknown = [i for i, d in enumerate(target) if d == -1]
    if len(unknown) > 1:
        raise _invalid("Only one input size may be -1, not both %d and %d"
                       % (unknown[0], unknown[1]))
    for i, d in enumerate(target):
        if d < -1:
            raise _invalid("Size %d must be non-negative, not %d" % (i, d))
    known = int(np.prod([d for d in target if d != -1], dtype=np.int64))
    if unknown:
        if known == 0:
            raise _invalid("Reshape cannot infer the missing input size for an empty tensor "
                           "unless all specified input sizes are non-zero")
        if n % known:
            raise _invalid("Input to reshape is a tensor with %d values, but the requested "
                           "shape requires a multiple of %d" % (n, known))
    elif known != n:
        raise _invalid("Input to reshape is a tensor with %d values, but the requested "
                       "shape has %d" % (n, known))


@register_op("Reshape")
class Reshape(OpDef):
    def infer(inputs):
        x, shape_t = inputs
        _check_rank(shape_t.shape, 1)
        target = _static_ints(shape_t)
        if target is None:
            target = constant_shape(shape_t)
        return _reshape_static(x.shape, target), x.dtype

    def compute(x, shape):
        # Hot path: let numpy try first; build TF's message only when it refuses.
        try:
            return np.reshape(x, shape.tolist())
        except ValueError:
            _reshape_error(x, shape)
            raise

    def grad(op, dy):
        return [reshape(dy, shape(op.inputs[0])), None]


@register_op("ExpandDims")
class ExpandDims(OpDef):
    def infer(inputs):
        x, axis = inputs
        value = _static_ints(axis)
        if value is None or x.shape.ndims is None:
            return TensorShape(None), x.dtype
        dims = x.shape.as_list()
        a, rank = value[0], len(dims)
        if not -rank - 1 <= a <= rank:
            raise ShapeError("dim %d not in the interval [%d, %d]." % (a, -rank - 1, rank))
        a = a % (rank + 1)
        return TensorShape(dims[:a] + [1] + dims[a:]), x.dtype

    def compute(x, axis):
        return np.expand_dims(x, int(np.asarray(axis).reshape(-1)[0]))

    def grad(op, dy):
        return [reshape(dy, shape(op.inputs[0])), None]


@register_op("Squeeze")
class Squeeze(OpDef):
    """Drop dims of size 1: the listed ones (which must be 1), or all that are known to be 1."""

    def infer(inputs, squeeze_dims=()):
        (x,) = inputs
        if x.shape.ndims is None:
            return TensorShape(None), x.dtype
        dims = x.shape.as_list()
        rank = len(dims)
        chosen = set()
        for i, a in enumerate(squeeze_dims):
            if not -rank <= a < rank:
                raise ShapeError("squeeze_dims[%d] not in [%d,%d)." % (i, -rank, rank))
            chosen.add(a % rank)
        out = []
        for i, d in enumerate(dims):
            if chosen:
                if i in chosen:
                    if d is not None and d != 1:
                        raise ShapeError("Can not squeeze dim[%d], expected a dimension of 1, "
                                         "got %d" % (i, d))
                    continue
            elif d is None:
                return TensorShape(None), x.dtype  # it may or may not be squeezed away
            elif d == 1:
                continue
            out.append(d)
        return TensorShape(out), x.dtype

    def compute(x, squeeze_dims=()):
        x = np.asarray(x)
        axes = tuple(a % x.ndim for a in squeeze_dims)
        for a in axes:
            if x.shape[a] != 1:
                raise _invalid("Can not squeeze dim[%d], expected a dimension of 1, got %d"
                               % (a, x.shape[a]))
        return np.squeeze(x, axis=axes or None)

    def grad(op, dy):
        return [reshape(dy, shape(op.inputs[0]))]


# ----------------------------------------------------------------------------------------
# Joining and splitting: Pack, Unpack, ConcatV2, Split, SplitV
# ----------------------------------------------------------------------------------------
@register_op("Pack")
class Pack(OpDef):
    def infer(inputs, axis=0):
        dims = None
        for t in inputs:
            if t.dtype.base_dtype is not inputs[0].dtype.base_dtype:
                raise ShapeError("Pack expects all inputs of one dtype, got %s and %s"
                                 % (inputs[0].dtype.name, t.dtype.name))
            if t.shape.ndims is None:
                continue
            if dims is not None and len(dims) != t.shape.ndims:
                raise ShapeError("Shapes must be equal rank, but are %d and %d"
                                 % (len(dims), t.shape.ndims))
            dims = t.shape.as_list() if dims is None else _merge_dims(dims, t.shape.as_list())
        if dims is None:
            return TensorShape(None), inputs[0].dtype.base_dtype
        rank = len(dims) + 1
        if not -rank <= axis < rank:
            raise ShapeError("Invalid axis: %d; must be in [%d,%d)" % (axis, -rank, rank))
        axis %= rank
        return TensorShape(dims[:axis] + [len(inputs)] + dims[axis:]), inputs[0].dtype.base_dtype

    def compute(*values, axis=0):
        return np.stack(values, axis=axis)

    def grad(op, dy):
        return unstack(dy, num=len(op.inputs), axis=op.attrs["axis"])


@register_op("Unpack")
class Unpack(OpDef):
    def infer(inputs, num, axis=0):
        shape = inputs[0].shape
        if shape.ndims is None:
            return [(TensorShape(None), inputs[0].dtype)] * num
        dims = shape.as_list()
        if not -len(dims) <= axis < len(dims):
            raise ShapeError("Invalid axis: %d; must be in [%d,%d)" % (axis, -len(dims), len(dims)))
        axis %= len(dims)
        if dims[axis] is not None and dims[axis] != num:
            raise ShapeError("Dimension must be %d but is %d" % (num, dims[axis]))
        out = TensorShape(dims[:axis] + dims[axis + 1:])
        return [(out, inputs[0].dtype)] * num

    def compute(x, num, axis=0):
        return _single_or_tuple(np.take(x, i, axis=axis) for i in builtins.range(num))

    def grad(op, *dys):
        filled = [dy if dy is not None else zeros_like(t) for dy, t in zip(dys, op.outputs)]
        return [stack(filled, axis=op.attrs["axis"])]


@register_op("ConcatV2")
class ConcatV2(OpDef):
    """Inputs: the N values, then the axis (a negative axis counts from the end)."""

    def infer(inputs):
        values, axis_t = inputs[:-1], inputs[-1]
        _check_rank(axis_t.shape, 0)
        dtype = values[0].dtype.base_dtype
        known = [t.shape.as_list() for t in values if t.shape.ndims is not None]
        if not known:
            return TensorShape(None), dtype
        rank = len(known[0])
        axis = _static_ints(axis_t)
        if axis is not None:
            axis = axis[0]
            min_rank = -axis if axis < 0 else axis + 1
            if rank < min_rank:
                raise ShapeError("Shape must be at least rank %d but is rank %d" % (min_rank, rank))
        for dims in known[1:]:
            if len(dims) != rank:
                raise ShapeError("Shape must be rank %d but is rank %d" % (rank, len(dims)))
        if axis is None:
            return TensorShape([None] * rank), dtype
        axis %= rank
        before, after = known[0][:axis], known[0][axis + 1:]
        middle = 0 if len(known) == len(values) else None
        for dims in known:
            before = _merge_dims(before, dims[:axis])
            after = _merge_dims(after, dims[axis + 1:])
            middle = None if middle is None or dims[axis] is None else middle + dims[axis]
        return TensorShape(before + [middle] + after), dtype

    def compute(*args):
        values, axis = args[:-1], int(args[-1])
        first = np.shape(values[0])
        rank = len(first)
        if rank == 0:
            raise _invalid("ConcatOp : Can't concatenate scalars (use tf.stack instead)")
        if not -rank <= axis < rank:
            raise _invalid("ConcatOp : Expected concatenating dimensions in the range [%d, %d), "
                           "but got %d" % (-rank, rank, axis))
        axis %= rank
        for i, v in enumerate(values[1:], 1):
            s = np.shape(v)
            if len(s) != rank:
                raise _invalid("ConcatOp : Ranks of all input tensors should match: shape[0] = "
                               "%s vs. shape[%d] = %s" % (_bracket(first), i, _bracket(s)))
            for d in builtins.range(rank):
                if d != axis and s[d] != first[d]:
                    raise _invalid("ConcatOp : Dimension %d in both shapes must be equal: "
                                   "shape[0] = %s vs. shape[%d] = %s"
                                   % (d, _bracket(first), i, _bracket(s)))
        return np.concatenate(values, axis=axis)

    def grad(op, dy):
        # Slice each input's part out of dy: offsets from the inputs' shapes (ConcatOffset).
        values, axis = op.inputs[:-1], op.inputs[-1]
        non_negative_axis = axis % rank(values[0])
        sizes = shape_n(values)
        offsets = concat_offset(non_negative_axis, sizes)
        grads = [slice(dy, begin, size_) for begin, size_ in zip(offsets, sizes)]
        for g, x in zip(grads, values):
            g.set_shape(x.shape)  # TF's shape inference evaluates the offsets; we say it
        return grads + [None]


@register_op("ConcatOffset")
class ConcatOffset(OpDef):
    """Where each of N concatenated shapes starts in the result (zeros except along axis)."""

    grad = NotDifferentiable

    def infer(inputs):
        return [(t.shape, t.dtype) for t in inputs[1:]]

    def compute(axis, *shapes):
        axis = int(axis)
        if not 0 <= axis < len(shapes[0]):
            raise _invalid("Concat dim is out of range: %d vs. %d" % (axis, len(shapes[0])))
        offsets, start = [], 0
        for s in shapes:
            offset = np.zeros_like(s)
            offset[axis] = start
            start += int(s[axis])
            offsets.append(offset)
        return _single_or_tuple(offsets)


def _split_axis(x, axis_t):
    """The static, non-negative split axis, or None; checks it against x's rank."""
    axis = _static_ints(axis_t)
    if axis is None or x.shape.ndims is None:
        return None
    rank = x.shape.ndims
    if not -rank <= axis[0] < rank:
        raise ShapeError("Dimension size, given by scalar input %d must be in range [%d, %d)"
                         % (axis[0], -rank, rank))
    return axis[0] % rank


@register_op("Split")
class Split(OpDef):
    """Split into num_split equal parts along an axis (inputs: axis first, then the value)."""

    def infer(inputs, num_split):
        axis_t, x = inputs
        axis = _split_axis(x, axis_t)
        if x.shape.ndims is None:
            return [(TensorShape(None), x.dtype)] * num_split
        dims = x.shape.as_list()
        if axis is None:
            return [(TensorShape([None] * len(dims)), x.dtype)] * num_split
        if dims[axis] is not None:
            if dims[axis] % num_split:
                raise ShapeError("Dimension size must be evenly divisible by %d but is %d"
                                 % (num_split, dims[axis]))
            dims[axis] //= num_split
        return [(TensorShape(dims), x.dtype)] * num_split

    def compute(axis, x, num_split):
        axis = int(axis) % np.ndim(x)
        n = np.shape(x)[axis]
        if n % num_split:
            raise _invalid("Number of ways to split should evenly divide the split dimension, "
                           "but got split_dim %d (size = %d) and num_split %d"
                           % (axis, n, num_split))
        return _single_or_tuple(np.split(x, num_split, axis=axis))

    def grad(op, *dys):
        return [None, concat(list(dys), op.inputs[0])]


@register_op("SplitV")
class SplitV(OpDef):
    """Split into parts of the given sizes; one size may be -1 (whatever is left)."""

    def infer(inputs, num_split):
        x, sizes_t, axis_t = inputs
        axis = _split_axis(x, axis_t)
        if x.shape.ndims is None:
            return [(TensorShape(None), x.dtype)] * num_split
        dims = x.shape.as_list()
        sizes = _static_ints(sizes_t)
        if axis is None or sizes is None:
            if axis is not None:
                dims[axis] = None
            else:
                dims = [None] * len(dims)
            return [(TensorShape(dims), x.dtype)] * num_split
        if sizes.count(-1) > 1:
            raise ShapeError("size_splits can only have one -1")
        n, known = dims[axis], builtins.sum(s for s in sizes if s != -1)
        if n is not None and (known > n or (-1 not in sizes and known != n)):
            raise ShapeError("can't split axis of size %d into pieces of size %s"
                             % (n, _bracket(sizes)))
        outputs = []
        for s in sizes:
            if s == -1:
                s = None if n is None else n - known
            outputs.append((TensorShape(dims[:axis] + [s] + dims[axis + 1:]), x.dtype))
        return outputs

    def compute(x, sizes, axis, num_split):
        axis = int(axis) % np.ndim(x)
        n = np.shape(x)[axis]
        sizes = [int(s) for s in sizes]
        known = builtins.sum(s for s in sizes if s != -1)
        if known > n or (-1 not in sizes and known != n):
            raise _invalid("Determined shape must either match input shape along split_dim "
                           "exactly if fully specified, or be less than the size of the input "
                           "along split_dim if not fully specified.  Got: %d" % known)
        sizes = [n - known if s == -1 else s for s in sizes]
        return _single_or_tuple(np.split(x, np.cumsum(sizes)[:-1], axis=axis))

    def grad(op, *dys):
        return [concat(list(dys), op.inputs[2]), None, None]


# ----------------------------------------------------------------------------------------
# Reordering: Transpose, InvertPermutation, ReverseV2
# ----------------------------------------------------------------------------------------
@register_op("Transpose")
class Transpose(OpDef):
    def infer(inputs):
        x, perm_t = inputs
        _check_rank(perm_t.shape, 1)
        n = perm_t.shape[0].value if perm_t.shape.ndims == 1 else None
        rank = x.shape.ndims
        if rank is not None and n is not None and rank != n:
            raise ShapeError("Dimension must be %d but is %d" % (rank, n))
        rank = rank if rank is not None else n
        if rank is None:
            return TensorShape(None), x.dtype
        perm = _static_ints(perm_t)
        if perm is None:
            return TensorShape([None] * rank), x.dtype
        dims = x.shape.as_list() if x.shape.ndims is not None else [None] * rank
        for p in perm:
            if not 0 <= p < rank:
                raise ShapeError("perm dim %d is out of range of input rank %d" % (p, rank))
        return TensorShape([dims[p] for p in perm]), x.dtype

    def compute(x, perm):
        perm = [int(p) for p in perm]
        rank = np.ndim(x)
        if len(perm) != rank:
            raise _invalid("transpose expects a vector of size %d. But input(1) is a vector of "
                           "size %d" % (rank, len(perm)))
        _check_permutation(perm)
        # A real copy in the new order, as TF makes: later kernels get contiguous arrays.
        return np.array(np.transpose(x, perm), order="C")  # (ascontiguousarray makes 0-d 1-d)

    def grad(op, dy):
        dx = transpose(dy, invert_permutation(op.inputs[1]))
        dx.set_shape(op.inputs[0].shape)  # TF's shape inference evaluates the inverse perm
        return [dx, None]


def _check_permutation(perm):
    n = len(perm)
    for p in perm:
        if not 0 <= p < n:
            raise _invalid("%d is out of range [0 .. %d)" % (p, n))
    missing = sorted(set(builtins.range(n)) - set(perm))
    if missing:
        raise _invalid("%d is missing from {%s}." % (missing[0], ",".join(map(str, perm))))


@register_op("InvertPermutation")
class InvertPermutation(OpDef):
    grad = NotDifferentiable

    def infer(inputs):
        _check_rank(inputs[0].shape, 1)
        return inputs[0].shape, inputs[0].dtype

    def compute(perm):
        perm = np.asarray(perm)
        _check_permutation([int(p) for p in perm])
        inverse = np.empty_like(perm)
        inverse[perm] = np.arange(len(perm), dtype=perm.dtype)
        return inverse


def _reverse_axes(axes, rank, error):
    """Non-negative reverse axes, checked with TF's messages."""
    result = []
    for i, a in enumerate(axes):
        if not -rank <= a < rank:
            raise error("'axis'[%d] = %d is out of valid range [0, %d" % (i, a, rank - 1))
        a %= rank
        if a in result:
            raise error("axis %d specified more than once." % a)
        result.append(a)
    return result


@register_op("ReverseV2")
class ReverseV2(OpDef):
    def infer(inputs):
        x, axis_t = inputs
        _check_rank(axis_t.shape, 1)
        axes = _static_ints(axis_t)
        if axes is not None and x.shape.ndims is not None:
            _reverse_axes(axes, x.shape.ndims, ShapeError)
        return x.shape, x.dtype

    def compute(x, axis):
        axes = _reverse_axes([int(a) for a in np.reshape(axis, -1)], np.ndim(x), _invalid)
        return np.flip(x, axis=tuple(axes)) if axes else x

    def grad(op, dy):
        return [reverse(dy, op.inputs[1]), None]


# ----------------------------------------------------------------------------------------
# Slicing and gathering: Slice, GatherV2, UnsortedSegmentSum (StridedSlice: slicing.py)
# ----------------------------------------------------------------------------------------
@register_op("Slice")
class Slice(OpDef):
    """`size[i]` elements from `begin[i]` in each dim; size -1 means "to the end"."""

    def infer(inputs):
        x, begin_t, size_t = inputs
        _check_rank(begin_t.shape, 1)
        _check_rank(size_t.shape, 1)
        lengths = [t.shape[0].value if t.shape.ndims == 1 else None for t in (begin_t, size_t)]
        _merge_dims(lengths[:1], lengths[1:])
        n = lengths[0] if lengths[0] is not None else lengths[1]
        if n is not None:
            _check_rank(x.shape, n)
        begin = constant_shape(begin_t)
        sizes = _static_ints(size_t)
        if sizes is None:  # what is known of the sizes (-1 entries stay unknown)
            sizes = constant_shape(size_t)
            if sizes is not None:
                return TensorShape(sizes), x.dtype
            return TensorShape(None if x.shape.ndims is None else [None] * x.shape.ndims), x.dtype
        dims = x.shape.as_list() if x.shape.ndims is not None else [None] * len(sizes)
        out = []
        for i, s in enumerate(sizes):
            if s != -1:
                out.append(s)
                continue
            b = None if begin is None else begin[i]
            if dims[i] is None or b is None:
                out.append(None)
            elif dims[i] < b:
                raise ShapeError("Negative dimension size caused by subtracting %d from %d"
                                 % (b, dims[i]))
            else:
                out.append(dims[i] - b)
        return TensorShape(out), x.dtype

    def compute(x, begin, size):
        shape_ = np.shape(x)
        if len(begin) != len(shape_) or len(size) != len(shape_):
            raise _invalid("Expected begin and size arguments to be 1-D tensors of size %d, but "
                           "got shapes [%d] and [%d] instead."
                           % (len(shape_), len(begin), len(size)))
        index = []
        for i, (b, s, n) in enumerate(zip(begin, size, shape_)):
            b, s = int(b), int(s)
            if not 0 <= b <= n:
                raise _invalid("Expected begin[%d] in [0, %d], but got %d" % (i, n, b))
            if s == -1:
                s = n - b
            if not 0 <= s <= n - b:
                raise _invalid("Expected size[%d] in [0, %d], but got %d" % (i, n - b, s))
            index.append(builtins.slice(b, b + s))
        return np.asarray(x)[tuple(index)]

    def grad(op, dy):
        # Pad dy with zeros back to the input's shape: begin before, the rest after.
        x, begin = op.inputs[0], op.inputs[1]
        input_rank = rank(x)
        slice_size = shape(op.outputs[0], out_type=begin.dtype)
        column = stack([input_rank, 1])
        before = reshape(begin, column)
        after = reshape(shape(x, out_type=begin.dtype) - slice_size - begin, column)
        dx = pad(dy, concat([before, after], 1))
        dx.set_shape(x.shape)
        return [dx, None, None]


@register_op("GatherV2")
class GatherV2(OpDef):
    """params[..., indices, ...]: the slices at `indices` along `axis`."""

    def infer(inputs, batch_dims=0):
        params, indices, axis_t = inputs
        p_rank, i_rank = params.shape.ndims, indices.shape.ndims
        axis = _static_ints(axis_t)
        if axis is None:
            if p_rank is None or i_rank is None:
                return TensorShape(None), params.dtype
            return TensorShape([None] * (p_rank + i_rank - 1)), params.dtype
        axis = axis[0]
        if p_rank is None:
            return TensorShape(None), params.dtype
        min_rank = -axis if axis < 0 else axis + 1
        if p_rank < min_rank:
            raise ShapeError("Shape must be at least rank %d but is rank %d" % (min_rank, p_rank))
        if i_rank is None:
            return TensorShape(None), params.dtype
        axis %= p_rank
        dims = params.shape.as_list()
        return TensorShape(dims[:axis] + indices.shape.as_list() + dims[axis + 1:]), params.dtype

    def compute(params, indices, axis, batch_dims=0):
        rank = np.ndim(params)
        axis = int(axis)
        if not -rank <= axis < rank:
            raise _invalid("Expected axis in the range [%d, %d), but got %d" % (-rank, rank, axis))
        axis %= rank
        indices = np.asarray(indices)
        _check_indices(indices, np.shape(params)[axis], "indices", "not in [0, %d)")
        return np.take(params, indices, axis=axis)

    def grad(op, dy):
        # Dense: add each row of dy into the row of params it was gathered from.
        params, indices, axis_t = op.inputs
        axis = _static_ints(axis_t)
        if axis is None or (axis[0] != 0 and params.shape.ndims is None):
            raise NotImplementedError("The gradient of gather needs an axis and (unless it is 0) "
                                      "a rank of params known when the graph is built.")
        axis = axis[0] % builtins.max(params.shape.ndims or 1, 1)
        params_shape = shape(params)
        # dy has shape params[:axis] + indices.shape + params[axis+1:]: flatten the indices.
        indices_size = expand_dims(size(indices), 0)
        if axis == 0:
            values = reshape(dy, concat([indices_size, params_shape[1:]], 0))
        else:
            values = reshape(dy, concat([params_shape[:axis], indices_size,
                                         params_shape[axis + 1:]], 0))
        flat_indices = reshape(indices, indices_size)
        if axis == 0:
            dparams = unsorted_segment_sum(values, flat_indices, params_shape[0])
        else:  # move the gathered axis to the front, sum the segments, move it back
            order = [axis] + list(builtins.range(axis)) + list(
                builtins.range(axis + 1, params.shape.ndims))
            summed = unsorted_segment_sum(transpose(values, order), flat_indices,
                                          params_shape[axis])
            dparams = transpose(summed, np.argsort(order).astype(np.int32))
        dparams.set_shape(params.shape)
        return [dparams, None, None]


def _check_indices(indices, n, what, bound_message):
    """Every index in [0, n), else TF's message naming the first bad one (indices[1,0] = 9)."""
    bad = (indices < 0) | (indices >= n)
    if np.any(bad):
        first = tuple(np.argwhere(bad)[0])
        raise _invalid(("%s[%s] = %d is " + bound_message)
                       % (what, ",".join(map(str, first)), indices[first], n))


@register_op("UnsortedSegmentSum")
class UnsortedSegmentSum(OpDef):
    """out[segment_ids[i]] += data[i] (rows with a negative id are dropped); the dense
    gradient of gather."""

    def infer(inputs):
        data, ids, num_t = inputs
        n = _static_ints(num_t)
        n = None if n is None else n[0]
        if data.shape.ndims is None or ids.shape.ndims is None:
            return TensorShape(None), data.dtype
        d, i = data.shape.as_list(), ids.shape.as_list()
        if len(d) < len(i) or not TensorShape(d[:len(i)]).is_compatible_with(i):
            raise ShapeError("data.shape = %s does not start with segment_ids.shape = %s"
                             % (_bracket(d), _bracket(i)))
        return TensorShape([n] + d[len(i):]), data.dtype

    def compute(data, ids, num_segments):
        data, ids, n = np.asarray(data), np.asarray(ids), int(num_segments)
        for index in np.argwhere(ids >= n):
            index = tuple(index)
            raise _invalid("segment_ids[%s] = %d is out of range [0, %d)"
                           % (",".join(map(str, index)), ids[index], n))
        out = np.zeros((n,) + data.shape[ids.ndim:], dtype=data.dtype)
        keep = ids >= 0
        np.add.at(out, ids[keep], data[keep])
        return out

    def grad(op, dy):
        return [gather(dy, op.inputs[1]), None, None]


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    return apply_op("UnsortedSegmentSum", [data, segment_ids, num_segments],
                    name=name or "UnsortedSegmentSum",
                    input_names=["data", "segment_ids", "num_segments"])


# ----------------------------------------------------------------------------------------
# Tiling and padding: Tile, Pad, PadV2, MirrorPad, MirrorPadGrad
# ----------------------------------------------------------------------------------------
@register_op("Tile")
class Tile(OpDef):
    def infer(inputs):
        x, multiples_t = inputs
        _check_rank(multiples_t.shape, 1)
        multiples = constant_shape(multiples_t)
        if x.shape.ndims is None:
            return TensorShape(None if multiples is None else [None] * len(multiples)), x.dtype
        dims = x.shape.as_list()
        if multiples is None:
            return TensorShape([None] * len(dims)), x.dtype
        if len(multiples) != len(dims):
            raise ShapeError("Shape must be rank %d but is rank %d" % (len(dims), len(multiples)))
        return TensorShape([None if d is None or m is None else d * m
                            for d, m in zip(dims, multiples)]), x.dtype

    def compute(x, multiples):
        multiples = [int(m) for m in multiples]
        if len(multiples) != np.ndim(x):
            raise _invalid("Expected multiples argument to be a vector of length %d but got "
                           "length %d" % (np.ndim(x), len(multiples)))
        for i, m in enumerate(multiples):
            if m < 0:
                raise _invalid("Expected multiples[%d] >= 0, but got %d" % (i, m))
        return np.tile(x, multiples) if multiples else np.array(x)

    def grad(op, dy):
        # Interleave multiples and input shape ([m0, n0, m1, n1, ...]), view dy with that
        # shape, and sum over the multiples' axes (0, 2, 4, ...).
        x, multiples = op.inputs
        input_shape = shape(x, out_type=multiples.dtype)
        split_shape = reshape(transpose(stack([multiples, input_shape])), [-1])
        axes = range(0, size(split_shape), 2)
        from tinygraph.ops.math_ops import reduce_sum
        dx = reduce_sum(reshape(dy, split_shape), axes)
        dx.set_shape(x.shape)
        return [dx, None]


def _pad_infer(x, paddings_t):
    """TF's shape rule shared by Pad, PadV2 and MirrorPad."""
    p = paddings_t.shape
    _check_rank(p, 2)
    if p.ndims == 2 and p[1].value is not None and p[1].value != 2:
        raise ShapeError("Dimension must be 2 but is %d" % p[1].value)
    n = p[0].value if p.ndims == 2 else None
    if n is not None:
        _check_rank(x.shape, n)
    rank = x.shape.ndims if x.shape.ndims is not None else n
    value = constant_value(paddings_t)
    if value is None:
        return TensorShape(None if rank is None else [None] * rank)
    value = np.asarray(value).reshape(-1, 2)
    if (value < 0).any():
        raise ShapeError("Paddings must be non-negative")
    dims = x.shape.as_list() if x.shape.ndims is not None else [None] * len(value)
    return TensorShape([None if d is None else d + int(a) + int(b)
                        for d, (a, b) in zip(dims, value)])


def _pad_grad(op, dy):
    """Slice the input's part out of dy: it starts at the `before` paddings (column 0)."""
    x, paddings = op.inputs[0], op.inputs[1]
    before = slice(paddings, [0, 0], stack([rank(x), 1]))
    begin = reshape(before, [-1])
    dx = slice(dy, begin, shape(x, out_type=begin.dtype))
    return [dx] + [None] * (len(op.inputs) - 1)


@register_op("Pad")
class Pad(OpDef):
    grad = _pad_grad

    def infer(inputs):
        x, paddings = inputs
        return _pad_infer(x, paddings), x.dtype

    def compute(x, paddings):
        return np.pad(x, np.asarray(paddings, dtype=np.int64))


@register_op("PadV2")
class PadV2(OpDef):
    """Pad with a constant other than 0."""

    grad = _pad_grad

    def infer(inputs):
        x, paddings, value = inputs
        _check_rank(value.shape, 0)
        return _pad_infer(x, paddings), x.dtype

    def compute(x, paddings, constant_values):
        return np.pad(x, np.asarray(paddings, dtype=np.int64), constant_values=constant_values)


def _check_mirror_paddings(shape_, paddings, mode):
    """REFLECT pads must be < the dim (the edge is not repeated), SYMMETRIC pads <= the dim."""
    for (before, after), n in zip(paddings, shape_):
        if mode == "REFLECT" and (before >= n or after >= n):
            raise _invalid("paddings must be less than the dimension size: %d, %d not less than %d"
                           % (before, after, n))
        if mode == "SYMMETRIC" and (before > n or after > n):
            raise _invalid("paddings must be no greater than the dimension size: %d, %d greater "
                           "than %d" % (before, after, n))


@register_op("MirrorPad")
class MirrorPad(OpDef):
    """Pad with a mirror image of the edge: REFLECT [1,2,3] -> [3,2,|1,2,3|,2,1], SYMMETRIC
    (the edge repeated) -> [2,1,|1,2,3|,3,2]."""

    def infer(inputs, mode):
        x, paddings = inputs
        return _pad_infer(x, paddings), x.dtype

    def compute(x, paddings, mode):
        paddings = np.asarray(paddings, dtype=np.int64).reshape(-1, 2)
        _check_mirror_paddings(np.shape(x), paddings, mode)
        return np.pad(x, paddings, mode=mode.lower())

    def grad(op, dy):
        return [mirror_pad_grad(dy, op.inputs[1], op.attrs["mode"]), None]


@register_op("MirrorPadGrad")
class MirrorPadGrad(OpDef):
    """MirrorPad's gradient: each padded cell's gradient is added to the cell it mirrors."""

    def infer(inputs, mode):
        dy, paddings_t = inputs
        value = constant_value(paddings_t)
        if dy.shape.ndims is None:
            return TensorShape(None), dy.dtype
        if value is None:
            return TensorShape([None] * dy.shape.ndims), dy.dtype
        value = np.asarray(value).reshape(-1, 2)
        return TensorShape([None if d is None else d - int(a) - int(b)
                            for d, (a, b) in zip(dy.shape.as_list(), value)]), dy.dtype

    def compute(dy, paddings, mode):
        # REFLECT skips the edge when mirroring, SYMMETRIC repeats it: a shift of one cell.
        shift = 1 if mode == "REFLECT" else 0
        result = np.asarray(dy)
        for axis, (before, after) in enumerate(np.asarray(paddings, dtype=np.int64).reshape(-1, 2)):
            g = np.moveaxis(result, axis, 0)
            n = g.shape[0] - before - after
            core = g[before:before + n].copy()
            # Padded cell i (i < before) mirrors cell before-1-i+shift of the core, and the
            # j-th cell after it mirrors cell n-1-j-shift.
            np.add.at(core, before - 1 - np.arange(before) + shift, g[:before])
            np.add.at(core, n - 1 - np.arange(after) - shift, g[before + n:])
            result = np.moveaxis(core, 0, axis)
        return np.ascontiguousarray(result)

    def grad(op, ddx):
        return [apply_op("MirrorPad", [ddx, op.inputs[1]], {"mode": op.attrs["mode"]}), None]


def mirror_pad_grad(dy, paddings, mode, name=None):
    return apply_op("MirrorPadGrad", [dy, paddings], {"mode": mode}, name=name or "MirrorPadGrad",
                    input_names=["input", "paddings"])


# ----------------------------------------------------------------------------------------
# Construction: Fill, ZerosLike, OnesLike, OneHot, Select, Where, Range, Unique
# ----------------------------------------------------------------------------------------
@register_op("Fill")
class Fill(OpDef):
    def infer(inputs):
        dims, value = inputs
        return TensorShape(constant_shape(dims)), value.dtype

    def compute(dims, value):
        return np.full(tuple(dims), value, dtype=np.asarray(value).dtype)

    def grad(op, dy):
        return [None, reduce_sum_all(dy)]


@register_op("ZerosLike")
class ZerosLike(OpDef):
    grad = NotDifferentiable

    def infer(inputs):
        return inputs[0].shape, inputs[0].dtype

    def compute(x):
        return np.zeros_like(x)


@register_op("OnesLike")
class OnesLike(OpDef):
    grad = NotDifferentiable

    def infer(inputs):
        return inputs[0].shape, inputs[0].dtype

    def compute(x):
        return np.ones_like(x)


@register_op("OneHot")
class OneHot(OpDef):
    """on_value where indices[...] == position along the new axis, off_value elsewhere
    (an index outside [0, depth) gives a row of off_value)."""

    grad = NotDifferentiable

    def infer(inputs, axis=-1):
        indices, depth_t, on_value, off_value = inputs
        if axis < -1:
            raise ShapeError("axis must be >= -1")
        if indices.shape.ndims is None:
            return TensorShape(None), on_value.dtype
        depth = _static_ints(depth_t)
        dims = indices.shape.as_list()
        new_rank = len(dims) + 1
        position = (axis + new_rank) % new_rank  # TF's rule, even for an axis out of range
        dims.insert(position, None if depth is None else depth[0])
        return TensorShape(dims), on_value.dtype

    def compute(indices, depth, on_value, off_value, axis=-1):
        indices, depth = np.asarray(indices), int(depth)
        if not (axis == -1 or 0 <= axis <= indices.ndim):
            raise _invalid("Expected axis to be -1 or between [0, %d).  But received: %d"
                           % (indices.ndim + 1, axis))
        if depth < 0:
            raise _invalid("depth must be non-negative, got: %d" % depth)
        hot = indices[..., np.newaxis] == np.arange(depth)
        out = np.where(hot, on_value, off_value).astype(np.asarray(on_value).dtype, copy=False)
        return out if axis == -1 else np.ascontiguousarray(np.moveaxis(out, -1, axis))


@register_op("Select")
class Select(OpDef):
    """tf.where(cond, x, y): elementwise choice (cond may also be a vector over the rows)."""

    def infer(inputs):
        cond, x, y = inputs
        if x.dtype is not y.dtype:
            raise ShapeError("Input dtypes %s and %s do not match" % (x.dtype.name, y.dtype.name))
        return broadcast_shape(x.shape, y.shape), x.dtype

    def compute(cond, x, y):
        if cond.ndim == 1 and np.ndim(x) > 1:
            cond = cond.reshape((-1,) + (1,) * (np.ndim(x) - 1))
        return np.where(cond, x, y)

    def grad(op, dy):
        cond = op.inputs[0]
        zeros = zeros_like(dy)
        return [None, where(cond, dy, zeros), where(cond, zeros, dy)]


@register_op("Where")
class WhereIndices(OpDef):
    """tf.where(cond) with one argument: the coordinates of the true elements."""

    grad = NotDifferentiable

    def infer(inputs):
        ndims = inputs[0].shape.ndims
        return TensorShape([None, ndims]), dtypes.int64

    def compute(cond):
        return np.argwhere(cond).astype(np.int64)


@register_op("Range")
class Range(OpDef):
    grad = NotDifferentiable

    def infer(inputs):
        start, limit, delta = (constant_value(t) for t in inputs)
        if start is None or limit is None or delta is None:
            return TensorShape([None]), inputs[0].dtype
        n = builtins.max(int(np.ceil((float(limit) - float(start)) / float(delta))), 0)
        return TensorShape([n]), inputs[0].dtype

    def compute(start, limit, delta):
        return np.arange(start, limit, delta, dtype=np.asarray(start).dtype)


@register_op("Unique")
class Unique(OpDef):
    """The distinct values of a vector in order of first appearance, and for each element
    the position of its value among them."""

    def infer(inputs, out_idx=dtypes.int32):
        (x,) = inputs
        _check_rank(x.shape, 1)
        return [(TensorShape([None]), x.dtype), (x.shape, out_idx)]

    def compute(x, out_idx=dtypes.int32):
        values, first, inverse = np.unique(x, return_index=True, return_inverse=True)
        order = np.argsort(first)  # np.unique sorts; TF keeps the order of first appearance
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        return values[order], position[inverse.reshape(-1)].astype(out_idx.as_numpy_dtype)


# ----------------------------------------------------------------------------------------
# Public wrappers
# ----------------------------------------------------------------------------------------
def identity(input, name=None):  # noqa: A002
    if hasattr(input, "_as_graph_tensor"):
        input = input._as_graph_tensor()
    return apply_op("Identity", [input], name=name, input_names=["input"])


def stop_gradient(input, name=None):  # noqa: A002
    return apply_op("StopGradient", [input], name=name, input_names=["input"])


def _folded(op_type, input, name, static, out_type=dtypes.int32):  # noqa: A002
    """tf.shape/size/rank as TF builds them: a Const when the answer is known statically
    (`static(shape)` is not None), else the op."""
    graph = get_default_graph()
    with graph.name_scope(name or op_type) as scope:
        x = convert_to_tensor(input, name="input")
        value = static(x.shape)
        if value is not None:
            return convert_to_tensor(np.array(value, dtype=out_type.as_numpy_dtype), name=scope)
        attrs = {} if op_type == "Rank" else {"out_type": out_type}
        return graph.create_op(op_type, [x], attrs, name=scope[:-1], exact_name=True).outputs[0]


def shape(input, name=None, out_type=dtypes.int32):  # noqa: A002
    return _folded("Shape", input, name,
                   lambda s: s.as_list() if s.is_fully_defined() else None,
                   dtypes.as_dtype(out_type))


def shape_n(input, out_type=dtypes.int32, name=None):  # noqa: A002
    """tf.shape_n: the shapes of a list of tensors (a list of int vectors)."""
    graph = get_default_graph()
    with graph.name_scope(name or "ShapeN") as scope:
        inputs = _convert_value_list(list(input), "ShapeN", "input")
        op = graph.create_op("ShapeN", inputs, {"out_type": dtypes.as_dtype(out_type)},
                             name=scope[:-1], exact_name=True)
    return list(op.outputs)


def size(input, name=None, out_type=dtypes.int32):  # noqa: A002
    return _folded("Size", input, name, lambda s: s.num_elements(), dtypes.as_dtype(out_type))


def rank(input, name=None):  # noqa: A002
    return _folded("Rank", input, name, lambda s: s.ndims)


def _shape_tensor(shape_value, name):
    if isinstance(shape_value, Tensor):
        return shape_value
    if isinstance(shape_value, TensorShape):
        shape_value = shape_value.as_list()
    if isinstance(shape_value, (list, tuple)) and any(isinstance(s, Tensor) for s in shape_value):
        return stack([s if isinstance(s, Tensor) else convert_to_tensor(s, dtype=dtypes.int32)
                      for s in shape_value], name=name)
    if isinstance(shape_value, (list, tuple)):
        shape_value = [_dim_int(s) for s in shape_value]
    return convert_to_tensor(np.asarray(shape_value, dtype=np.int32), name=name)


def _dim_int(d):
    """A shape entry as an int: Dimensions unwrap, None (unknown) becomes -1."""
    d = d.value if isinstance(d, Dimension) else d
    return -1 if d is None else int(d)


def reshape(tensor, shape, name=None):  # noqa: F811 - TF's parameter name
    graph = get_default_graph()
    with graph.name_scope(name or "Reshape") as scope:
        tensor = convert_to_tensor(tensor, name="tensor")
        shape_t = _shape_tensor(shape, "shape")
        op = graph.create_op("Reshape", [tensor, shape_t], name=scope[:-1], exact_name=True)
    return op.outputs[0]


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """tf.squeeze: remove dims of size 1 (all of them, or those in `axis`)."""
    if squeeze_dims is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'squeeze_dims'")
        axis = squeeze_dims
    if axis is None:
        axis = []
    elif np.isscalar(axis):
        axis = [axis]
    return apply_op("Squeeze", [input], {"squeeze_dims": [int(a) for a in axis]},
                    name=name or "Squeeze", input_names=["input"])


def stack(values, axis=0, name="stack"):
    """tf.stack. Like TF, a list with no Tensor in it (axis 0) becomes one Const `stack`;
    otherwise a Pack op, whose Python elements become Consts `stack/1`, ... (TF's names)."""
    if _is_tensorlike(values):
        return convert_to_tensor(values)
    values = list(values)
    if not values:
        raise ValueError("stack requires at least one value")
    if axis == 0 and not _has_tensor(values):
        return convert_to_tensor(values, name=name or "stack")
    graph = get_default_graph()
    with graph.name_scope(name or "stack") as scope:
        dtype = next((convert_to_tensor(v).dtype.base_dtype for v in values if _is_tensorlike(v)),
                     None)
        element_name = (lambda i: str(i)) if axis == 0 else (lambda i: "values_%d" % i)
        tensors = [_to_tensor(v, element_name(i), dtype) for i, v in enumerate(values)]
        ndims = tensors[0].shape.ndims
        if ndims is not None and not -ndims - 1 <= axis < ndims + 1:
            raise ValueError("axis = %d not in [%d, %d)" % (axis, -ndims - 1, ndims + 1))
        op = graph.create_op("Pack", tensors, {"axis": axis}, name=scope[:-1], exact_name=True)
    return op.outputs[0]


pack = stack


def unstack(value, num=None, axis=0, name="unstack"):
    value = convert_to_tensor(value)
    if num is None:
        if value.shape.ndims is None:
            raise ValueError("Cannot infer num from shape %s" % value.shape)
        num = value.shape[axis].value
        if num is None:
            raise ValueError("Cannot infer num from shape %s" % value.shape)
    result = apply_op("Unpack", [value], {"num": num, "axis": axis}, name=name)
    return result if isinstance(result, list) else [result]


unpack = unstack


def _to_tensor(value, name, dtype=None):
    """convert_to_tensor that also packs nested lists holding Tensors ([[1, 1], [0, n]])."""
    if _is_tensorlike(value):
        return convert_to_tensor(value)
    if _has_tensor(value):
        return stack(value, name=name)
    return convert_to_tensor(value, dtype=dtype, name=name)


def _convert_value_list(values, op_type, input_name="values"):
    """A list input of one type (ConcatV2's `values`): converted one by one, as TF does,
    then checked to share a dtype."""
    tensors = [convert_to_tensor(v) if _is_tensorlike(v)
               else convert_to_tensor(v, name="%s_%d" % (input_name, i))
               for i, v in enumerate(values)]
    types = [t.dtype.base_dtype for t in tensors]
    if any(t is not types[0] for t in types):
        raise TypeError("Tensors in list passed to '%s' of '%s' Op have types [%s] that "
                        "don't all match."
                        % (input_name, op_type, ", ".join(t.name for t in types)))
    return tensors


def concat(values, axis, name="concat"):
    """tf.concat (ConcatV2). A single value is returned through an Identity named `concat`."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    graph = get_default_graph()
    with graph.name_scope(name or "concat") as scope:
        if len(values) == 1:
            axis_t = convert_to_tensor(axis, dtype=dtypes.int32, name="concat_dim")
            if axis_t.shape.ndims != 0:
                raise ValueError("Shape %s must have rank 0" % axis_t.shape)
            return identity(values[0], name=scope)
        tensors = _convert_value_list(values, "ConcatV2")
        axis_t = axis if isinstance(axis, Tensor) else convert_to_tensor(axis, name="axis")
        op = graph.create_op("ConcatV2", tensors + [axis_t], name=scope[:-1], exact_name=True)
    return op.outputs[0]


def concat_offset(concat_dim, shape, name=None):  # noqa: F811 - TF's parameter name
    result = apply_op("ConcatOffset", [concat_dim] + list(shape), name=name or "ConcatOffset")
    return result if isinstance(result, list) else [result]


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """tf.split: into `num_or_size_splits` equal parts (Split), or parts of the given sizes
    (SplitV, one size may be -1). Returns a list of Tensors."""
    graph = get_default_graph()

    def split_dim():
        return axis if isinstance(axis, Tensor) else convert_to_tensor(axis, dtype=dtypes.int32,
                                                                       name="split_dim")

    if isinstance(num_or_size_splits, (numbers.Integral, Dimension)):
        count = int(num_or_size_splits)
        with graph.name_scope(name or "split") as scope:
            axis_t = split_dim()
            value = convert_to_tensor(value, name="value")
            op = graph.create_op("Split", [axis_t, value], {"num_split": count}, name=scope[:-1],
                                 exact_name=True)
        return list(op.outputs)
    size_splits = convert_to_tensor(num_or_size_splits)
    if size_splits.shape.ndims == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument "
                         "to split. Argument provided: %s" % (num_or_size_splits,))
    if num is None:
        num = size_splits.shape[0].value if size_splits.shape.ndims == 1 else None
        if num is None:
            raise ValueError("Cannot infer num from shape %s" % (num_or_size_splits,))
    with graph.name_scope(name or "split") as scope:
        value = convert_to_tensor(value, name="value")
        op = graph.create_op("SplitV", [value, size_splits, split_dim()], {"num_split": num},
                             name=scope[:-1], exact_name=True)
    return list(op.outputs)


def transpose(a, perm=None, name="transpose", conjugate=False):
    """tf.transpose; without `perm` the dims are reversed (a matrix is transposed)."""
    graph = get_default_graph()
    with graph.name_scope(name or "transpose") as scope:
        a = convert_to_tensor(a, name="a")
        if perm is None:
            if a.shape.ndims is not None:
                perm = np.arange(a.shape.ndims - 1, -1, -1, dtype=np.int32)
            else:
                from tinygraph.ops.math_ops import subtract
                perm = range(subtract(rank(a), 1), -1, -1)
        perm_t = perm if isinstance(perm, Tensor) else convert_to_tensor(
            np.asarray(perm, dtype=np.int32) if not _has_tensor(perm) else perm, name="perm")
        op = graph.create_op("Transpose", [a, perm_t], name=scope[:-1], exact_name=True)
    return op.outputs[0]


def invert_permutation(x, name=None):
    return apply_op("InvertPermutation", [x], name=name or "InvertPermutation", input_names=["x"])


def reverse(tensor, axis, name=None):
    """tf.reverse (ReverseV2): flip the listed axes."""
    graph = get_default_graph()
    with graph.name_scope(name or "ReverseV2") as scope:
        x = convert_to_tensor(tensor, name="tensor")
        axis_t = axis if isinstance(axis, Tensor) else convert_to_tensor(
            np.asarray(axis, dtype=np.int32).reshape(-1), name="axis")
        op = graph.create_op("ReverseV2", [x, axis_t], name=scope[:-1], exact_name=True)
    return op.outputs[0]


reverse_v2 = reverse


def slice(input_, begin, size, name=None):  # noqa: A001 - tf.slice
    """tf.slice: `size[i]` elements from `begin[i]` in each dim (-1: to the end)."""
    graph = get_default_graph()
    with graph.name_scope(name or "Slice") as scope:
        x = convert_to_tensor(input_, name="input")
        tensors = index_tensors([begin, size], ["begin", "size"])
        op = graph.create_op("Slice", [x] + tensors, name=scope[:-1], exact_name=True)
    return op.outputs[0]


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """tf.gather (GatherV2): the slices of params at `indices` along `axis` (default 0)."""
    if batch_dims != 0:
        raise NotImplementedError("tf.gather with batch_dims != 0 is not supported by tinygraph")
    if axis is None:
        axis = 0
    graph = get_default_graph()
    with graph.name_scope(name or "GatherV2") as scope:
        params = convert_to_tensor(params, name="params")
        indices = convert_to_tensor(indices, name="indices")
        axis_t = axis if isinstance(axis, Tensor) else convert_to_tensor(axis, name="axis")
        op = graph.create_op("GatherV2", [params, indices, axis_t], {"batch_dims": 0},
                             name=scope[:-1], exact_name=True)
    return op.outputs[0]


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """tf.one_hot. The dtype comes from `dtype`, else on_value/off_value, else float32."""
    graph = get_default_graph()
    with graph.name_scope(name or "one_hot") as scope:
        dtype = None if dtype is None else dtypes.as_dtype(dtype)
        on_exists, off_exists = on_value is not None, off_value is not None
        if on_exists:
            on_value = convert_to_tensor(on_value, preferred_dtype=dtype)
        if off_exists:
            off_value = convert_to_tensor(off_value, preferred_dtype=dtype)
        on_dtype = on_value.dtype.base_dtype if on_exists else None
        off_dtype = off_value.dtype.base_dtype if off_exists else None
        if on_exists or off_exists:
            if dtype is not None:
                for exists, given, what in ((on_exists, on_dtype, "on_value"),
                                            (off_exists, off_dtype, "off_value")):
                    if exists and given is not dtype:
                        raise TypeError("dtype %s of %s does not match dtype parameter %s"
                                        % (given, what, dtype))
            else:
                dtype = on_dtype if on_exists else off_dtype
        elif dtype is None:
            dtype = dtypes.float32
        if not on_exists:
            on_value, on_dtype = convert_to_tensor(1, dtype=dtype, name="on_value"), dtype
        if not off_exists:
            off_value, off_dtype = convert_to_tensor(0, dtype=dtype, name="off_value"), dtype
        if on_dtype is not off_dtype:
            raise TypeError("dtype %s of on_value does not match dtype %s of off_value"
                            % (on_dtype, off_dtype))
        indices = convert_to_tensor(indices, name="indices")
        if indices.dtype.base_dtype not in (dtypes.uint8, dtypes.int8, dtypes.int32, dtypes.int64):
            raise TypeError("Value passed to parameter 'indices' has DataType %s not in list of "
                            "allowed values: uint8, int8, int32, int64" % indices.dtype.name)
        depth = convert_to_tensor(depth, name="depth")
        op = graph.create_op("OneHot", [indices, depth, on_value, off_value],
                             {"axis": -1 if axis is None else int(axis)}, name=scope[:-1],
                             exact_name=True)
    return op.outputs[0]


def tile(input, multiples, name=None):  # noqa: A002
    return apply_op("Tile", [input, multiples], name=name or "Tile",
                    input_names=["input", "multiples"])


def pad(tensor, paddings, mode="CONSTANT", name=None, constant_values=0):
    """tf.pad: CONSTANT (Pad, or PadV2 for a constant other than 0), REFLECT or SYMMETRIC
    (MirrorPad)."""
    mode = mode.upper()
    if mode == "CONSTANT":
        with_zeros = (not _is_tensorlike(constant_values) and np.ndim(constant_values) == 0
                      and constant_values == 0)
        op_type, attrs = ("Pad" if with_zeros else "PadV2"), {}
    elif mode in ("REFLECT", "SYMMETRIC"):
        op_type, attrs = "MirrorPad", {"mode": mode}
    else:
        raise ValueError("Unknown padding mode: %s" % mode)
    graph = get_default_graph()
    with graph.name_scope(name or op_type) as scope:
        x = convert_to_tensor(tensor, name="input")
        inputs = [x, _to_tensor(paddings, "paddings")]
        if op_type == "PadV2":
            inputs.append(convert_to_tensor(constant_values, dtype=x.dtype.base_dtype,
                                            name="constant_values"))
        op = graph.create_op(op_type, inputs, attrs, name=scope[:-1], exact_name=True)
    result = op.outputs[0]
    _refine_padded_shape(result, paddings)
    return result


def _refine_padded_shape(result, paddings):
    """Like TF's pad wrapper: rows of a Python `paddings` list that are plain ints give the
    output dim even when other rows hold Tensors."""
    if not isinstance(paddings, (list, tuple)) or result.shape.is_fully_defined():
        return
    x_shape = result.op.inputs[0].shape
    if x_shape.ndims is None or len(paddings) != x_shape.ndims:
        return
    dims = []
    for row, d in zip(paddings, x_shape.as_list()):
        known = d is not None and all(isinstance(p, numbers.Integral) for p in row)
        dims.append(d + builtins.sum(int(p) for p in row) if known else None)
    result.set_shape(dims)


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    if axis is None:
        axis = dim
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    graph = get_default_graph()
    with graph.name_scope(name or "ExpandDims") as scope:
        x = convert_to_tensor(input, name="input")
        axis_t = axis if isinstance(axis, Tensor) else convert_to_tensor(np.int32(axis), name="dim")
        op = graph.create_op("ExpandDims", [x, axis_t], name=scope[:-1], exact_name=True)
    return op.outputs[0]


def fill(dims, value, name=None):
    graph = get_default_graph()
    with graph.name_scope(name or "Fill") as scope:
        dims_t = _shape_tensor(dims, "dims")
        value_t = convert_to_tensor(value, name="value")
        op = graph.create_op("Fill", [dims_t, value_t], name=scope[:-1], exact_name=True)
    return op.outputs[0]


def _filled(kind, shape, dtype, name):
    """tf.zeros / tf.ones as TF1 builds them: a Const when the shape is known and small
    (under 1000 elements), else Fill(shape, value)."""
    dtype = dtypes.as_dtype(dtype)
    value = np.array(0 if kind == "zeros" else 1).astype(dtype.as_numpy_dtype)
    graph = get_default_graph()
    with graph.name_scope(name or kind) as scope:
        if not _is_tensorlike(shape):
            if isinstance(shape, TensorShape):
                if not shape.is_fully_defined():
                    raise ValueError("Cannot convert a partially known TensorShape to a Tensor: "
                                     "%s" % shape)
                shape = shape.as_list()
            if _has_tensor(shape):
                shape = convert_to_tensor(list(shape), dtype=dtypes.int32)
            else:
                dims = [_dim_int(d) for d in np.reshape(np.asarray(shape, dtype=object), -1)]
                if np.ndim(shape) == 0:
                    dims = dims[0]
                if np.prod(dims, dtype=np.int64) < 1000:
                    return convert_to_tensor(np.full(dims, value), name=scope)
                shape = convert_to_tensor(np.asarray(dims, dtype=np.int32), name="shape_as_tensor")
        shape = convert_to_tensor(shape)
        if shape.shape.ndims == 0:
            shape = reshape(shape, [-1])
        return fill(shape, convert_to_tensor(value, name="Const"), name=scope)


def zeros(shape, dtype=dtypes.float32, name=None):
    return _filled("zeros", shape, dtype, name)


def ones(shape, dtype=dtypes.float32, name=None):
    return _filled("ones", shape, dtype, name)


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    tensor = convert_to_tensor(tensor)
    if dtype is not None and dtypes.as_dtype(dtype) is not tensor.dtype:
        from tinygraph.ops.math_ops import cast
        with get_default_graph().name_scope(name or "zeros_like") as scope:
            return cast(apply_op("ZerosLike", [tensor]), dtype, name=scope[:-1])
    return apply_op("ZerosLike", [tensor], name=name or "zeros_like")


def ones_like(tensor, dtype=None, name=None, optimize=True):
    tensor = convert_to_tensor(tensor)
    if dtype is not None and dtypes.as_dtype(dtype) is not tensor.dtype:
        from tinygraph.ops.math_ops import cast
        with get_default_graph().name_scope(name or "ones_like") as scope:
            return cast(apply_op("OnesLike", [tensor]), dtype, name=scope[:-1])
    return apply_op("OnesLike", [tensor], name=name or "ones_like")


def where(condition, x=None, y=None, name=None):
    if x is None and y is None:
        return apply_op("Where", [condition], name=name or "Where", input_names=["input"])
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    graph = get_default_graph()
    with graph.name_scope(name or "Select") as scope:
        from tinygraph.ops.op_util import convert_same_dtype
        condition = convert_to_tensor(condition, name="condition")
        x, y = convert_same_dtype([x, y], ["x", "y"], "Select")
        op = graph.create_op("Select", [condition, x, y], name=scope[:-1], exact_name=True)
    return op.outputs[0]


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - tf.range
    if limit is None:
        start, limit = 0, start
    graph = get_default_graph()
    with graph.name_scope(name or "range") as scope:
        values = [start, limit, delta]
        if dtype is None:
            tensor_types = [v.dtype for v in values if isinstance(v, Tensor)]
            if tensor_types:
                dtype = tensor_types[0]
            elif any(isinstance(v, float) for v in values):
                dtype = dtypes.float32
            else:
                dtype = dtypes.int32
        dtype = dtypes.as_dtype(dtype)
        tensors = []
        for value, n in zip(values, ("start", "limit", "delta")):
            t = convert_to_tensor(value, name=n)
            if t.dtype is not dtype:
                from tinygraph.ops.math_ops import cast
                t = cast(t, dtype)
            tensors.append(t)
        op = graph.create_op("Range", tensors, name=scope[:-1], exact_name=True)
    return op.outputs[0]


def unique(x, out_idx=dtypes.int32, name=None):
    """tf.unique: (y, idx) with y the distinct values in order of appearance, x == y[idx]."""
    y, idx = apply_op("Unique", [x], {"out_idx": dtypes.as_dtype(out_idx)}, name=name or "Unique",
                      input_names=["x"])
    return UniqueOutput(y, idx)


UniqueOutput = collections.namedtuple("Unique", ["y", "idx"])


def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """tf.boolean_mask: the elements (or slices) of `tensor` where `mask` is True, as TF
    builds it: flatten the masked dims, then gather at `where(mask)`."""
    graph = get_default_graph()
    with graph.name_scope(name or "boolean_mask"):
        tensor = convert_to_tensor(tensor, name="tensor")
        mask = convert_to_tensor(mask, name="mask")
        mask_ndims = mask.shape.ndims
        if mask_ndims == 0:
            raise ValueError("mask cannot be scalar.")
        if mask_ndims is None:
            raise ValueError("Number of mask dimensions must be specified, even if some "
                             "dimensions are None.  E.g. shape=[None] is ok, but shape=None is "
                             "not.")
        axis = 0 if axis is None else int(axis)
        t_shape = tensor.shape
        t_shape[axis:axis + mask_ndims].assert_is_compatible_with(mask.shape)
        # The masked dims become one; its size is known statically or inferred (-1).
        masked = t_shape[axis:axis + mask_ndims].num_elements()
        full = shape(tensor)
        tensor = reshape(tensor, concat([full[:axis], [-1 if masked is None else masked],
                                         full[axis + mask_ndims:]], 0))
        if t_shape.ndims is not None:
            tensor.set_shape(t_shape[:axis].concatenate([masked]).concatenate(
                t_shape[axis + mask_ndims:]))
        mask = reshape(mask, [-1])
        indices = squeeze(where(mask), axis=[1])
        return gather(tensor, indices, axis=axis)


def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """tf.sequence_mask: mask[i, j] = j < lengths[i] (for any shape of lengths)."""
    from tinygraph.ops import math_ops
    graph = get_default_graph()
    with graph.name_scope(name or "SequenceMask"):
        lengths = convert_to_tensor(lengths)
        if maxlen is None:
            maxlen = math_ops.reduce_max(lengths)
            maxlen = math_ops.maximum(convert_to_tensor(0, dtype=maxlen.dtype), maxlen)
        else:
            maxlen = convert_to_tensor(maxlen)
        if maxlen.shape.ndims is not None and maxlen.shape.ndims != 0:
            raise ValueError("maxlen must be scalar for sequence_mask")
        row = range(convert_to_tensor(0, dtype=maxlen.dtype), maxlen,
                    convert_to_tensor(1, dtype=maxlen.dtype))
        matrix = math_ops.cast(expand_dims(lengths, -1), maxlen.dtype)
        result = math_ops.less(row, matrix)
        if dtype is None or dtypes.as_dtype(dtype) is dtypes.bool:
            return result
        return math_ops.cast(result, dtype)


def meshgrid(*args, **kwargs):
    """tf.meshgrid: coordinate grids; indexing "xy" (default, Cartesian) or "ij" (matrix)."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", "meshgrid")
    if kwargs:
        key = list(kwargs)[0]
        raise TypeError("'{}' is an invalid keyword argument for this function".format(key))
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    graph = get_default_graph()
    with graph.name_scope(name or "meshgrid"):
        ndim = len(args)
        if not ndim:
            return []
        ones_shape = (1,) * ndim
        # Each input becomes a vector along its own axis, then is broadcast by a product.
        output = [reshape(stack(x), ones_shape[:i] + (-1,) + ones_shape[i + 1:])
                  for i, x in enumerate(args)]
        shapes = [size(x) for x in args]
        dtype = convert_to_tensor(args[0]).dtype.base_dtype
        if indexing == "xy" and ndim > 1:
            output[0] = reshape(output[0], (1, -1) + (1,) * (ndim - 2))
            output[1] = reshape(output[1], (-1, 1) + (1,) * (ndim - 2))
            shapes[0], shapes[1] = shapes[1], shapes[0]
        mult = ones(shapes, dtype)
        from tinygraph.ops.math_ops import multiply
        return [multiply(x, mult) for x in output]


def reduce_sum_all(x):
    from tinygraph.ops.math_ops import reduce_sum
    return reduce_sum(x)


def broadcast_to(input, shape, name=None):  # noqa: A002
    graph = get_default_graph()
    with graph.name_scope(name or "BroadcastTo") as scope:
        x = convert_to_tensor(input, name="input")
        shape_t = _shape_tensor(shape, "shape")
        op = graph.create_op("BroadcastTo", [x, shape_t], name=scope[:-1], exact_name=True)
    return op.outputs[0]
