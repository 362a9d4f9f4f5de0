"""Numeric kernels for tinygraph: convolution (``conv``, ``winograd``), pooling (``pool``),
fused elementwise loops (``elementwise``) and the shared worker pool (``blas``).

Importing this package is cheap: numba is only imported by ``conv``, ``winograd``, ``pool``
and ``elementwise``, which the ops load on first use; ``blas``, ``padding`` and
``reference`` need numpy only.
"""
