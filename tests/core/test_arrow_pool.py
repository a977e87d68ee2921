"""Arrow allocates from the system allocator in MLDesk's processes, unless the user chose a pool."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

BACKEND = "import pyarrow as pa; print(pa.default_memory_pool().backend_name)"


def _backend(code: str, pool: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if pool:
        env["ARROW_DEFAULT_MEMORY_POOL"] = pool
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize("order", ["import desktop_app; " + BACKEND, "import pyarrow; import desktop_app; " + BACKEND])
def test_the_system_allocator_whichever_is_imported_first(order: str) -> None:
    assert _backend(BACKEND) != "system"   # pyarrow's own default, so the test below means something
    assert _backend(order) == "system"


def test_a_pool_the_user_chose_is_kept() -> None:
    assert _backend("import desktop_app; " + BACKEND, pool="system") == "system"
    assert _backend("import pyarrow; import desktop_app; " + BACKEND, pool="mimalloc") == "mimalloc"
