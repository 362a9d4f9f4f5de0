"""tf.nn's ops: convolution, pooling, activations, softmax, cross entropy, LRN, top-k.

Each op is declared once below (static shape rule, numpy/numba kernel, gradient as graph
ops, following TensorFlow's nn_grad.py), followed by the public TF 1.x wrappers that
validate their arguments with TensorFlow's messages. Images are NHWC and filters
[height, width, in_channels, out_channels]; other layouts are refused with a clear error.

The convolution and pooling kernels (tinygraph/kernels/conv.py, pool.py) use numba, so they
are imported inside `compute`: `import tinygraph` never pays numba's import time.
The `tf.nn` namespace is tinygraph/nn.py.
"""
import functools

import numpy as np

from tinygraph.framework import dtypes, errors
from tinygraph.framework.constant_value import constant_shape, constant_value
from tinygraph.framework.graph import (Tensor, convert_to_tensor, get_default_graph,
                                       user_location)
from tinygraph.framework.registry import NotDifferentiable, OpDef, ShapeError, register_op
from tinygraph.framework.tensor_shape import TensorShape
from tinygraph.kernels.padding import conv_output_and_padding
from tinygraph.ops import array_ops, math_ops
from tinygraph.ops.op_util import convert_same_dtype, output_of

# Nothing at the root of `tf`: TensorFlow 1.x exposes these functions as tf.nn.* only.
__all__ = []


# ----------------------------------------------------------------------------------------
# Argument checks shared by the wrappers (TensorFlow's messages)
# ----------------------------------------------------------------------------------------
def _deprecated_argument_lookup(new_name, new_value, old_name, old_value):
    """TF's helper for renamed arguments (`filters`/`filter`, `axis`/`dim`, ...)."""
    if new_value is not None:
        if old_value is not None:
            raise ValueError("Cannot specify both '%s' and '%s'" % (old_name, new_name))
        return new_value
    return old_value


def _as_str(value, attr, op_type, allowed):
    """A string attribute checked against its allowed values, as TF's op builder does."""
    if isinstance(value, bytes):
        value = value.decode("ascii")
    if not isinstance(value, str):
        raise TypeError("Expected string for argument '%s' not %r." % (attr, value))
    if value not in allowed:
        raise ValueError("Attr '%s' of '%s' Op passed string '%s' not in: %s."
                         % (attr, op_type, value, ", ".join('"%s"' % a for a in allowed)))
    return value


def _conv_padding(padding, op_type):
    """Convolutions also know TF's EXPLICIT padding (padding as a list), which tinygraph lacks."""
    if isinstance(padding, (list, tuple)):
        raise ValueError("Explicit padding lists are not supported by tinygraph; use padding="
                         "'SAME' or 'VALID' (or tf.pad before the convolution).")
    if padding == "EXPLICIT":
        raise ValueError('"EXPLICIT" is not a valid value for the padding parameter. To use '
                         'explicit padding, the padding parameter must be a list.')
    return _as_str(padding, "padding", op_type, ("SAME", "VALID", "EXPLICIT"))


def _pool_padding(padding, op_type):
    return _as_str(padding, "padding", op_type, ("SAME", "VALID"))


def _check_nhwc(data_format, op_type):
    """tinygraph runs on the CPU, where TensorFlow 1.x implemented these ops for NHWC only."""
    if data_format is None:
        return "NHWC"
    if isinstance(data_format, bytes):
        data_format = data_format.decode("ascii")
    if data_format != "NHWC":
        raise ValueError("The %s op currently only supports the NHWC tensor format on the CPU. "
                         "The op was given the format: %s" % (op_type, data_format))
    return data_format


def _get_sequence(value, name):
    """TF 1.15's _get_sequence for 2 spatial dims, NHWC: an int, or 1, 2 or 4 values -> 4."""
    if value is None:
        value = [1]
    elif isinstance(value, np.ndarray):
        value = value.reshape(-1).tolist()
    elif not isinstance(value, (list, tuple)):
        value = [value]
    n = len(value)
    if n == 4:
        return [int(v) for v in value]
    if n == 1:
        value = [value[0], value[0]]
    elif n != 2:
        raise ValueError("%s should be of length 1, 2 or 4 but was %d" % (name, n))
    return [1] + [int(v) for v in value] + [1]


def _located(check):
    """Attribute errors also say which line of the user's script passed the attribute."""
    @functools.wraps(check)
    def checked(*args):
        try:
            return check(*args)
        except (TypeError, ValueError) as e:
            raise type(e)("%s (created at %s)" % (e, user_location())) from None
    return checked


@_located
def _conv_attrs(op_type, strides, padding, data_format, dilations):
    data_format = _check_nhwc(data_format, op_type)
    strides = _get_sequence(strides, "strides")
    dilations = _get_sequence(dilations, "dilations")
    if strides[0] != 1 or strides[3] != 1:
        raise ValueError("Current implementation does not yet support strides in the batch "
                         "and depth dimensions.")
    if dilations[0] != 1 or dilations[3] != 1:
        raise ValueError("Current implementation does not yet support dilations in the batch "
                         "and depth dimensions.")
    if min(strides + dilations) < 1:
        raise ValueError("%s requires positive strides and dilations, got strides=%s, "
                         "dilations=%s" % (op_type, strides, dilations))
    return {"strides": strides, "padding": _conv_padding(padding, op_type),
            "dilations": dilations, "data_format": data_format}


@_located
def _pool_attrs(op_type, ksize, strides, padding, data_format):
    data_format = _check_nhwc(data_format, op_type)
    ksize = _get_sequence(ksize, "ksize")
    strides = _get_sequence(strides, "strides")
    if 0 in ksize:
        raise ValueError("ksize cannot be zero.")
    if ksize[0] != 1 or strides[0] != 1:
        raise ValueError("Pooling is not yet supported on the batch dimension.")
    if ksize[3] != 1 or strides[3] != 1:
        raise ValueError("Pooling across the depth dimension is not supported: ksize[3] and "
                         "strides[3] must be 1.")
    if min(ksize + strides) < 1:
        raise ValueError("%s requires positive ksize and strides, got ksize=%s, strides=%s"
                         % (op_type, ksize, strides))
    return {"ksize": ksize, "strides": strides, "padding": _pool_padding(padding, op_type),
            "data_format": data_format}


_FLOAT_TYPES = "float16, bfloat16, float32, float64"


def _check_float(tensor, param):
    if not tensor.dtype.is_floating:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values: %s" % (param, tensor.dtype.name, _FLOAT_TYPES))


def _make_op(op_type, inputs, attrs=None, name=None, input_names=None, float_inputs=0):
    """Create an op as TF1's generated wrappers do: scope `name or op_type`, inputs converted
    inside it to one dtype; the first `float_inputs` inputs must be floating point."""
    graph = get_default_graph()
    input_names = input_names or ["input_%d" % i for i in range(len(inputs))]
    for value, input_name in zip(inputs, input_names):
        if value is None:
            raise ValueError("Tried to convert '%s' to a tensor and failed. Error: None values "
                             "not supported." % input_name)
    with graph.name_scope(name or op_type) as scope:
        tensors = convert_same_dtype(inputs, input_names, op_type)
        for tensor, input_name in list(zip(tensors, input_names))[:float_inputs]:
            _check_float(tensor, input_name)
        op = graph.create_op(op_type, tensors, attrs or {}, name=scope[:-1], exact_name=True)
    return output_of(op)


