"""tinygraph asks glibc to keep big freed buffers for reuse, unless the user tuned malloc."""
import os
import sys

import pytest

from tinygraph.kernels import allocator


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_thresholds_are_set_on_linux(monkeypatch):
    for name in [n for n in os.environ if n.startswith(("MALLOC_", "GLIBC_TUNABLES"))]:
        monkeypatch.delenv(name)
    assert allocator.keep_freed_buffers() is True


def test_the_users_own_malloc_settings_win(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "2")
    assert allocator.keep_freed_buffers() is False
