"""Arithmetic, comparisons, reductions and matmul: each op's shape rule, kernel and gradient."""
import math

import numpy as np

from tinygraph.framework import dtypes, errors
from tinygraph.framework.constant_value import constant_value
from tinygraph.framework.graph import Tensor, convert_to_tensor, get_default_graph
from tinygraph.framework.registry import NotDifferentiable, OpDef, ShapeError, register_op
from tinygraph.framework.tensor_shape import TensorShape
from tinygraph.kernels import blas
from tinygraph.ops.op_util import apply_op, convert_same_dtype, output_of
from tinygraph.ops.shape_rules import broadcast_shape, reduced_shape

# The public API this module adds to the `tf` namespace (tinygraph/__init__.py).
__all__ = [
    "abs",
    "add",
    "add_n",
    "arg_max",
    "arg_min",
    "argmax",
    "argmin",
    "cast",
    "ceil",
    "clip_by_norm",
    "clip_by_value",
    "cos",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "div",
    "divide",
    "equal",
    "erf",
    "exp",
    "expm1",
    "floor",
    "floor_div",
    "floordiv",
    "floormod",
    "greater",
    "greater_equal",
    "is_finite",
    "is_inf",
    "is_nan",
    "less",
    "less_equal",
    "log",
    "log1p",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "matmul",
    "maximum",
    "minimum",
    "mod",
    "multiply",
    "negative",
    "norm",
    "not_equal",
    "pow",
    "realdiv",
    "reciprocal",
    "reduce_all",
    "reduce_any",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_sum",
    "rint",
    "round",
    "rsqrt",
    "scalar_mul",
    "sigmoid",
    "sign",
    "sin",
    "sqrt",
    "square",
    "squared_difference",
    "subtract",
    "tanh",
    "to_double",
    "to_float",
    "to_int32",
    "to_int64",
    "truediv",
    "truncatediv",
    "truncatemod",
]


# ----------------------------------------------------------------------------------------
# Broadcasting support for gradients
# ----------------------------------------------------------------------------------------
@register_op("BroadcastGradientArgs")
class BroadcastGradientArgs(OpDef):
    """For shapes s0, s1 broadcast together: the axes each input's gradient must be summed over."""

    grad = NotDifferentiable

    def infer(inputs):
        return [([None], dtypes.int32), ([None], dtypes.int32)]

    def compute(s0, s1):
        n = max(len(s0), len(s1))
        a = [1] * (n - len(s0)) + list(s0)
        b = [1] * (n - len(s1)) + list(s1)
        r0 = [i for i in range(n) if a[i] == 1 and b[i] != 1]
        r1 = [i for i in range(n) if b[i] == 1 and a[i] != 1]
        # Leading axes that one input lacks are summed too.
        r0 = sorted(set(r0) | set(range(n - len(s0))))
        r1 = sorted(set(r1) | set(range(n - len(s1))))
        return np.array(r0, dtype=np.int32), np.array(r1, dtype=np.int32)


def broadcast_gradient_args(s0, s1, name=None):
    return apply_op("BroadcastGradientArgs", [s0, s1], name=name)


def unbroadcast(grad_x, grad_y, x, y):
    """Sum each gradient over the axes its input was broadcast along, then restore its shape."""
    if (x.shape.is_fully_defined() and y.shape.is_fully_defined()
            and x.shape == y.shape):
        return grad_x, grad_y
    from tinygraph.ops.array_ops import reshape, shape
    sx = shape(x)
    sy = shape(y)
    rx, ry = broadcast_gradient_args(sx, sy)
    gx = None if grad_x is None else reshape(reduce_sum(grad_x, rx), sx)
    gy = None if grad_y is None else reshape(reduce_sum(grad_y, ry), sy)
    return gx, gy


# ----------------------------------------------------------------------------------------
# Binary elementwise ops
# ----------------------------------------------------------------------------------------
class BinaryElementwise(OpDef):
    """Two inputs of one dtype, broadcast together; the output has that dtype."""

    numeric_inputs = (0, 1)

    def infer(inputs):
        x, y = inputs
        if x.dtype is not y.dtype:
            raise ShapeError("Input dtypes %s and %s do not match" % (x.dtype.name, y.dtype.name))
        return broadcast_shape(x.shape, y.shape), x.dtype


class Comparison(OpDef):
    """Elementwise comparison: broadcast, bool output, no gradient."""

    numeric_inputs = (0, 1)

    grad = NotDifferentiable

    def infer(inputs):
        x, y = inputs
        return broadcast_shape(x.shape, y.shape), dtypes.bool


@register_op("Add")
class Add(BinaryElementwise):
    def compute(x, y):
        return x + y

    def grad(op, dy):
        x, y = op.inputs
        return list(unbroadcast(dy, dy, x, y))


@register_op("Sub")
class Sub(BinaryElementwise):
    def compute(x, y):
        return x - y

    def grad(op, dy):
        x, y = op.inputs
        return list(unbroadcast(dy, negative(dy), x, y))


@register_op("Mul")
class Mul(BinaryElementwise):
    def compute(x, y):
        return x * y

    def grad(op, dy):
        x, y = op.inputs
        return list(unbroadcast(multiply(dy, y), multiply(x, dy), x, y))