def _make_op_mixed(op_type, inputs, attrs=None, name=None, input_names=None):
    """Like _make_op for ops whose inputs have different dtypes (shapes, indices, k)."""
    graph = get_default_graph()
    input_names = input_names or ["input_%d" % i for i in range(len(inputs))]
    with graph.name_scope(name or op_type) as scope:
        tensors = [v if isinstance(v, Tensor) else convert_to_tensor(v, dtype=d, name=n)
                   for (v, d), n in zip(inputs, input_names)]
        op = graph.create_op(op_type, tensors, attrs or {}, name=scope[:-1], exact_name=True)
    return output_of(op)


def _shape_vector(value, name):
    """A 1-D int32 shape tensor from a Tensor, TensorShape, list or array."""
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_tensor"):
        return convert_to_tensor(value)
    if isinstance(value, TensorShape):
        value = value.as_list()
    return convert_to_tensor(np.asarray(value, dtype=np.int32), name=name)


# ----------------------------------------------------------------------------------------
# Static shape helpers
# ----------------------------------------------------------------------------------------
def _dims(shape, rank):
    """The dims of a shape that must have exactly `rank` dimensions (None when unknown)."""
    if shape.ndims is None:
        return [None] * rank
    if shape.ndims != rank:
        raise ShapeError("Shape must be rank %d but is rank %d" % (rank, shape.ndims))
    return shape.as_list()


def _merge_dim(a, b):
    if a is not None and b is not None and a != b:
        raise ShapeError("Dimensions must be equal, but are %d and %d" % (a, b))
    return a if a is not None else b


def _window_dim(size, k, stride, dilation, padding):
    """Output size of a sliding window along one axis; VALID windows must fit."""
    if size is None or k is None:
        return None
    effective = (k - 1) * dilation + 1
    if padding == "VALID" and size < effective:
        raise ShapeError("Negative dimension size caused by subtracting %d from %d"
                         % (effective, size))
    return conv_output_and_padding(size, k, stride, dilation, padding)[0]


def _spatial_output(height, width, kh, kw, strides, dilations, padding):
    return (_window_dim(height, kh, strides[1], dilations[1], padding),
            _window_dim(width, kw, strides[2], dilations[2], padding))


def _shape_input(tensor, what):
    """A rank-4 shape held in a shape tensor (e.g. Shape(x) or a Const), dims or None."""
    dims = constant_shape(tensor)
    if dims is None:
        return [None] * 4
    if len(dims) != 4:
        raise ShapeError("%s must have 4 elements, but has %d" % (what, len(dims)))
    return dims


# ----------------------------------------------------------------------------------------
# Convolution
# ----------------------------------------------------------------------------------------
class _ConvOp(OpDef):
    # Layout and device hints are recorded as TF does but do not change the computation.
    runtime_attrs = ("data_format", "use_cudnn_on_gpu")


@register_op("Conv2D")
class Conv2D(_ConvOp):
    def infer(inputs, strides, padding, dilations, data_format="NHWC", use_cudnn_on_gpu=True):
        x, w = inputs
        n, h, wd, c = _dims(x.shape, 4)
        kh, kw, kc, out_c = _dims(w.shape, 4)
        _merge_dim(c, kc)
        oh, ow = _spatial_output(h, wd, kh, kw, strides, dilations, padding)
        return TensorShape([n, oh, ow, out_c]), x.dtype

    def compute(input, filter, strides, padding, dilations):  # noqa: A002 - TF's names
        from tinygraph.kernels import conv
        return conv.conv2d(input, filter, strides[1:3], padding, dilations[1:3])

    def grad(op, dy):
        x, w = op.inputs
        attrs = _grad_attrs(op)
        return [conv2d_backprop_input(array_ops.shape(x), w, dy, **attrs),
                conv2d_backprop_filter(x, array_ops.shape(w), dy, **attrs)]


def _grad_attrs(op):
    return {k: op.attrs[k] for k in ("strides", "padding", "dilations", "data_format")}


@register_op("Conv2DBackpropInput")
class Conv2DBackpropInput(_ConvOp):
    """dx of Conv2D, given x's shape: also the transposed convolution (conv2d_transpose)."""

    def infer(inputs, strides, padding, dilations, data_format="NHWC", use_cudnn_on_gpu=True):
        sizes, w, dy = inputs
        n, h, wd, c = _shape_input(sizes, "input_sizes")
        kh, kw, kc, out_c = _dims(w.shape, 4)
        dn, dh, dw, dc = _dims(dy.shape, 4)
        _merge_dim(out_c, dc)
        c = _merge_dim(c, kc)
        oh, ow = _spatial_output(h, wd, kh, kw, strides, dilations, padding)
        for expected, actual, what in ((n, dn, "batch"), (oh, dh, "rows"), (ow, dw, "cols")):
            if expected is not None and actual is not None and expected != actual:
                raise ShapeError("Conv2DBackpropInput: Size of out_backprop doesn't match "
                                 "computed: actual = %d, computed = %d (%s)"
                                 % (actual, expected, what))
        return TensorShape([_merge_dim(n, dn), h, wd, c]), w.dtype

    def compute(input_sizes, filter, out_backprop, strides, padding, dilations):  # noqa: A002
        from tinygraph.kernels import conv
        return conv.conv2d_backprop_input(input_sizes, filter, out_backprop, strides[1:3],
                                          padding, dilations[1:3])

    def grad(op, ddx):
        _, w, dy = op.inputs
        attrs = _grad_attrs(op)
        return [None,
                conv2d_backprop_filter(ddx, array_ops.shape(w), dy, **attrs),
                conv2d(ddx, w, **attrs)]


