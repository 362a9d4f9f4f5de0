"""tinygraph: the TensorFlow 1.x graph API, small and readable. `import tinygraph as tf`.

This module is the `tf` namespace: re-exports only, no logic.
"""
__version__ = "1.15.0.dev0+tinygraph.0.1"  # a 1.x-looking version: TF1 scripts check it
VERSION = __version__

import os as _os
import sys as _sys

# The kernels split their work over one pool of Python threads (tinygraph/kernels/blas.py),
# each part a single-threaded numba loop or BLAS call. OpenBLAS's own worker threads
# spin-wait and fight those threads (and other processes): on a loaded 2-core machine a step
# took 20-40x longer. So BLAS runs single-threaded. OpenBLAS reads this when numpy loads, so
# it is set before numpy is imported (a user's own setting always wins); if the script
# imported numpy first, its OpenBLAS is switched to one thread below.
_numpy_loaded_first = "numpy" in _sys.modules and "OPENBLAS_NUM_THREADS" not in _os.environ
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if _numpy_loaded_first:
    from tinygraph.kernels.blas import make_openblas_single_threaded as _single_threaded_blas
    _single_threaded_blas()

from tinygraph.kernels.allocator import keep_freed_buffers as _keep_freed_buffers

_keep_freed_buffers()  # big freed buffers are reused, not faulted in again (see allocator.py)

from tinygraph.framework import dtypes as _dtypes
from tinygraph.framework import errors
from tinygraph.framework.dtypes import (DType, as_dtype, bool, double, float16, float32,  # noqa: A004
                                        float64, half, int8, int16, int32, int64, string, uint8,
                                        uint16)
from tinygraph.framework.graph import (Graph, GraphKeys, Operation, Tensor, convert_to_tensor,
                                       get_default_graph, reset_default_graph)
from tinygraph.framework.tensor_shape import Dimension, TensorShape
from tinygraph.ops import operators as _operators
# Each ops module lists its public names in __all__; the tf namespace is their union.
from tinygraph.ops.array_ops import *  # noqa: F401,F403
from tinygraph.ops.cond_ops import *  # noqa: F401,F403
from tinygraph.ops.constant_op import *  # noqa: F401,F403
from tinygraph.ops.control_flow_ops import *  # noqa: F401,F403
from tinygraph.ops.debug_ops import *  # noqa: F401,F403
from tinygraph.ops.init_ops import *  # noqa: F401,F403
from tinygraph.ops.math_ops import *  # noqa: F401,F403
from tinygraph.ops.random_ops import *  # noqa: F401,F403
from tinygraph.ops.state_ops import *  # noqa: F401,F403
from tinygraph.ops.variable_scope import *  # noqa: F401,F403
from tinygraph.autodiff import gradients, hessians
from tinygraph.session import InteractiveSession, Session, get_default_session
from tinygraph.ops import init_ops as initializers
from tinygraph import (app, compat, contrib, data, debugging, examples, flags, keras, layers,
                       losses, metrics, nn, summary, train)
from tinygraph import tf_math as math
from tinygraph import tf_logging as logging
from tinygraph import test
from tinygraph._missing import missing_attribute_hook as _missing_attribute_hook

_operators.install_operators()

newaxis = None


def name_scope(name, default_name=None, values=None):
    """tf.name_scope: a context manager yielding the scope string ('a/b/')."""
    graph = get_default_graph()
    if values:
        for v in values:
            g = getattr(v, "graph", None)
            if g is not None and g is not graph:
                graph = g
                break
    return graph.name_scope(name if name is not None else default_name)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def device(device_name):
    return get_default_graph().device(device_name)


def set_random_seed(seed):
    get_default_graph().seed = seed


def disable_v2_behavior():
    """tf.compat.v1.disable_v2_behavior(): tinygraph only has TF1 behaviour."""


def disable_eager_execution():
    """tinygraph is graph-mode only, as TF1 was."""


def executing_eagerly():
    return False


_missing_tf_attribute = _missing_attribute_hook("tf")


def __getattr__(name):
    # tinygraph.viz (networkx, layout code) loads on first use, keeping `import tinygraph` light.
    if name == "viz":
        import importlib
        return importlib.import_module("tinygraph.viz")
    return _missing_tf_attribute(name)