def _div_kernel(x, y):
    """Float division without numpy's divide-by-zero warnings (TF returns inf/nan silently)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(x, y, dtype=x.dtype if isinstance(x, np.ndarray) else None)


@register_op("RealDiv")
class RealDiv(BinaryElementwise):
    def compute(x, y):
        if isinstance(y, np.ndarray) and y.dtype.kind == "f" and not y.all():
            return _div_kernel(x, y)
        return x / y

    def grad(op, dy):
        x, y = op.inputs
        gx = divide(dy, y)
        gy = multiply(dy, divide(divide(negative(x), y), y))
        return list(unbroadcast(gx, gy, x, y))


@register_op("Maximum")
class Maximum(BinaryElementwise):
    def compute(x, y):
        return np.maximum(x, y)

    def grad(op, dy):
        # Ties send the gradient to x, as TensorFlow does.
        x, y = op.inputs
        x_wins = greater_equal(x, y)
        zeros = _zeros_like_grad(dy)
        from tinygraph.ops.array_ops import where
        return list(unbroadcast(where(x_wins, dy, zeros), where(x_wins, zeros, dy), x, y))


@register_op("Minimum")
class Minimum(BinaryElementwise):
    def compute(x, y):
        return np.minimum(x, y)

    def grad(op, dy):
        x, y = op.inputs
        x_wins = less_equal(x, y)
        zeros = _zeros_like_grad(dy)
        from tinygraph.ops.array_ops import where
        return list(unbroadcast(where(x_wins, dy, zeros), where(x_wins, zeros, dy), x, y))


@register_op("SquaredDifference")
class SquaredDifference(BinaryElementwise):
    def compute(x, y):
        d = x - y
        return d * d

    def grad(op, dy):
        x, y = op.inputs
        two = convert_to_tensor(2.0, dtype=dy.dtype)
        gx = multiply(multiply(two, dy), subtract(x, y))
        return list(unbroadcast(gx, negative(gx), x, y))


def _check_integer_divisor(y):
    """TF refuses integer division by zero (numpy would only warn and return 0)."""
    if not np.all(y):
        raise errors.InvalidArgumentError(None, None, "Integer division by zero")


def _is_integer_array(x):
    return np.asarray(x).dtype.kind in "iu"


@register_op("FloorDiv")
class FloorDiv(BinaryElementwise):
    """x // y, rounded toward -infinity. Floats compute floor(x / y) as TF's kernel does,
    so 1.0 // 0.1 is 10.0 (numpy's floor_divide says 9.0)."""

    def compute(x, y):
        if _is_integer_array(x):
            _check_integer_divisor(y)
            return np.floor_divide(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.floor(np.true_divide(x, y))

    def grad(op, dy):
        return [None, None]  # piecewise constant: TF returns no gradient


@register_op("FloorMod")
class FloorMod(BinaryElementwise):
    """x % y with the sign of y (Python's %), for integers and floats."""

    def compute(x, y):
        if _is_integer_array(x):
            _check_integer_divisor(y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.mod(x, y)

    def grad(op, dy):
        # x % y = x - floor(x / y) * y, so d/dx = 1 and d/dy = -floor(x / y).
        x, y = op.inputs
        gy = multiply(dy, negative(floor_div(x, y)))
        return list(unbroadcast(dy, gy, x, y))


@register_op("TruncateDiv")
class TruncateDiv(BinaryElementwise):
    """Division rounded toward zero (C semantics for integers, trunc(x / y) for floats)."""

    def compute(x, y):
        if not _is_integer_array(x):
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.trunc(np.true_divide(x, y)).astype(np.result_type(x, y), copy=False)
        _check_integer_divisor(y)
        quotient = np.floor_divide(x, y)
        # Floor and truncation differ by one when the signs differ and there is a remainder.
        adjust = (np.mod(x, y) != 0) & ((np.asarray(x) < 0) != (np.asarray(y) < 0))
        return (quotient + adjust.astype(quotient.dtype)).astype(quotient.dtype)

    def grad(op, dy):
        return [None, None]


@register_op("TruncateMod")
class TruncateMod(BinaryElementwise):
    """x % y with the sign of x (C's fmod). TF registers no gradient for it."""

    def compute(x, y):
        if _is_integer_array(x):
            _check_integer_divisor(y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.fmod(x, y)


@register_op("Pow")
class Pow(BinaryElementwise):
    def compute(x, y):
        if _is_integer_array(x):
            if np.any(np.asarray(y) < 0):
                raise errors.InvalidArgumentError(
                    None, None, "Integers to negative integer powers are not allowed")
            return np.power(x, y)
        with np.errstate(all="ignore"):
            return np.power(x, y)

    def grad(op, dy):
        # d/dx x^y = y * x^(y-1); d/dy x^y = x^y * log(x), taken as 0 where x <= 0
        # (TF's mask avoids a false singularity at x = 0 and NaNs for negative x).
        from tinygraph.ops.array_ops import ones_like, where, zeros_like
        x, y = op.inputs
        z = op.outputs[0]
        gx = multiply(multiply(dy, y), pow(x, subtract(y, 1)))
        mask = greater(x, 0)
        safe_x = where(mask, x, ones_like(x))
        log_x = where(mask, log(safe_x), zeros_like(x))
        gy = multiply(multiply(dy, z), log_x)
        return list(unbroadcast(gx, gy, x, y))


class LogicalBinary(OpDef):
    """Elementwise and/or of two bool tensors, broadcast together."""

    grad = NotDifferentiable

    def infer(inputs):
        x, y = inputs
        return broadcast_shape(x.shape, y.shape), dtypes.bool


@register_op("LogicalAnd")
class LogicalAnd(LogicalBinary):
    def compute(x, y):
        return np.logical_and(x, y)


@register_op("LogicalOr")
class LogicalOr(LogicalBinary):
    def compute(x, y):
        return np.logical_or(x, y)


def _comparison(type_name, fn, numeric_inputs=(0, 1)):
    cls = type(type_name, (Comparison,), {"compute": fn, "numeric_inputs": numeric_inputs})
    return register_op(type_name)(cls)


_comparison("Less", np.less)
_comparison("LessEqual", np.less_equal)
_comparison("Greater", np.greater)
_comparison("GreaterEqual", np.greater_equal)
_comparison("Equal", np.equal, numeric_inputs=())  # equality is defined for bools too
_comparison("NotEqual", np.not_equal, numeric_inputs=())


# ----------------------------------------------------------------------------------------
# Unary elementwise ops
# ----------------------------------------------------------------------------------------
class UnaryElementwise(OpDef):
    numeric_inputs = (0,)

    def infer(inputs):
        (x,) = inputs
        return x.shape, x.dtype


@register_op("Neg")
class Neg(UnaryElementwise):
    def compute(x):
        return -x

    def grad(op, dy):
        return [negative(dy)]


@register_op("Square")
class Square(UnaryElementwise):
    def compute(x):
        return x * x

    def grad(op, dy):
        (x,) = op.inputs
        with get_default_graph().control_dependencies([dy]):
            two_x = multiply(x, convert_to_tensor(2.0, dtype=x.dtype))
        return [multiply(dy, two_x)]


@register_op("Exp")
class Exp(UnaryElementwise):
    def compute(x):
        return np.exp(x)

    def grad(op, dy):
        return [multiply(dy, op.outputs[0])]


@register_op("Log")
class Log(UnaryElementwise):
    def compute(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    def grad(op, dy):
        (x,) = op.inputs
        return [multiply(dy, reciprocal(x))]


@register_op("Reciprocal")
class Reciprocal(UnaryElementwise):
    def compute(x):
        with np.errstate(divide="ignore"):
            return np.reciprocal(x)

    def grad(op, dy):
        y = op.outputs[0]
        return [negative(multiply(dy, multiply(y, y)))]


@register_op("Abs")
class Abs(UnaryElementwise):
    def compute(x):
        return np.abs(x)

    def grad(op, dy):
        # sign(0) = 0: the kink at 0 gets gradient 0, as in TF.
        return [multiply(dy, sign(op.inputs[0]))]


@register_op("Sign")
class Sign(UnaryElementwise):
    def compute(x):
        return np.sign(x)

    def grad(op, dy):
        from tinygraph.ops.array_ops import zeros_like
        return [zeros_like(op.inputs[0])]


@register_op("Sqrt")
class Sqrt(UnaryElementwise):
    def compute(x):
        with np.errstate(invalid="ignore"):
            return np.sqrt(x)

    def grad(op, dy):
        return [apply_op("SqrtGrad", [op.outputs[0], dy])]


@register_op("Rsqrt")
class Rsqrt(UnaryElementwise):
    def compute(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.reciprocal(np.sqrt(x))

    def grad(op, dy):
        return [apply_op("RsqrtGrad", [op.outputs[0], dy])]


@register_op("Log1p")
class Log1p(UnaryElementwise):
    def compute(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x)

    def grad(op, dy):
        (x,) = op.inputs
        with get_default_graph().control_dependencies([dy]):
            return [multiply(dy, reciprocal(add(convert_to_tensor(1, dtype=x.dtype), x)))]


@register_op("Expm1")
class Expm1(UnaryElementwise):
    def compute(x):
        with np.errstate(over="ignore"):
            return np.expm1(x)

    def grad(op, dy):
        with get_default_graph().control_dependencies([dy]):
            return [multiply(dy, exp(op.inputs[0]))]


def _sigmoid(x):
    """1 / (1 + exp(-x)) without overflow: exp only ever sees -|x|."""
    e = np.exp(-np.abs(x))
    return np.where(np.asarray(x) >= 0, 1 / (1 + e), e / (1 + e))


@register_op("Sigmoid")
class Sigmoid(UnaryElementwise):
    def compute(x):
        return _sigmoid(x)

    def grad(op, dy):
        with get_default_graph().control_dependencies([dy]):
            return [apply_op("SigmoidGrad", [op.outputs[0], dy])]


@register_op("Tanh")
class Tanh(UnaryElementwise):
    def compute(x):
        return np.tanh(x)

    def grad(op, dy):
        with get_default_graph().control_dependencies([dy]):
            return [apply_op("TanhGrad", [op.outputs[0], dy])]


# Gradient kernels (y, dy) -> dx, written in terms of the forward output y, as TF's.
# Their own gradients make second derivatives (tf.hessians) work.
class GradientKernel(OpDef):
    def infer(inputs):
        y, dy = inputs
        return y.shape, y.dtype


@register_op("SqrtGrad")
class SqrtGrad(GradientKernel):
    def compute(y, dy):
        with np.errstate(divide="ignore", invalid="ignore"):
            return dy * 0.5 / y

    def grad(op, g):
        y = op.inputs[0]
        out = op.outputs[0]  # 0.5 * dy / y
        with get_default_graph().control_dependencies([g]):
            ga = divide(g, y)
            half = convert_to_tensor(0.5, dtype=g.dtype)
            return [negative(multiply(ga, out)), multiply(half, ga)]


@register_op("RsqrtGrad")
class RsqrtGrad(GradientKernel):
    def compute(y, dy):
        return -0.5 * dy * y * y * y

    def grad(op, g):
        y, dy = op.inputs  # out = -0.5 * dy * y^3
        with get_default_graph().control_dependencies([g]):
            factor = convert_to_tensor(-1.5, dtype=g.dtype)
            grad_y = multiply(multiply(multiply(factor, g), dy), square(y))
            return [grad_y, apply_op("RsqrtGrad", [y, g])]


@register_op("SigmoidGrad")
class SigmoidGrad(GradientKernel):
    def compute(y, dy):
        return dy * (y * (1 - y))

    def grad(op, g):
        y, dy = op.inputs  # out = dy * y * (1 - y)
        with get_default_graph().control_dependencies([g]):
            gb = multiply(g, dy)
            two = convert_to_tensor(2.0, dtype=g.dtype)
            return [subtract(gb, multiply(multiply(two, gb), y)), apply_op("SigmoidGrad", [y, g])]


@register_op("TanhGrad")
class TanhGrad(GradientKernel):
    def compute(y, dy):
        return dy * (1 - y * y)

    def grad(op, g):
        y, dy = op.inputs  # out = dy * (1 - y^2)
        with get_default_graph().control_dependencies([g]):
            minus_two = convert_to_tensor(-2.0, dtype=g.dtype)
            return [multiply(multiply(multiply(g, minus_two), dy), y), apply_op("TanhGrad", [y, g])]


class NoGradient(UnaryElementwise):
    """Piecewise-constant functions: TF's gradient is None (not zeros)."""

    def grad(op, dy):
        return [None]


@register_op("Floor")
class Floor(NoGradient):
    def compute(x):
        return np.floor(x)


@register_op("Ceil")
class Ceil(NoGradient):
    def compute(x):
        return np.ceil(x)


@register_op("Round")
class Round(NoGradient):
    """Rounds half to even (banker's rounding), like TF and numpy."""

    def compute(x):
        return np.round(x)


@register_op("Rint")
class Rint(NoGradient):
    def compute(x):
        return np.rint(x)


@register_op("Sin")
class Sin(UnaryElementwise):
    def compute(x):
        return np.sin(x)

    def grad(op, dy):
        with get_default_graph().control_dependencies([dy]):
            return [multiply(dy, cos(op.inputs[0]))]


@register_op("Cos")
class Cos(UnaryElementwise):
    def compute(x):
        return np.cos(x)

    def grad(op, dy):
        with get_default_graph().control_dependencies([dy]):
            return [negative(multiply(dy, sin(op.inputs[0])))]


_erf = np.vectorize(math.erf, otypes=[np.float64])


@register_op("Erf")
class Erf(UnaryElementwise):
    def compute(x):
        return np.asarray(_erf(x)).astype(np.asarray(x).dtype)

    def grad(op, dy):
        # d/dx erf(x) = 2 / sqrt(pi) * exp(-x^2)
        (x,) = op.inputs
        two_over_root_pi = convert_to_tensor(2 / np.sqrt(np.pi), dtype=dy.dtype)
        with get_default_graph().control_dependencies([dy]):
            return [multiply(multiply(dy, two_over_root_pi), exp(negative(square(x))))]


class FloatPredicate(OpDef):
    grad = NotDifferentiable

    def infer(inputs):
        return inputs[0].shape, dtypes.bool


@register_op("IsFinite")
class IsFinite(FloatPredicate):
    def compute(x):
        return np.isfinite(x)


@register_op("IsNan")
class IsNan(FloatPredicate):
    def compute(x):
        return np.isnan(x)


@register_op("IsInf")
class IsInf(FloatPredicate):
    def compute(x):
        return np.isinf(x)


@register_op("LogicalNot")
class LogicalNot(UnaryElementwise):
    numeric_inputs = ()

    grad = NotDifferentiable

    def compute(x):
        return np.logical_not(x)


@register_op("Cast")
class Cast(OpDef):
    def infer(inputs, dtype):
        return inputs[0].shape, dtype

    def compute(x, dtype):
        return np.asarray(x).astype(dtype.as_numpy_dtype)

    def grad(op, dy):
        (x,) = op.inputs
        if x.dtype.is_floating and op.outputs[0].dtype.is_floating:
            return [cast(dy, x.dtype)]
        return [None]


# ----------------------------------------------------------------------------------------
# Reductions
# ----------------------------------------------------------------------------------------
def _static_axes(axes_tensor):
    value = constant_value(axes_tensor)
    return None if value is None else [int(a) for a in np.asarray(value).reshape(-1)]


class Reduction(OpDef):
    """Inputs (x, axes); attribute keep_dims. An empty axes list reduces nothing."""

    numeric_inputs = (0,)

    def infer(inputs, keep_dims=False):
        x, axes = inputs
        static = _static_axes(axes)
        if static is None:
            if keep_dims and x.shape.ndims is not None:
                return TensorShape([None] * x.shape.ndims), x.dtype
            return TensorShape(None), x.dtype
        return reduced_shape(x.shape, static, keep_dims), x.dtype

    @staticmethod
    def axes_tuple(axes):
        # .tolist() is the cheapest way from a small int array to Python ints (hot path).
        axes = axes.tolist() if isinstance(axes, np.ndarray) else axes
        return tuple(axes) if isinstance(axes, list) else (int(axes),)


@register_op("Sum")
class Sum(Reduction):
    def compute(x, axes, keep_dims=False):
        return np.add.reduce(x, axis=Reduction.axes_tuple(axes), keepdims=keep_dims, dtype=x.dtype)

    def grad(op, dy):
        x, axes = op.inputs
        return [_broadcast_reduction_grad(dy, x, axes), None]


@register_op("Mean")
class Mean(Reduction):
    def compute(x, axes, keep_dims=False):
        axis = Reduction.axes_tuple(axes)
        if x.dtype.kind in "iu":
            total = np.sum(x, axis=axis, keepdims=keep_dims, dtype=np.int64)
            count = max(int(np.prod([x.shape[a] for a in axis])), 1)
            # C++ integer division truncates toward zero (numpy's // floors).
            return (np.sign(total) * (np.abs(total) // count)).astype(x.dtype)
        total = np.add.reduce(x, axis=axis, keepdims=keep_dims, dtype=x.dtype)
        count = x.size // total.size if total.size else 0
        if count == 0:
            return np.full_like(total, np.nan)  # the mean of nothing, as TF returns
        return total / x.dtype.type(count)

    def grad(op, dy):
        x, axes = op.inputs
        y = op.outputs[0]
        summed = _broadcast_reduction_grad(dy, x, axes)
        in_size, out_size = x.shape.num_elements(), y.shape.num_elements()
        if in_size is not None and out_size is not None:
            factor = convert_to_tensor(in_size // max(out_size, 1), dtype=dy.dtype)
        else:
            from tinygraph.ops.array_ops import size
            factor = divide(cast(size(x), dy.dtype), cast(maximum(size(y), 1), dy.dtype))
        return [divide(summed, factor), None]


class ExtremumReduction(Reduction):
    """Max and Min: their gradient is shared equally by the tied extreme values."""

    def grad(op, dy):
        from tinygraph.ops.array_ops import reshape, shape
        x, axes = op.inputs
        kept = apply_op("ReducedShape", [shape(x), axes])
        y = reshape(op.outputs[0], kept)
        dy = reshape(dy, kept)
        indicators = cast(equal(y, x), dy.dtype)
        num_selected = reshape(reduce_sum(indicators, axes), kept)
        return [multiply(divide(indicators, num_selected), dy), None]


def _empty_reduction_start(x, lowest):
    """The value TF's max (lowest=True) or min reduction gives over no elements."""
    if x.dtype.kind == "f":
        return -np.inf if lowest else np.inf
    if x.dtype.kind == "b":
        return not lowest
    info = np.iinfo(x.dtype)
    return info.min if lowest else info.max


@register_op("Max")
class Max(ExtremumReduction):
    def compute(x, axes, keep_dims=False):
        x = np.asarray(x)
        extra = {"initial": _empty_reduction_start(x, True)} if x.size == 0 else {}
        return np.max(x, axis=Reduction.axes_tuple(axes), keepdims=keep_dims, **extra)


@register_op("Min")
class Min(ExtremumReduction):
    def compute(x, axes, keep_dims=False):
        x = np.asarray(x)
        extra = {"initial": _empty_reduction_start(x, False)} if x.size == 0 else {}
        return np.min(x, axis=Reduction.axes_tuple(axes), keepdims=keep_dims, **extra)


@register_op("Prod")
class Prod(Reduction):
    def compute(x, axes, keep_dims=False):
        return np.prod(x, axis=Reduction.axes_tuple(axes), keepdims=keep_dims,
                       dtype=np.asarray(x).dtype)

    def grad(op, dy):
        # d prod / d x_i is the product of the OTHER elements of x_i's group. Computing it
        # with exclusive cumulative products (not prod / x_i) keeps zeros in x working.
        x, axes = op.inputs
        rank = x.shape.ndims
        static = _static_axes(axes)
        if rank is None or static is None:
            raise NotImplementedError(
                "The gradient of reduce_prod needs reduction axes known when the graph is "
                "built and an input of known rank; got axes %s for %s" % (axes, x))
        normalized = sorted({a % rank for a in static}) if rank else []
        spread = _broadcast_reduction_grad(dy, x, axes)
        if not normalized:
            return [spread, None]
        return [multiply(spread, _product_of_the_others(x, normalized)), None]


def _product_of_the_others(x, axes):
    """For each element, the product of the other elements of its group over `axes`.

    Over one axis it is (exclusive cumprod from the left) * (exclusive cumprod from the
    right). Over the axes [a] + rest: the product over rest of every other slice along a,
    times the product of the others within the element's own slice.
    """
    first, rest = axes[0], axes[1:]
    if rest:
        partial = reduce_prod(x, rest, keepdims=True)
        return multiply(_product_of_the_others(partial, [first]),
                        _product_of_the_others(x, rest))
    left = cumprod(x, first, exclusive=True)
    right = cumprod(x, first, exclusive=True, reverse=True)
    return multiply(left, right)


class LogicalReduction(Reduction):
    numeric_inputs = ()

    grad = NotDifferentiable


@register_op("Any")
class Any(LogicalReduction):
    def compute(x, axes, keep_dims=False):
        return np.any(x, axis=Reduction.axes_tuple(axes), keepdims=keep_dims)


@register_op("All")
class All(LogicalReduction):
    def compute(x, axes, keep_dims=False):
        return np.all(x, axis=Reduction.axes_tuple(axes), keepdims=keep_dims)


class ArgReduction(OpDef):
    """Index of the largest/smallest value along one axis (the first one among ties)."""

    grad = NotDifferentiable

    def infer(inputs, output_type=dtypes.int64):
        x, dimension = inputs
        if x.shape.ndims is None:
            return TensorShape(None), output_type
        dims = x.shape.as_list()
        value = constant_value(dimension)
        if value is None:
            return TensorShape([None] * max(len(dims) - 1, 0)), output_type
        axis = int(np.asarray(value).reshape(-1)[0])
        rank = len(dims)
        if not -rank <= axis < rank:
            raise ShapeError("Dimension (%d) must be in the range [%d, %d), where %d is the "
                             "number of dimensions in the input." % (axis, -rank, rank, rank))
        del dims[axis % rank]
        return TensorShape(dims), output_type


@register_op("ArgMax")
class ArgMax(ArgReduction):
    def compute(x, dimension, output_type=dtypes.int64):
        return np.argmax(x, axis=int(dimension)).astype(output_type.as_numpy_dtype)


@register_op("ArgMin")
class ArgMin(ArgReduction):
    def compute(x, dimension, output_type=dtypes.int64):
        return np.argmin(x, axis=int(dimension)).astype(output_type.as_numpy_dtype)


# ----------------------------------------------------------------------------------------
# Cumulative sums and products
# ----------------------------------------------------------------------------------------
class Cumulative(OpDef):
    """Inputs (x, axis); attributes exclusive (leave out the element itself) and reverse."""

    def infer(inputs, exclusive=False, reverse=False):
        x, axis = inputs
        return x.shape, x.dtype

    @staticmethod
    def run(accumulate, identity, x, axis, exclusive, reverse):
        x = np.asarray(x)
        axis = int(axis)
        if not -x.ndim <= axis < x.ndim:  # TF checks the axis only when the op runs
            message = "ScanOp: Expected scan axis in the range [%d, %d), but got %d"
            raise errors.InvalidArgumentError(None, None, message % (-x.ndim, x.ndim, axis))
        axis %= x.ndim
        if reverse:
            x = np.flip(x, axis)
        out = accumulate(x, axis=axis, dtype=x.dtype)
        if exclusive and x.shape[axis]:
            # Shift by one along the axis: element i gets the total of the elements before it.
            moved = np.moveaxis(out, axis, 0)
            shifted = np.empty_like(moved)
            shifted[0] = identity
            shifted[1:] = moved[:-1]
            out = np.moveaxis(shifted, 0, axis)
        if reverse:
            out = np.flip(out, axis)
        return np.ascontiguousarray(out)


@register_op("Cumsum")
class Cumsum(Cumulative):
    def compute(x, axis, exclusive=False, reverse=False):
        return Cumulative.run(np.cumsum, 0, x, axis, exclusive, reverse)

    def grad(op, dy):
        axis = op.inputs[1]
        return [cumsum(dy, axis, exclusive=op.attrs["exclusive"],
                       reverse=not op.attrs["reverse"]), None]


@register_op("Cumprod")
class Cumprod(Cumulative):
    def compute(x, axis, exclusive=False, reverse=False):
        return Cumulative.run(np.cumprod, 1, x, axis, exclusive, reverse)

    def grad(op, dy):
        # TF's formula; like TF it divides by x, so it is NaN where x has zeros.
        x, axis = op.inputs
        exclusive, reverse = op.attrs["exclusive"], op.attrs["reverse"]
        prod = cumprod(x, axis, exclusive=exclusive, reverse=reverse)
        out = cumsum(multiply(prod, dy), axis, exclusive=exclusive, reverse=not reverse)
        return [divide(out, x), None]


@register_op("ReducedShape")
class ReducedShape(OpDef):
    """The shape `x` has after reducing `axes` with keep_dims=True (used by reduction grads)."""

    grad = NotDifferentiable

    def infer(inputs):
        return inputs[0].shape, dtypes.int32

    def compute(shape, axes):
        out = np.array(shape, dtype=np.int32, copy=True)
        rank = len(out)
        for a in np.asarray(axes).reshape(-1):
            out[int(a) % rank] = 1
        return out


@register_op("BroadcastTo")
class BroadcastTo(OpDef):
    def infer(inputs):
        x, shape = inputs
        from tinygraph.framework.constant_value import constant_shape
        target = constant_shape(shape)
        return TensorShape(target), x.dtype

    def compute(x, shape):
        return np.array(np.broadcast_to(x, tuple(shape)))  # a copy: callers may not write views

    def grad(op, dy):
        x, shape = op.inputs
        return [unbroadcast(dy, None, x, op.outputs[0])[0], None]


def _broadcast_reduction_grad(dy, x, axes):
    """dy of a reduction, reshaped to keep_dims form and broadcast back to x's shape."""
    from tinygraph.ops.array_ops import reshape, shape
    x_shape = shape(x)
    kept = apply_op("ReducedShape", [x_shape, axes])
    return apply_op("BroadcastTo", [reshape(dy, kept), x_shape])


# ----------------------------------------------------------------------------------------
# Matrix multiplication
# ----------------------------------------------------------------------------------------
@register_op("MatMul")
class MatMul(OpDef):
    numeric_inputs = (0, 1)

    def infer(inputs, transpose_a=False, transpose_b=False):
        a, b = inputs
        if a.dtype is not b.dtype:
            raise ShapeError("Input dtypes %s and %s do not match" % (a.dtype.name, b.dtype.name))
        for t in (a, b):
            if t.shape.ndims is not None and t.shape.ndims != 2:
                raise ShapeError("Shape must be rank 2 but is rank %d" % t.shape.ndims)
        sa = a.shape.as_list() if a.shape.ndims else [None, None]
        sb = b.shape.as_list() if b.shape.ndims else [None, None]
        m, k = (sa[1], sa[0]) if transpose_a else (sa[0], sa[1])
        k2, n = (sb[1], sb[0]) if transpose_b else (sb[0], sb[1])
        if k is not None and k2 is not None and k != k2:
            raise ShapeError("Dimensions must be equal, but are %d and %d" % (k, k2))
        return TensorShape([m, n]), a.dtype

    def compute(a, b, transpose_a=False, transpose_b=False):
        if transpose_a:
            a = a.T
        if transpose_b:
            b = b.T
        return blas.matmul(a, b)

    def grad(op, dy):
        a, b = op.inputs
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
        if not ta and not tb:
            return [matmul(dy, b, transpose_b=True), matmul(a, dy, transpose_a=True)]
        if ta and not tb:
            return [matmul(b, dy, transpose_b=True), matmul(a, dy)]
        if not ta and tb:
            return [matmul(dy, b), matmul(dy, a, transpose_a=True)]
        return [matmul(b, dy, transpose_a=True, transpose_b=True),
                matmul(dy, a, transpose_a=True, transpose_b=True)]


@register_op("BatchMatMul")
class BatchMatMul(OpDef):
    """Matrix products over the last two axes; the leading (batch) axes broadcast.
    adj_x / adj_y transpose the last two axes of an input first (the adjoint of real data)."""

    numeric_inputs = (0, 1)

    def infer(inputs, adj_x=False, adj_y=False):
        x, y = inputs
        if x.dtype is not y.dtype:
            raise ShapeError("Input dtypes %s and %s do not match" % (x.dtype.name, y.dtype.name))
        if x.shape.ndims is None or y.shape.ndims is None:
            return TensorShape(None), x.dtype
        for t in (x, y):
            if t.shape.ndims < 2:
                raise ShapeError("Shape must be at least rank 2 but is rank %d" % t.shape.ndims)
        sx, sy = x.shape.as_list(), y.shape.as_list()
        m, k = (sx[-1], sx[-2]) if adj_x else (sx[-2], sx[-1])
        k2, n = (sy[-1], sy[-2]) if adj_y else (sy[-2], sy[-1])
        if k is not None and k2 is not None and k != k2:
            raise ShapeError("Dimensions must be equal, but are %d and %d" % (k, k2))
        batch = broadcast_shape(TensorShape(sx[:-2]), TensorShape(sy[:-2]))
        return TensorShape(batch.as_list() + [m, n]), x.dtype

    def compute(x, y, adj_x=False, adj_y=False):
        if adj_x:
            x = np.swapaxes(x, -1, -2)
        if adj_y:
            y = np.swapaxes(y, -1, -2)
        return np.matmul(x, y)

    def grad(op, dy):
        x, y = op.inputs
        adj_x, adj_y = op.attrs["adj_x"], op.attrs["adj_y"]
        if not adj_x and not adj_y:
            gx, gy = matmul(dy, y, adjoint_b=True), matmul(x, dy, adjoint_a=True)
        elif not adj_x:
            gx, gy = matmul(dy, y), matmul(dy, x, adjoint_a=True)
        elif not adj_y:
            gx, gy = matmul(y, dy, adjoint_b=True), matmul(x, dy)
        else:
            gx = matmul(y, dy, adjoint_a=True, adjoint_b=True)
            gy = matmul(dy, x, adjoint_a=True, adjoint_b=True)
        if (x.shape.is_fully_defined() and y.shape.is_fully_defined()
                and x.shape == y.shape):
            return [gx, gy]
        # Sum each gradient over the batch axes its input was broadcast along. TF compares
        # shape(x)[:-2] with shape(y)[:-2]; setting the two matrix dims to 1 (ReducedShape
        # over axes -2, -1) gives the same reduction axes without slicing.
        from tinygraph.ops.array_ops import reshape, shape
        sx, sy = shape(x), shape(y)
        matrix_axes = convert_to_tensor(np.array([-2, -1], dtype=np.int32), name="matrix_axes")
        rx, ry = broadcast_gradient_args(apply_op("ReducedShape", [sx, matrix_axes]),
                                         apply_op("ReducedShape", [sy, matrix_axes]))
        return [reshape(reduce_sum(gx, rx), sx), reshape(reduce_sum(gy, ry), sy)]


# ----------------------------------------------------------------------------------------
# Public wrappers (tf.add, tf.matmul, ...)
# ----------------------------------------------------------------------------------------
def _binary(op_type, x, y, name):
    return apply_op(op_type, [x, y], name=name, input_names=["x", "y"], same_dtype=True)


def add(x, y, name=None):
    return _binary("Add", x, y, name)


def subtract(x, y, name=None):
    return _binary("Sub", x, y, name)


def multiply(x, y, name=None):
    return _binary("Mul", x, y, name)


def divide(x, y, name=None):
    """tf.divide / tf.truediv: float division (integers are cast to float first, as TF)."""
    graph = get_default_graph()
    with graph.name_scope(name or "truediv") as scope:
        x, y = _as_same_dtype_tensors(x, y)
        if x.dtype.is_integer:
            target = dtypes.float64 if x.dtype.size >= 4 else dtypes.float32
            x, y = cast(x, target), cast(y, target)
        return apply_op("RealDiv", [x, y], name=scope)


truediv = divide


def realdiv(x, y, name=None):
    return _binary("RealDiv", x, y, name)


def maximum(x, y, name=None):
    return _binary("Maximum", x, y, name)


def minimum(x, y, name=None):
    return _binary("Minimum", x, y, name)


def squared_difference(x, y, name=None):
    return _binary("SquaredDifference", x, y, name)


def less(x, y, name=None):
    return _binary("Less", x, y, name)


def less_equal(x, y, name=None):
    return _binary("LessEqual", x, y, name)


def greater(x, y, name=None):
    return _binary("Greater", x, y, name)


def greater_equal(x, y, name=None):
    return _binary("GreaterEqual", x, y, name)


def equal(x, y, name=None):
    return _binary("Equal", x, y, name)


def not_equal(x, y, name=None):
    return _binary("NotEqual", x, y, name)


def negative(x, name=None):
    return apply_op("Neg", [x], name=name, input_names=["x"])


def square(x, name=None):
    return apply_op("Square", [x], name=name, input_names=["x"])


def exp(x, name=None):
    return apply_op("Exp", [x], name=name, input_names=["x"])


def log(x, name=None):
    return apply_op("Log", [x], name=name, input_names=["x"])


def reciprocal(x, name=None):
    return apply_op("Reciprocal", [x], name=name, input_names=["x"])


def cast(x, dtype, name=None):
    dtype = dtypes.as_dtype(dtype)
    x = convert_to_tensor(x)
    if x.dtype is dtype:
        return x
    return apply_op("Cast", [x], {"dtype": dtype}, name=name or "Cast")


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


def _as_same_dtype_tensors(x, y):
    from tinygraph.ops.op_util import convert_same_dtype
    return convert_same_dtype([x, y], ["x", "y"], "RealDiv")


def _reduction_axes(x, axis, name_for_const):
    """TF1: with axis None, the axes are a Const made outside the op's scope ('Const')."""
    if axis is None:
        rank = x.shape.ndims
        if rank is not None:
            return convert_to_tensor(np.arange(rank, dtype=np.int32), name="Const")
        from tinygraph.ops.array_ops import range as range_, rank as rank_
        return range_(0, rank_(x), 1)
    return axis


def _resolve_keepdims(keepdims, keep_dims):
    if keepdims is not None and keep_dims is not None:
        raise ValueError("Cannot specify both 'keepdims' and 'keep_dims'")
    value = keepdims if keepdims is not None else keep_dims
    return bool(value)


def _resolve_axis(axis, reduction_indices):
    if axis is not None and reduction_indices is not None:
        raise ValueError("Cannot specify both 'axis' and 'reduction_indices'")
    return axis if axis is not None else reduction_indices


def _reduce(op_type, input_tensor, axis, keepdims, name, reduction_indices, keep_dims):
    keep = _resolve_keepdims(keepdims, keep_dims)
    axis = _resolve_axis(axis, reduction_indices)
    x = convert_to_tensor(input_tensor)
    axes = _reduction_axes(x, axis, "Const")
    graph = get_default_graph()
    with graph.name_scope(name or op_type) as scope:
        if not isinstance(axes, Tensor):
            axes = convert_to_tensor(np.asarray(axes, dtype=np.int32), name="reduction_indices")
        op = graph.create_op(op_type, [x, axes], {"keep_dims": keep}, name=scope[:-1],
                             exact_name=True)
    return op.outputs[0]


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce("Sum", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    return _reduce("Mean", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """tf.matmul for rank-2 operands (MatMul); higher or unknown ranks use BatchMatMul."""
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    transpose_a = transpose_a or adjoint_a  # real dtypes only: the adjoint is the transpose
    transpose_b = transpose_b or adjoint_b
    graph = get_default_graph()
    with graph.name_scope(name or "MatMul") as scope:
        a, b = convert_same_dtype([a, b], ["a", "b"], "MatMul")
        ranks = (a.shape.ndims, b.shape.ndims)
        if any(r is None or r > 2 for r in ranks):
            op = graph.create_op("BatchMatMul", [a, b], {"adj_x": transpose_a, "adj_y": transpose_b},
                                 name=scope[:-1], exact_name=True)
        else:
            op = graph.create_op("MatMul", [a, b], {"transpose_a": transpose_a,
                                                    "transpose_b": transpose_b},
                                 name=scope[:-1], exact_name=True)
    return op.outputs[0]


def _zeros_like_grad(dy):
    from tinygraph.ops.array_ops import zeros_like
    return zeros_like(dy)


@register_op("AddN")
class AddN(OpDef):
    def infer(inputs):
        shape = inputs[0].shape
        for t in inputs[1:]:
            if t.dtype is not inputs[0].dtype:
                raise ShapeError("AddN expects inputs of one dtype, got %s and %s"
                                 % (inputs[0].dtype.name, t.dtype.name))
            if not shape.is_compatible_with(t.shape):
                raise ShapeError("Shapes %s and %s are not compatible" % (shape, t.shape))
            shape = shape.merge_with(t.shape)
        return shape, inputs[0].dtype

    def compute(*values):
        if len(values) == 1:
            return values[0]
        total = values[0] + values[1]
        for v in values[2:]:
            total += v
        return total

    def grad(op, dy):
        return [dy] * len(op.inputs)


def add_n(inputs, name=None):
    inputs = list(inputs)
    if not inputs:
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype and shape")
    if len(inputs) == 1:
        from tinygraph.ops.array_ops import identity
        return identity(inputs[0], name=name)
    return apply_op("AddN", inputs, name=name or "AddN", same_dtype=True,
                    input_names=["inputs_%d" % i for i in range(len(inputs))])


# ----------------------------------------------------------------------------------------
# Public wrappers for division, powers, logic, unary functions and the other reductions
# ----------------------------------------------------------------------------------------
_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)
_INTEGERS = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8, dtypes.uint16)
_NUMBERS = _FLOATS + _INTEGERS
_BOOL = (dtypes.bool,)


def _require_dtype(tensor, allowed, param, op_type):
    """TF's graph-building TypeError for an input whose dtype the op does not accept."""
    if tensor.dtype in allowed:
        return
    if allowed == _BOOL:  # ops whose inputs are always bool word it differently in TF
        raise TypeError("Input '%s' of '%s' Op has type %s that does not match expected type "
                        "of bool." % (param, op_type, tensor.dtype.name))
    raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                    "values: %s" % (param, tensor.dtype.name, ", ".join(d.name for d in allowed)))


def _checked_op(op_type, inputs, allowed, name=None, attrs=None, input_names=("x", "y")):
    """Like apply_op with same_dtype=True, refusing dtypes outside `allowed` (TypeError)."""
    graph = get_default_graph()
    input_names = list(input_names[:len(inputs)])
    with graph.name_scope(name or op_type) as scope:
        tensors = convert_same_dtype(inputs, input_names, op_type)
        for tensor, param in zip(tensors, input_names):
            _require_dtype(tensor, allowed, param, op_type)
        op = graph.create_op(op_type, tensors, attrs, name=scope[:-1], exact_name=True)
    return output_of(op)


def floor_div(x, y, name=None):
    """tf.floor_div: the FloorDiv op under its own name."""
    return _checked_op("FloorDiv", [x, y], _NUMBERS, name)


def floordiv(x, y, name=None):
    """tf.floordiv and `x // y`: division rounded toward -infinity, for ints and floats."""
    with get_default_graph().name_scope(name or "floordiv") as scope:
        return floor_div(x, y, name=scope)


def floormod(x, y, name=None):
    """tf.floormod / tf.mod and `x % y`: the remainder has the sign of y."""
    return _checked_op("FloorMod", [x, y], _NUMBERS, name)


mod = floormod


def truncatediv(x, y, name=None):
    """Division rounded toward zero, for integers and floats."""
    return _checked_op("TruncateDiv", [x, y], _NUMBERS, name)


def truncatemod(x, y, name=None):
    return _checked_op("TruncateMod", [x, y], _NUMBERS, name)


def pow(x, y, name=None):  # noqa: A001 - tf.pow
    """tf.pow and `x ** y`, elementwise."""
    with get_default_graph().name_scope(name or "Pow") as scope:
        return _checked_op("Pow", [x, y], _NUMBERS, scope)


def div(x, y, name=None):
    """tf.div: Python 2 division. Floats divide (RealDiv), integers floor-divide (FloorDiv)."""
    graph = get_default_graph()
    with graph.name_scope(name or "div") as scope:
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, dtype=x.dtype, name="y")
        if x.dtype.is_floating:
            return realdiv(x, y, name=scope)
        return floor_div(x, y, name=scope)


def scalar_mul(scalar, x, name=None):
    """tf.scalar_mul: a scalar (converted to x's dtype) times x."""
    scalar = convert_to_tensor(scalar, dtype=x.dtype, name="scalar")
    if scalar.shape.ndims != 0:
        raise ValueError("Only scalar multiply works, got shape %s" % scalar.shape)
    return multiply(scalar, x, name)


def logical_and(x, y, name=None):
    return _checked_op("LogicalAnd", [x, y], _BOOL, name)


def logical_or(x, y, name=None):
    return _checked_op("LogicalOr", [x, y], _BOOL, name)


def logical_not(x, name=None):
    return _checked_op("LogicalNot", [x], _BOOL, name)


def logical_xor(x, y, name="LogicalXor"):
    """(x or y) and not (x and y): TF1 builds it from three ops plus the final LogicalAnd."""
    with get_default_graph().name_scope(name or "LogicalXor") as scope:
        either = logical_or(x, y)
        both = logical_and(x, y)
        return logical_and(either, logical_not(both), name=scope)


def _unary_op(op_type, x, name, allowed=_FLOATS):
    return _checked_op(op_type, [x], allowed, name)


def abs(x, name=None):  # noqa: A001 - tf.abs
    return _unary_op("Abs", x, name, _NUMBERS)


def sign(x, name=None):
    return _unary_op("Sign", x, name, _NUMBERS)


def sqrt(x, name=None):
    return _unary_op("Sqrt", x, name)


def rsqrt(x, name=None):
    return _unary_op("Rsqrt", x, name)


def log1p(x, name=None):
    return _unary_op("Log1p", x, name)


def expm1(x, name=None):
    return _unary_op("Expm1", x, name)


def sigmoid(x, name=None):
    """tf.sigmoid (tf.nn.sigmoid): 1 / (1 + exp(-x))."""
    return _unary_op("Sigmoid", x, name)


def tanh(x, name=None):
    return _unary_op("Tanh", x, name)


def floor(x, name=None):
    return _unary_op("Floor", x, name)


def ceil(x, name=None):
    return _unary_op("Ceil", x, name)


def round(x, name=None):  # noqa: A001 - tf.round
    """Rounds half to even; integer tensors are returned unchanged (no op), as in TF."""
    x = convert_to_tensor(x, name="x")
    if x.dtype.is_integer:
        return x
    return _unary_op("Round", x, name)


def rint(x, name=None):
    return _unary_op("Rint", x, name)


def sin(x, name=None):
    return _unary_op("Sin", x, name)


def cos(x, name=None):
    return _unary_op("Cos", x, name)


def erf(x, name=None):
    return _unary_op("Erf", x, name)


def is_finite(x, name=None):
    return _unary_op("IsFinite", x, name)


def is_nan(x, name=None):
    return _unary_op("IsNan", x, name)


def is_inf(x, name=None):
    return _unary_op("IsInf", x, name)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce("Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    return _reduce("Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    return _reduce("Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    x = convert_to_tensor(input_tensor)
    _require_dtype(x, _BOOL, "input", "Any")
    return _reduce("Any", x, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    x = convert_to_tensor(input_tensor)
    _require_dtype(x, _BOOL, "input", "All")
    return _reduce("All", x, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                     keep_dims=None):
    """log(sum(exp(x))) computed as max + log(sum(exp(x - max))), so exp cannot overflow.

    The max is a constant for the gradient (stop_gradient), and an infinite max is replaced
    by 0 so that all -inf inputs give -inf rather than NaN, exactly as TF1 builds it.
    """
    from tinygraph.ops.array_ops import reshape, shape, stop_gradient, where, zeros_like
    keep = _resolve_keepdims(keepdims, keep_dims)
    axis = _resolve_axis(axis, reduction_indices)
    x = convert_to_tensor(input_tensor)
    with get_default_graph().name_scope(name or "ReduceLogSumExp") as scope:
        raw_max = reduce_max(x, axis=axis, keepdims=True)
        my_max = stop_gradient(where(is_finite(raw_max), raw_max, zeros_like(raw_max)))
        result = log(reduce_sum(exp(subtract(x, my_max)), axis, keepdims=keep))
        if not keep:
            my_max = reshape(my_max, shape(result))
        return add(result, my_max, name=scope)


def _arg_reduce(op_type, input, axis, name, output_type):  # noqa: A002
    output_type = dtypes.as_dtype(output_type)
    if output_type not in (dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter 'output_type' has DataType %s not in list of "
                        "allowed values: int32, int64" % output_type.name)
    return apply_op(op_type, [input, axis], {"output_type": output_type}, name=name,
                    input_names=["input", "dimension"])


def _arg_axis(axis, dimension):
    if axis is not None and dimension is not None:
        raise ValueError("Cannot specify both 'axis' and 'dimension'")
    axis = axis if axis is not None else dimension
    return 0 if axis is None else axis


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """Index of the largest value along `axis` (default 0; old name `dimension`)."""
    return _arg_reduce("ArgMax", input, _arg_axis(axis, dimension), name, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    return _arg_reduce("ArgMin", input, _arg_axis(axis, dimension), name, output_type)


def arg_max(input, dimension, name=None, output_type=dtypes.int64):  # noqa: A002
    """tf.arg_max: the raw ArgMax op (deprecated TF1 name)."""
    return _arg_reduce("ArgMax", input, dimension, name, output_type)


def arg_min(input, dimension, name=None, output_type=dtypes.int64):  # noqa: A002
    return _arg_reduce("ArgMin", input, dimension, name, output_type)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sums along `axis`: [a, b, c] -> [a, a+b, a+b+c] (exclusive: [0, a, a+b])."""
    return apply_op("Cumsum", [x, axis], {"exclusive": bool(exclusive), "reverse": bool(reverse)},
                    name=name, input_names=["x", "axis"])


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running products along `axis`: [a, b, c] -> [a, ab, abc] (exclusive: [1, a, ab])."""
    return apply_op("Cumprod", [x, axis], {"exclusive": bool(exclusive), "reverse": bool(reverse)},
                    name=name, input_names=["x", "axis"])


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """min(max(t, lo), hi) built as TF does: Minimum, then Maximum named `clip_by_value`.

    The tie rules of Minimum and Maximum (ties go to the first input) make the gradient
    pass where lo <= t <= hi, bounds included.
    """
    with get_default_graph().name_scope(name or "clip_by_value") as scope:
        values = convert_to_tensor(t, name="t")
        t_min = minimum(values, clip_value_max)
        # The bounds may not broadcast t to a bigger shape (ValueError, as TF).
        values.shape.merge_with(t_min.shape)
        t_max = maximum(t_min, clip_value_min, name=scope)
        values.shape.merge_with(t_max.shape)
    return t_max


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """t * clip_norm / max(l2norm(t), clip_norm): rescales t so its L2 norm is <= clip_norm."""
    from tinygraph.ops.array_ops import identity, ones_like, where
    with get_default_graph().name_scope(name or "clip_by_norm") as scope:
        values = convert_to_tensor(t, name="t")
        l2sum = reduce_sum(multiply(values, values), axes, keepdims=True)
        pred = greater(l2sum, 0)
        # The double where keeps the gradient finite when the norm is 0.
        l2sum_safe = where(pred, l2sum, ones_like(l2sum))
        l2norm = where(pred, sqrt(l2sum_safe), l2sum)
        intermediate = multiply(values, clip_norm)
        values.shape.merge_with(intermediate.shape)
        return identity(divide(intermediate, maximum(l2norm, clip_norm)), name=scope)


def count_nonzero(input_tensor, axis=None, keepdims=None, dtype=dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None):
    from tinygraph.ops.array_ops import zeros
    keep = _resolve_keepdims(keepdims, keep_dims)
    axis = _resolve_axis(axis, reduction_indices)
    with get_default_graph().name_scope(name or "count_nonzero"):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        zero = zeros([], dtype=x.dtype)
        nonzero = cast(not_equal(x, zero), dtypes.int64)
        return cast(reduce_sum(nonzero, axis=axis, keepdims=keep), dtype)


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None,  # noqa: A002
         keep_dims=None):
    """tf.norm: vector norms (euclidean/2, 1, inf, any p > 0) over all elements or one axis,
    matrix norms ('fro'/'euclidean', 1, inf) over a pair of axes."""
    keep = _resolve_keepdims(keepdims, keep_dims)
    is_matrix_norm = isinstance(axis, (tuple, list)) and len(axis) == 2
    if is_matrix_norm:
        axis = tuple(axis)
        if not isinstance(axis[0], int) or not isinstance(axis[1], int) or axis[0] == axis[1]:
            raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             "got %s" % (axis,))
        supported = ["euclidean", "fro", 1, 2, np.inf]
        if ord not in supported:
            raise ValueError("'ord' must be a supported matrix norm in %s, got %s"
                             % (supported, ord))
        if ord == 2:
            raise NotImplementedError("tf.norm(ord=2) of a matrix (its largest singular value) "
                                      "is not supported by tinygraph")
    else:
        if not (isinstance(axis, int) or axis is None):
            raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             "got %s" % (axis,))
        positive = isinstance(ord, (int, float)) and not isinstance(ord, bool) and ord > 0
        if not positive and ord not in ["euclidean", 1, 2, np.inf]:
            raise ValueError("'ord' must be a supported vector norm, got %s" % (ord,))
        if axis is not None:
            axis = (axis,)
    axes = None if axis is None else list(axis)
    # TF reduces with keepdims=True and squeezes at the end; reducing with `keep` directly
    # gives the same values and shape (a max over an already-reduced size-1 axis is a no-op).
    with get_default_graph().name_scope(name or "norm"):
        tensor = convert_to_tensor(tensor)
        if ord in ("fro", "euclidean", 2, 2.0):
            return sqrt(reduce_sum(tensor * tensor, axes, keepdims=keep))
        magnitude = abs(tensor)
        if ord == 1:
            if is_matrix_norm:  # largest column sum
                sums = reduce_sum(magnitude, axis[0], keepdims=True)
                return reduce_max(sums, axes, keepdims=keep)
            return reduce_sum(magnitude, axes, keepdims=keep)
        if ord == np.inf:
            if is_matrix_norm:  # largest row sum
                sums = reduce_sum(magnitude, axis[1], keepdims=True)
                return reduce_max(sums, axes, keepdims=keep)
            return reduce_max(magnitude, axes, keepdims=keep)
        return pow(reduce_sum(pow(magnitude, ord), axes, keepdims=keep), 1.0 / ord)