@register_op("Conv2DBackpropFilter")
class Conv2DBackpropFilter(_ConvOp):
    """dw of Conv2D, given the filter's shape."""

    def infer(inputs, strides, padding, dilations, data_format="NHWC", use_cudnn_on_gpu=True):
        x, sizes, dy = inputs
        n, h, wd, c = _dims(x.shape, 4)
        kh, kw, kc, out_c = _shape_input(sizes, "filter_sizes")
        _merge_dim(n, _dims(dy.shape, 4)[0])
        _merge_dim(out_c, _dims(dy.shape, 4)[3])
        return TensorShape([kh, kw, _merge_dim(c, kc), out_c]), x.dtype

    def compute(input, filter_sizes, out_backprop, strides, padding, dilations):  # noqa: A002
        from tinygraph.kernels import conv
        return conv.conv2d_backprop_filter(input, filter_sizes, out_backprop, strides[1:3],
                                           padding, dilations[1:3])

    def grad(op, ddw):
        x, _, dy = op.inputs
        attrs = _grad_attrs(op)
        return [conv2d_backprop_input(array_ops.shape(x), ddw, dy, **attrs),
                None,
                conv2d(x, ddw, **attrs)]


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=[1, 1, 1, 1], name=None, filters=None):  # noqa: B006
    """tf.nn.conv2d: 2-D convolution of NHWC `input` with a [kh, kw, in, out] filter."""
    filter = _deprecated_argument_lookup("filters", filters, "filter", filter)  # noqa: A001
    attrs = _conv_attrs("Conv2D", strides, padding, data_format, dilations)
    attrs["use_cudnn_on_gpu"] = bool(use_cudnn_on_gpu)
    return _make_op("Conv2D", [input, filter], attrs, name, ["input", "filter"], float_inputs=2)


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,  # noqa: A002
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
                          dilations=[1, 1, 1, 1], name=None, filters=None):  # noqa: B006
    """tf.nn.conv2d_backprop_input: the gradient of conv2d with respect to its input."""
    filter = _deprecated_argument_lookup("filters", filters, "filter", filter)  # noqa: A001
    attrs = _conv_attrs("Conv2DBackpropInput", strides, padding, data_format, dilations)
    attrs["use_cudnn_on_gpu"] = bool(use_cudnn_on_gpu)
    graph = get_default_graph()
    with graph.name_scope(name or "Conv2DBackpropInput") as scope:
        sizes = _shape_vector(input_sizes, "input_sizes")
        w, dy = convert_same_dtype([filter, out_backprop], ["filter", "out_backprop"],
                                   "Conv2DBackpropInput")
        _check_float(w, "filter")
        op = graph.create_op("Conv2DBackpropInput", [sizes, w, dy], attrs, name=scope[:-1],
                             exact_name=True)
    return op.outputs[0]


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, data_format="NHWC", dilations=[1, 1, 1, 1],  # noqa: B006
                           name=None):
    """tf.nn.conv2d_backprop_filter: the gradient of conv2d with respect to its filter."""
    attrs = _conv_attrs("Conv2DBackpropFilter", strides, padding, data_format, dilations)
    attrs["use_cudnn_on_gpu"] = bool(use_cudnn_on_gpu)
    graph = get_default_graph()
    with graph.name_scope(name or "Conv2DBackpropFilter") as scope:
        x, dy = convert_same_dtype([input, out_backprop], ["input", "out_backprop"],
                                   "Conv2DBackpropFilter")
        _check_float(x, "input")
        sizes = _shape_vector(filter_sizes, "filter_sizes")
        op = graph.create_op("Conv2DBackpropFilter", [x, sizes, dy], attrs, name=scope[:-1],
                             exact_name=True)
    return op.outputs[0]


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None,  # noqa: A002
                     padding="SAME", data_format="NHWC", name=None, input=None, filters=None,  # noqa: A002
                     dilations=None):
    """tf.nn.conv2d_transpose: the Conv2DBackpropInput op applied to `value`, as in TF."""
    value = _deprecated_argument_lookup("input", input, "value", value)
    filter = _deprecated_argument_lookup("filters", filters, "filter", filter)  # noqa: A001
    graph = get_default_graph()
    with graph.name_scope(name or "conv2d_transpose") as scope:
        value, filter = convert_same_dtype([value, filter], ["value", "filter"],  # noqa: A001
                                           "Conv2DBackpropInput")
        in_channels = value.shape[3].value if value.shape.ndims == 4 else None
        filter_out = filter.shape[3].value if filter.shape.ndims == 4 else None
        if in_channels is not None and filter_out is not None and in_channels != filter_out:
            raise ValueError("input channels does not match filter's input channels, %d != %d"
                             % (in_channels, filter_out))
        output_shape_t = _shape_vector(output_shape, "output_shape")
        if output_shape_t.shape.ndims is not None and output_shape_t.shape.as_list() not in (
                [4], [None]):
            raise ValueError("output_shape must have shape (4,), got %s" % output_shape_t.shape)
        if isinstance(output_shape, (list, tuple, np.ndarray)) and filter.shape.ndims == 4:
            filter_in = filter.shape[2].value
            wanted = output_shape[3]
            if filter_in is not None and not isinstance(wanted, Tensor) and int(wanted) != filter_in:
                raise ValueError("output_shape does not match filter's output channels, %d != %d"
                                 % (int(wanted), filter_in))
        return conv2d_backprop_input(output_shape_t, filter, value, strides, padding,
                                     data_format=data_format,
                                     dilations=dilations if dilations is not None else [1, 1, 1, 1],
                                     name=scope)


# ----------------------------------------------------------------------------------------
# Pooling
# ----------------------------------------------------------------------------------------
class _PoolOp(OpDef):
    runtime_attrs = ("data_format",)

    def infer(inputs, ksize, strides, padding, data_format="NHWC"):
        n, h, w, c = _dims(inputs[0].shape, 4)
        oh, ow = _spatial_output(h, w, ksize[1], ksize[2], strides, [1, 1, 1, 1], padding)
        return TensorShape([n, oh, ow, c]), inputs[0].dtype


def _as_pool_float(x):
    """The pooling kernels work on float32/float64; other dtypes go through float64."""
    return x if x.dtype in (np.float32, np.float64) else x.astype(np.float64)


@register_op("MaxPool")
class MaxPool(_PoolOp):
    def compute(input, ksize, strides, padding):  # noqa: A002
        from tinygraph.kernels import pool
        y = pool.max_pool(_as_pool_float(input), ksize[1:3], strides[1:3], padding)
        return y.astype(input.dtype, copy=False)

    def grad(op, dy):
        return [_pool_grad_op("MaxPoolGrad", [op.inputs[0], op.outputs[0], dy], op)]


def _pool_grad_op(op_type, inputs, op):
    attrs = {k: op.attrs[k] for k in ("ksize", "strides", "padding", "data_format")}
    return _make_op(op_type, inputs, attrs)


@register_op("MaxPoolGrad")
class MaxPoolGrad(OpDef):
    """dx of MaxPool: each window's gradient goes to its FIRST maximum (row-major), as TF."""

    runtime_attrs = ("data_format",)

    def infer(inputs, ksize, strides, padding, data_format="NHWC"):
        x, y, dy = inputs
        _dims(y.shape, 4)
        return x.shape.merge_with(TensorShape([None] * 4)), x.dtype

    def compute(orig_input, orig_output, grad, ksize, strides, padding):
        return _max_pool_grad(orig_input, grad, ksize, strides, padding, relu_grad=False)

    @staticmethod
    def compute_then_relu_grad(orig_input, orig_output, grad, ksize, strides, padding):
        """`ReluGrad(MaxPoolGrad(x, y, dy), x)` for x = relu(...), in one pass (plan.py fuses)."""
        return _max_pool_grad(orig_input, grad, ksize, strides, padding, relu_grad=True)

    def grad(op, ddx):
        x, y, _ = op.inputs
        # The routing is piecewise constant in x: only the incoming gradient has a derivative.
        return [array_ops.zeros_like(x), array_ops.zeros_like(y),
                _pool_grad_op("MaxPoolGradGrad", [x, y, ddx], op)]


def _max_pool_grad(orig_input, grad, ksize, strides, padding, relu_grad):
    from tinygraph.kernels import pool
    dx = pool.max_pool_grad(_as_pool_float(orig_input), grad, ksize[1:3], strides[1:3], padding,
                            relu_grad)
    return dx.astype(orig_input.dtype, copy=False)


def _windows(a, ksize, strides, padding, fill):
    """All pooling windows of `a` as (N, OH, OW, C, kh*kw), padded cells set to `fill`."""
    kh, kw = ksize[1:3]
    oh, top, bottom = conv_output_and_padding(a.shape[1], kh, strides[1], 1, padding)
    ow, left, right = conv_output_and_padding(a.shape[2], kw, strides[2], 1, padding)
    padded = np.pad(a, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    view = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(1, 2))
    view = view[:, ::strides[1], ::strides[2]][:, :oh, :ow]
    return view.reshape(view.shape[:4] + (kh * kw,))


@register_op("MaxPoolGradGrad")
class MaxPoolGradGrad(OpDef):
    """Gradient of MaxPoolGrad w.r.t. its `grad` input: pick each window's first maximum of
    `grad` (a numpy version: it only runs for second derivatives)."""

    runtime_attrs = ("data_format",)

    def infer(inputs, ksize, strides, padding, data_format="NHWC"):
        x, y, g = inputs
        return y.shape, g.dtype

    def compute(orig_input, orig_output, grad, ksize, strides, padding):
        lowest = -np.inf if orig_input.dtype.kind == "f" else np.iinfo(orig_input.dtype).min
        first_max = _windows(orig_input, ksize, strides, padding, lowest).argmax(axis=-1)
        picked = np.take_along_axis(_windows(grad, ksize, strides, padding, 0),
                                    first_max[..., None], axis=-1)
        return np.ascontiguousarray(picked[..., 0])

    def grad(op, dy):
        x, y, _ = op.inputs
        return [array_ops.zeros_like(x), array_ops.zeros_like(y),
                _pool_grad_op("MaxPoolGrad", [x, y, dy], op)]


@register_op("AvgPool")
class AvgPool(_PoolOp):
    def compute(value, ksize, strides, padding):
        from tinygraph.kernels import pool
        y = pool.avg_pool(_as_pool_float(value), ksize[1:3], strides[1:3], padding)
        return y.astype(value.dtype, copy=False)

    def grad(op, dy):
        attrs = {k: op.attrs[k] for k in ("ksize", "strides", "padding", "data_format")}
        return [_make_op_mixed("AvgPoolGrad", [(array_ops.shape(op.inputs[0]), None),
                                               (dy, None)], attrs)]


@register_op("AvgPoolGrad")
class AvgPoolGrad(OpDef):
    """dx of AvgPool: each window's gradient is spread over its in-image cells."""

    runtime_attrs = ("data_format",)

    def infer(inputs, ksize, strides, padding, data_format="NHWC"):
        sizes, dy = inputs
        return TensorShape(_shape_input(sizes, "orig_input_shape")), dy.dtype

    def compute(orig_input_shape, grad, ksize, strides, padding):
        from tinygraph.kernels import pool
        dx = pool.avg_pool_grad(orig_input_shape, _as_pool_float(grad), ksize[1:3], strides[1:3],
                                padding)
        return dx.astype(grad.dtype, copy=False)

    def grad(op, ddx):
        attrs = {k: op.attrs[k] for k in ("ksize", "strides", "padding", "data_format")}
        return [None, _make_op("AvgPool", [ddx], attrs)]


def _pool(op_type, value, ksize, strides, padding, data_format, name, input_=None):
    value = _deprecated_argument_lookup("input", input_, "value", value)
    attrs = _pool_attrs(op_type, ksize, strides, padding, data_format)
    # AvgPool is defined for floats only; MaxPool also takes integers.
    return _make_op(op_type, [value], attrs, name, ["input"],
                    float_inputs=1 if op_type == "AvgPool" else 0)


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """tf.nn.max_pool: the maximum of each window; SAME padding never wins."""
    return _pool("MaxPool", value, ksize, strides, padding, data_format, name, input)


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    """tf.nn.avg_pool: the mean of each window's in-image cells (SAME padding is not counted)."""
    return _pool("AvgPool", value, ksize, strides, padding, data_format, name, input)


# ----------------------------------------------------------------------------------------
# Activations. Each gradient is its own op (ReluGrad, ...) fed with the forward output when
# that suffices, as in TensorFlow; kernels are single numpy passes in the input's dtype.
# ----------------------------------------------------------------------------------------
class _Unary(OpDef):
    def infer(inputs, **attrs):
        return inputs[0].shape, inputs[0].dtype


class _GradKernel(OpDef):
    """(gradients, features-or-outputs) -> backprops, shaped like the features."""

    def infer(inputs, **attrs):
        dy, x = inputs
        return dy.shape.merge_with(x.shape), dy.dtype


@register_op("Relu")
class Relu(_Unary):
    def compute(features):
        from tinygraph.kernels.elementwise import relu
        return relu(features)

    @staticmethod
    def compute_inplace(features):
        """Used by the plan when `features` is a buffer nothing else will read (see plan.py)."""
        from tinygraph.kernels.elementwise import relu
        return relu(features, out=features)

    def grad(op, dy):
        return [_make_op("ReluGrad", [dy, op.outputs[0]])]


@register_op("ReluGrad")
class ReluGrad(_GradKernel):
    def compute(gradients, features):
        # relu'(0) = 0, as in TensorFlow; the mask multiplies without leaving dy's dtype.
        from tinygraph.kernels.elementwise import relu_grad
        return relu_grad(gradients, features)

    def grad(op, ddx):
        y = op.inputs[1]
        return [_make_op("ReluGrad", [ddx, y]), array_ops.zeros_like(y)]


@register_op("Relu6")
class Relu6(_Unary):
    def compute(features):
        return np.minimum(np.maximum(features, 0), 6)

    def grad(op, dy):
        return [_make_op("Relu6Grad", [dy, op.outputs[0]])]


@register_op("Relu6Grad")
class Relu6Grad(_GradKernel):
    def compute(gradients, features):
        # Zero at both kinks: relu6'(0) = relu6'(6) = 0.
        inside = (features > 0) & (features < 6)
        return np.multiply(gradients, inside, dtype=gradients.dtype)

    def grad(op, ddx):
        y = op.inputs[1]
        return [_make_op("Relu6Grad", [ddx, y]), array_ops.zeros_like(y)]


@register_op("LeakyRelu")
class LeakyRelu(_Unary):
    def compute(features, alpha=0.2):
        scaled = features * features.dtype.type(alpha)
        # x > 0 ? x : alpha*x is the larger of the two when alpha <= 1, else the smaller.
        return np.maximum(features, scaled) if alpha <= 1 else np.minimum(features, scaled)

    def grad(op, dy):
        return [_make_op("LeakyReluGrad", [dy, op.inputs[0]], {"alpha": op.attrs["alpha"]})]


@register_op("LeakyReluGrad")
class LeakyReluGrad(_GradKernel):
    def compute(gradients, features, alpha=0.2):
        slope = np.where(features > 0, gradients.dtype.type(1), gradients.dtype.type(alpha))
        return gradients * slope

    def grad(op, ddx):
        x = op.inputs[1]
        return [_make_op("LeakyReluGrad", [ddx, x], {"alpha": op.attrs["alpha"]}),
                array_ops.zeros_like(x)]


@register_op("Elu")
class Elu(_Unary):
    def compute(features):
        return np.where(features > 0, features, np.expm1(np.minimum(features, 0)))

    def grad(op, dy):
        return [_make_op("EluGrad", [dy, op.outputs[0]])]


@register_op("EluGrad")
class EluGrad(_GradKernel):
    def compute(gradients, outputs):
        # For x < 0, elu'(x) = exp(x) = elu(x) + 1.
        return gradients * np.where(outputs < 0, outputs + 1, outputs.dtype.type(1))

    def grad(op, ddx):
        dy, y = op.inputs
        negative = math_ops.less(y, array_ops.zeros_like(y))
        return [_make_op("EluGrad", [ddx, y]),
                array_ops.where(negative, math_ops.multiply(ddx, dy), array_ops.zeros_like(y))]


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@register_op("Selu")
class Selu(_Unary):
    def compute(features):
        t = features.dtype.type
        negative = t(_SELU_SCALE * _SELU_ALPHA) * np.expm1(np.minimum(features, 0))
        return np.where(features > 0, t(_SELU_SCALE) * features, negative)

    def grad(op, dy):
        return [_make_op("SeluGrad", [dy, op.outputs[0]])]


@register_op("SeluGrad")
class SeluGrad(_GradKernel):
    def compute(gradients, outputs):
        t = outputs.dtype.type
        slope = np.where(outputs < 0, outputs + t(_SELU_SCALE * _SELU_ALPHA), t(_SELU_SCALE))
        return gradients * slope

    def grad(op, ddx):
        dy, y = op.inputs
        negative = math_ops.less(y, array_ops.zeros_like(y))
        return [_make_op("SeluGrad", [ddx, y]),
                array_ops.where(negative, math_ops.multiply(ddx, dy), array_ops.zeros_like(y))]


@register_op("Softplus")
class Softplus(_Unary):
    def compute(features):
        return np.logaddexp(features.dtype.type(0), features)  # log(1 + e^x) without overflow

    def grad(op, dy):
        return [_make_op("SoftplusGrad", [dy, op.inputs[0]])]


@register_op("SoftplusGrad")
class SoftplusGrad(_GradKernel):
    def compute(gradients, features):
        with np.errstate(over="ignore"):  # e^-x = inf for very negative x gives 0, correctly
            return gradients / (1 + np.exp(-features))

    def grad(op, ddx):
        # d/dx [dy * sigmoid(x)] = dy * e^x / (1 + e^x)^2 = dy / (e^-x + 2 + e^x)
        dy, x = op.inputs
        two = convert_to_tensor(2, dtype=x.dtype)
        denominator = math_ops.add(math_ops.add(math_ops.exp(math_ops.negative(x)), two),
                                   math_ops.exp(x))
        return [_make_op("SoftplusGrad", [ddx, x]),
                math_ops.divide(math_ops.multiply(ddx, dy), denominator)]


@register_op("Softsign")
class Softsign(_Unary):
    def compute(features):
        return features / (1 + np.abs(features))

    def grad(op, dy):
        return [_make_op("SoftsignGrad", [dy, op.inputs[0]])]


@register_op("SoftsignGrad")
class SoftsignGrad(_GradKernel):
    def compute(gradients, features):
        denominator = 1 + np.abs(features)
        return gradients / (denominator * denominator)

    def grad(op, ddx):
        # d/dx [dy / (1+|x|)^2] = -2 dy sign(x) / (1+|x|)^3
        dy, x = op.inputs
        one_plus_abs = math_ops.add(math_ops.abs(x), convert_to_tensor(1, dtype=x.dtype))
        cube = math_ops.multiply(math_ops.square(one_plus_abs), one_plus_abs)
        d2x = math_ops.multiply(math_ops.multiply(ddx, dy), math_ops.sign(x))
        d2x = math_ops.divide(math_ops.multiply(d2x, convert_to_tensor(-2, dtype=x.dtype)), cube)
        return [_make_op("SoftsignGrad", [ddx, x]), d2x]


def relu(features, name=None):
    """tf.nn.relu: max(features, 0)."""
    return _make_op("Relu", [features], name=name, input_names=["features"])


def relu6(features, name=None):
    """tf.nn.relu6: min(max(features, 0), 6)."""
    return _make_op("Relu6", [features], name=name, input_names=["features"])


def leaky_relu(features, alpha=0.2, name=None):
    """tf.nn.leaky_relu: features if positive, else alpha * features (integers become float32)."""
    graph = get_default_graph()
    with graph.name_scope(name or "LeakyRelu") as scope:
        features = convert_to_tensor(features, name="features")
        if features.dtype.is_integer:
            features = math_ops.cast(features, dtypes.float32)
        if isinstance(alpha, np.ndarray):
            alpha = alpha.item()
        op = graph.create_op("LeakyRelu", [features], {"alpha": float(alpha)}, name=scope[:-1],
                             exact_name=True)
    return op.outputs[0]


def _float_unary(op_type, features, name):
    return _make_op(op_type, [features], name=name, input_names=["features"], float_inputs=1)


def elu(features, name=None):
    """tf.nn.elu: features if positive, else exp(features) - 1."""
    return _float_unary("Elu", features, name)


def selu(features, name=None):
    """tf.nn.selu: scale * elu with alpha = 1.6733 (scale 1.0507), the self-normalising unit."""
    return _float_unary("Selu", features, name)


def softplus(features, name=None):
    """tf.nn.softplus: log(exp(features) + 1)."""
    return _float_unary("Softplus", features, name)


def softsign(features, name=None):
    """tf.nn.softsign: features / (abs(features) + 1)."""
    return _float_unary("Softsign", features, name)


# ----------------------------------------------------------------------------------------
# Bias
# ----------------------------------------------------------------------------------------
def _channel_axis(data_format, ndims):
    return 1 if data_format == "NCHW" else ndims - 1


@register_op("BiasAdd")
class BiasAdd(OpDef):
    def infer(inputs, data_format="NHWC"):
        value, bias = inputs
        if value.dtype is not bias.dtype:
            raise ShapeError("Input dtypes %s and %s do not match"
                             % (value.dtype.name, bias.dtype.name))
        min_rank = 3 if data_format == "NCHW" else 2
        (channels,) = _dims(bias.shape, 1)
        if value.shape.ndims is None:
            return value.shape, value.dtype
        if value.shape.ndims < min_rank:
            raise ShapeError("Shape must be at least rank %d but is rank %d"
                             % (min_rank, value.shape.ndims))
        dims = value.shape.as_list()
        axis = _channel_axis(data_format, len(dims))
        dims[axis] = _merge_dim(dims[axis], channels)
        return TensorShape(dims), value.dtype

    def compute(value, bias, data_format="NHWC"):
        if data_format == "NCHW":
            bias = bias.reshape((-1,) + (1,) * (value.ndim - 2))
        return value + bias

    @staticmethod
    def compute_inplace(value, bias, data_format="NHWC"):
        """Used by the plan when `value` is a buffer nothing else will read (see plan.py)."""
        if data_format == "NCHW":
            bias = bias.reshape((-1,) + (1,) * (value.ndim - 2))
        return np.add(value, bias, out=value)

    def grad(op, dy):
        return [dy, _make_op("BiasAddGrad", [dy], {"data_format": op.attrs["data_format"]})]


@register_op("BiasAddGrad")
class BiasAddGrad(OpDef):
    """The bias gradient: out_backprop summed over every axis but the channel axis."""

    def infer(inputs, data_format="NHWC"):
        shape = inputs[0].shape
        if shape.ndims is None:
            return TensorShape([None]), inputs[0].dtype
        return TensorShape([shape[_channel_axis(data_format, shape.ndims)]]), inputs[0].dtype

    def compute(out_backprop, data_format="NHWC"):
        dy = out_backprop
        if data_format == "NCHW":
            return np.sum(dy, axis=tuple(i for i in range(dy.ndim) if i != 1), dtype=dy.dtype)
        rows = dy.reshape(-1, dy.shape[-1])
        # A matrix-vector product with ones sums the rows in BLAS: several times faster than
        # np.sum along axis 0, and it accumulates in blocks (more accurate too).
        return np.ones(rows.shape[0], dtype=dy.dtype) @ rows

    def grad(op, dbias):
        dy = op.inputs[0]
        if op.attrs["data_format"] == "NCHW":
            ndims = dy.shape.ndims
            dbias = array_ops.reshape(dbias, [-1] + [1] * (ndims - 2))
        return [array_ops.broadcast_to(dbias, array_ops.shape(dy))]


def bias_add(value, bias, data_format=None, name=None):
    """tf.nn.bias_add: add the 1-D `bias` along the channel (last) axis of `value`."""
    if data_format is not None:
        if isinstance(data_format, bytes):
            data_format = data_format.decode("ascii")
        if data_format.startswith("NC"):
            data_format = "NCHW"
        elif data_format.startswith("N") and data_format.endswith("C"):
            data_format = "NHWC"
        else:
            raise ValueError("data_format must be of the form `N...C` or `NC...`")
    graph = get_default_graph()
    with graph.name_scope(name or "BiasAdd") as scope:
        value = convert_to_tensor(value, name="input")
        bias = convert_to_tensor(bias, dtype=value.dtype, name="bias")
        op = graph.create_op("BiasAdd", [value, bias], {"data_format": data_format or "NHWC"},
                             name=scope[:-1], exact_name=True)
    return op.outputs[0]


# ----------------------------------------------------------------------------------------
# Softmax and cross entropy (over the last axis; max-shifted so exp never overflows)
# ----------------------------------------------------------------------------------------
class _LastAxisOp(OpDef):
    def infer(inputs):
        shape = inputs[0].shape
        if shape.ndims == 0:
            raise ShapeError("Shape must be at least rank 1 but is rank 0")
        return shape, inputs[0].dtype


def _shifted(x):
    """x minus its maximum along the last axis: the largest exponent becomes exp(0) = 1."""
    if x.size == 0:
        return x.copy()
    return x - x.max(axis=-1, keepdims=True)


@register_op("Softmax")
class Softmax(_LastAxisOp):
    def compute(logits):
        e = _shifted(logits)
        np.exp(e, out=e)
        e /= e.sum(axis=-1, keepdims=True)
        return e

    def grad(op, dy):
        # (dy - sum(dy * softmax)) * softmax
        y = op.outputs[0]
        dot = math_ops.reduce_sum(math_ops.multiply(dy, y), -1, keepdims=True)
        return [math_ops.multiply(math_ops.subtract(dy, dot), y)]


@register_op("LogSoftmax")
class LogSoftmax(_LastAxisOp):
    def compute(logits):
        shifted = _shifted(logits)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))

    def grad(op, dy):
        softmax = math_ops.exp(op.outputs[0])
        total = math_ops.reduce_sum(dy, -1, keepdims=True)
        return [math_ops.subtract(dy, math_ops.multiply(total, softmax))]


def _xent_infer(logits, labels, labels_rank):
    batch, classes = _dims(logits.shape, 2)
    label_dims = _dims(labels.shape, labels_rank)
    batch = _merge_dim(batch, label_dims[0])
    if labels_rank == 2:
        _merge_dim(classes, label_dims[1])
    return [(TensorShape([batch]), logits.dtype), (TensorShape([batch, classes]), logits.dtype)]


@register_op("SoftmaxCrossEntropyWithLogits")
class SoftmaxCrossEntropyWithLogits(OpDef):
    """Fused loss and gradient: loss = -sum(labels * log_softmax(features)) per row, and
    backprop = softmax(features) - labels, which the gradient reuses (TF's design)."""

    def infer(inputs):
        features, labels = inputs
        return _xent_infer(features, labels, 2)

    def compute(features, labels):
        shifted = _shifted(features)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        loss = np.sum(labels * (np.log(total) - shifted), axis=1)
        e /= total
        e -= labels
        return loss, e

    def grad(op, dloss, dbackprop):
        logits = op.inputs[0]
        dlogits = _xent_logits_grad(op, dloss, dbackprop)
        dlabels = math_ops.multiply(array_ops.expand_dims(dloss, -1),
                                    math_ops.negative(log_softmax(logits)))
        return [dlogits, dlabels]


def _xent_logits_grad(op, dloss, dbackprop):
    """dloss * backprop, plus the softmax Jacobian term when `backprop` itself was used."""
    grad = math_ops.multiply(array_ops.expand_dims(dloss, -1), op.outputs[1])
    if not _is_zero(dbackprop):
        softmax_ = softmax(op.inputs[0])
        dot = math_ops.reduce_sum(math_ops.multiply(dbackprop, softmax_), -1, keepdims=True)
        grad = math_ops.add(grad, math_ops.multiply(math_ops.subtract(dbackprop, dot), softmax_))
    return grad


def _is_zero(tensor):
    """Whether a gradient is known to be zero (an unused output gets ZerosLike from autodiff)."""
    if tensor.op.type in ("ZerosLike", "Zeros"):
        return True
    value = constant_value(tensor)
    return value is not None and not np.any(value)


@register_op("SparseSoftmaxCrossEntropyWithLogits")
class SparseSoftmaxCrossEntropyWithLogits(OpDef):
    """Like SoftmaxCrossEntropyWithLogits with one-hot labels given as class indices."""

    def infer(inputs):
        features, labels = inputs
        return _xent_infer(features, labels, 1)

    def compute(features, labels):
        classes = features.shape[1]
        bad = (labels < 0) | (labels >= classes)
        if bad.any():
            raise errors.InvalidArgumentError(
                None, None, "Received a label value of %d which is outside the valid range of "
                "[0, %d).  Label values: %s" % (labels[bad][0], classes,
                                                " ".join(str(v) for v in labels)))
        rows = np.arange(features.shape[0])
        shifted = _shifted(features)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        loss = np.log(total[:, 0]) - shifted[rows, labels]
        e /= total
        e[rows, labels] -= 1
        return loss, e

    def grad(op, dloss, dbackprop):
        return [_xent_logits_grad(op, dloss, dbackprop), None]


def _softmax_along(op_type, logits, axis, name):
    """Softmax/LogSoftmax: the op works on the last axis; other axes use the same formula
    written with reduce_logsumexp (TF transposes instead, with the same result)."""
    logits = convert_to_tensor(logits)
    _check_float(logits, "logits")
    if axis is None:
        axis = -1
    ndims = logits.shape.ndims
    if axis == -1 or (ndims is not None and axis == ndims - 1):
        return _make_op(op_type, [logits], name=name, input_names=["logits"])
    if ndims is not None and not -ndims <= axis < ndims:
        raise ValueError("Axis %d out of range for a tensor of rank %d" % (axis, ndims))
    graph = get_default_graph()
    with graph.name_scope(name or op_type) as scope:
        log_softmax_ = math_ops.subtract(
            logits, math_ops.reduce_logsumexp(logits, axis, keepdims=True),
            name=None if op_type == "Softmax" else scope)
        if op_type == "LogSoftmax":
            return log_softmax_
        return math_ops.exp(log_softmax_, name=scope)


def softmax(logits, axis=None, name=None, dim=None):
    """tf.nn.softmax: exp(logits) / sum(exp(logits)) along `axis` (default: the last)."""
    axis = _deprecated_argument_lookup("axis", axis, "dim", dim)
    return _softmax_along("Softmax", logits, axis, name)


def log_softmax(logits, axis=None, name=None, dim=None):
    """tf.nn.log_softmax: logits - log(sum(exp(logits))) along `axis` (default: the last)."""
    axis = _deprecated_argument_lookup("axis", axis, "dim", dim)
    return _softmax_along("LogSoftmax", logits, axis, name)


def _ensure_xent_args(name, sentinel, labels, logits):
    if sentinel is not None:
        raise ValueError("Only call `%s` with named arguments (labels=..., logits=..., ...)"
                         % name)
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None):
    """tf.nn.softmax_cross_entropy_with_logits_v2: -sum(labels * log_softmax(logits)) along
    `axis`; gradients flow into both logits and labels."""
    axis = _deprecated_argument_lookup("axis", axis, "dim", dim)
    if axis is None:
        axis = -1
    graph = get_default_graph()
    with graph.name_scope(name or "softmax_cross_entropy_with_logits") as scope:
        logits = convert_to_tensor(logits, name="logits")
        labels = convert_to_tensor(labels, name="labels")
        _check_float(logits, "features")
        if labels.dtype is not logits.dtype:
            labels = math_ops.cast(labels, logits.dtype)
        ndims = logits.shape.ndims
        if ndims == 2 and axis in (-1, 1):
            # The common case goes straight to the fused op (TF also reshapes to 2-D here).
            op = graph.create_op("SoftmaxCrossEntropyWithLogits", [logits, labels],
                                 name=scope[:-1], exact_name=True)
            return op.outputs[0]
        if ndims is not None and labels.shape.ndims is not None:
            labels.shape.assert_is_compatible_with(logits.shape)
        # Other ranks and axes: the same loss from log_softmax (the fused op is 2-D only).
        return math_ops.negative(
            math_ops.reduce_sum(math_ops.multiply(labels, log_softmax(logits, axis)), axis),
            name=scope)


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """tf.nn.softmax_cross_entropy_with_logits (v1): like _v2, but no gradient flows into
    `labels` (they pass through stop_gradient, as in TensorFlow 1.x)."""
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    axis = _deprecated_argument_lookup("axis", axis, "dim", dim)
    graph = get_default_graph()
    with graph.name_scope(name or "softmax_cross_entropy_with_logits_sg") as scope:
        labels = array_ops.stop_gradient(labels, name="labels_stop_gradient")
    return softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits, axis=axis,
                                                name=scope)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """tf.nn.sparse_softmax_cross_entropy_with_logits: labels are class indices (int32/int64)
    with the shape of logits minus its last axis."""
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    graph = get_default_graph()
    op_name = name or "SparseSoftmaxCrossEntropyWithLogits"
    with graph.name_scope(op_name):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        _check_float(logits, "features")
        if labels.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError("Value passed to parameter 'labels' has DataType %s not in list of "
                            "allowed values: int32, int64" % labels.dtype.name)
        label_shape, logit_shape = labels.shape, logits.shape
        if logit_shape.ndims == 0:
            raise ValueError("Logits cannot be scalars - received shape %s." % logit_shape)
        if logit_shape.ndims is not None and label_shape.ndims is not None:
            if label_shape.ndims != logit_shape.ndims - 1:
                raise ValueError("Rank mismatch: Rank of labels (received %s) should equal rank "
                                 "of logits minus 1 (received %s)."
                                 % (label_shape.ndims, logit_shape.ndims))
            if (label_shape.is_fully_defined() and TensorShape(logit_shape.dims[:-1])
                    .is_fully_defined() and label_shape.as_list() != logit_shape.as_list()[:-1]):
                raise ValueError("Shape mismatch: The shape of labels (received %s) should equal "
                                 "the shape of logits except for the last dimension (received "
                                 "%s)." % (label_shape, logit_shape))
        if logit_shape.ndims == 2:
            return output_of(graph.create_op("SparseSoftmaxCrossEntropyWithLogits",
                                             [logits, labels],
                                             name=op_name))[0]
        # Other ranks: flatten to [rows, classes], then restore the labels' shape.
        classes = logit_shape[-1].value if logit_shape.ndims is not None else None
        flat_logits = array_ops.reshape(logits, [-1, classes if classes is not None else
                                                 array_ops.shape(logits)[-1]])
        flat_labels = array_ops.reshape(labels, [-1])
        cost = output_of(graph.create_op("SparseSoftmaxCrossEntropyWithLogits",
                                         [flat_logits, flat_labels],
                                         name=op_name))[0]
        cost = array_ops.reshape(cost, array_ops.shape(labels))
        cost.set_shape(label_shape)
        return cost


# ----------------------------------------------------------------------------------------
# Losses and normalisation
# ----------------------------------------------------------------------------------------
@register_op("L2Loss")
class L2Loss(OpDef):
    def infer(inputs):
        return TensorShape([]), inputs[0].dtype

    def compute(t):
        flat = t.reshape(-1)
        return t.dtype.type(0.5) * np.dot(flat, flat)  # sum(t ** 2) / 2 without a temporary

    def grad(op, dy):
        return [math_ops.multiply(op.inputs[0], dy)]


def l2_loss(t, name=None):
    """tf.nn.l2_loss: sum(t ** 2) / 2 (weight decay's usual term)."""
    return _make_op("L2Loss", [t], name=name, input_names=["t"], float_inputs=1)


def _depth_window_sum(a, radius):
    """For each channel d, the sum of a[..., d-radius : d+radius+1] (clipped at the ends)."""
    out = a.copy()
    depth = a.shape[-1]
    for k in range(1, min(radius, depth - 1) + 1):
        out[..., k:] += a[..., :-k]
        out[..., :-k] += a[..., k:]
    return out


@register_op("LRN")
class LRN(OpDef):
    """Local response normalisation across channels:
    y = x / (bias + alpha * sum of x^2 over the 2*depth_radius+1 nearest channels) ** beta.
    alpha is NOT divided by the window size (TensorFlow's convention, unlike some papers)."""

    def infer(inputs, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
        _dims(inputs[0].shape, 4)
        return inputs[0].shape, inputs[0].dtype

    def compute(input, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):  # noqa: A002
        t = input.dtype.type
        norm = t(bias) + t(alpha) * _depth_window_sum(input * input, depth_radius)
        return input * norm ** t(-beta)

    def grad(op, dy):
        attrs = dict(op.attrs)
        return [_make_op("LRNGrad", [dy, op.inputs[0], op.outputs[0]], attrs)]


@register_op("LRNGrad")
class LRNGrad(OpDef):
    """dx of LRN: dy * norm^-beta - 2*alpha*beta * x * window_sum(dy * x * norm^(-beta-1))."""

    def infer(inputs, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
        return inputs[1].shape, inputs[1].dtype

    def compute(input_grads, input_image, output_image, depth_radius=5, bias=1.0, alpha=1.0,
                beta=0.5):
        dy, x = input_grads, input_image
        t = x.dtype.type
        norm = t(bias) + t(alpha) * _depth_window_sum(x * x, depth_radius)
        scale = norm ** t(-beta)
        through_norm = _depth_window_sum(dy * x * scale / norm, depth_radius)
        return dy * scale - t(2 * alpha * beta) * x * through_norm


def local_response_normalization(input, depth_radius=5, bias=1, alpha=1, beta=0.5,  # noqa: A002
                                 name=None):
    """tf.nn.lrn / tf.nn.local_response_normalization over the last (channel) axis."""
    attrs = {"depth_radius": int(depth_radius), "bias": float(bias), "alpha": float(alpha),
             "beta": float(beta)}
    return _make_op("LRN", [input], attrs, name, ["input"], float_inputs=1)


lrn = local_response_normalization


# ----------------------------------------------------------------------------------------
# Top-k
# ----------------------------------------------------------------------------------------
def _static_k(k_tensor):
    value = constant_value(k_tensor)
    return None if value is None else int(value)


@register_op("TopKV2")
class TopKV2(OpDef):
    """The k largest entries of the last axis and their indices; ties: lower index first."""

    def infer(inputs, sorted=True):  # noqa: A002 - TF's attribute name
        x, k_tensor = inputs
        k = _static_k(k_tensor)
        if k is not None and k < 0:
            raise ShapeError("Need k >= 0, got %d" % k)
        if x.shape.ndims is None:
            out = TensorShape(None)
        else:
            if x.shape.ndims == 0:
                raise ShapeError("Shape must be at least rank 1 but is rank 0")
            dims = x.shape.as_list()
            if k is not None and dims[-1] is not None and dims[-1] < k:
                raise ShapeError("input must have last dimension >= k = %d but is %d"
                                 % (k, dims[-1]))
            out = TensorShape(dims[:-1] + [k])
        return [(out, x.dtype), (out, dtypes.int32)]

    def compute(input, k, sorted=True):  # noqa: A002
        k = int(k)
        if input.shape[-1] < k:
            raise errors.InvalidArgumentError(None, None, "input must have at least k columns. "
                                              "Had %d, needed %d" % (input.shape[-1], k))
        # A stable ascending sort of the reversed row, read backwards, is a descending sort
        # in which equal values keep their original order (lower index first, as TF).
        last = input.shape[-1] - 1
        order = np.argsort(input[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
        indices = last - order
        return np.take_along_axis(input, indices, axis=-1), indices.astype(np.int32)

    def grad(op, dvalues, dindices):
        # Scatter each value's gradient back to the position it came from.
        x = op.inputs[0]
        depth = array_ops.shape(x)[-1] if x.shape[-1].value is None else x.shape[-1].value
        hot = array_ops.one_hot(op.outputs[1], depth, dtype=dvalues.dtype)
        return [math_ops.reduce_sum(math_ops.multiply(array_ops.expand_dims(dvalues, -1), hot),
                                    -2), None]


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002
    """tf.nn.top_k: (values, indices) of the k largest entries along the last axis."""
    values, indices = _make_op_mixed("TopKV2", [(input, None), (k, dtypes.int32)],
                                     {"sorted": bool(sorted)}, name, ["input", "k"])
    return _TopKResult(values, indices)


class _TopKResult(tuple):
    """TF returns a namedtuple TopKV2(values, indices)."""

    __slots__ = ()

    def __new__(cls, values, indices):
        return tuple.__new__(cls, (values, indices))

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]

    def __repr__(self):
        return "TopKV2(values=%r, indices=%r)" % self


@register_op("InTopKV2")
class InTopKV2(OpDef):
    """Whether each target class is among the k highest predictions of its row. Ties count
    as in (anything strictly greater is what pushes a class out); bad rows are False."""

    grad = NotDifferentiable

    def infer(inputs):
        predictions, targets, k = inputs
        batch, _ = _dims(predictions.shape, 2)
        (target_batch,) = _dims(targets.shape, 1)
        return TensorShape([_merge_dim(batch, target_batch)]), dtypes.bool

    def compute(predictions, targets, k):
        rows, classes = predictions.shape
        valid = (targets >= 0) & (targets < classes)
        safe = np.where(valid, targets, 0)
        target_values = predictions[np.arange(rows), safe]
        valid &= np.isfinite(target_values)
        greater = (predictions > target_values[:, None]).sum(axis=1)
        return valid & (greater < int(k))


def in_top_k(predictions, targets, k, name=None):
    """tf.nn.in_top_k: bool per row, True when targets[i] is in the top k of predictions[i]."""
    graph = get_default_graph()
    with graph.name_scope(name or "in_top_k"):
        predictions = convert_to_tensor(predictions, name="predictions")
        if predictions.dtype is not dtypes.float32:
            raise TypeError("Value passed to parameter 'predictions' has DataType %s not in "
                            "list of allowed values: float32" % predictions.dtype.name)
        targets = convert_to_tensor(targets, name="targets")
        return _make_op_mixed("InTopKV2", [(predictions, None), (targets, None),
                                           (k, targets.dtype)],
                              input_names=["predictions", "targets", "k"])

