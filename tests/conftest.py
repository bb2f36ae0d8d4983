import os
import sys
from pathlib import Path

# One BLAS thread per process, in the workers and every process they start: the suite runs many
# processes at once, and OpenBLAS's own threads (one per core, which spin while they wait) would
# only compete with them. exmachina's engines run on one thread anyway.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import pytest  # noqa: E402
from xdist.scheduler import LoadScopeScheduling  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))  # the oracle and the recording runtime

from viewing import browser, page, runs  # noqa: E402, F401 - the live view's fixtures, for tests/test_view*.py

# Files whose tests share one process: the README's blocks run in order in one folder, each using what
# the ones before wrote; test_shards.py's tests drive one two-node Ray cluster, started once.
TOGETHER = ("test_readme.py", "test_shards.py")


class OneByOne(LoadScopeScheduling):
    """`--dist loadscope` as this suite means it: each test goes on its own to whichever worker is free,
    except the tests of a file in TOGETHER, which go to one worker, in order (the biggest units first)."""

    def _split_scope(self, nodeid: str) -> str:
        file = nodeid.split("::", 1)[0]
        return file if Path(file).name in TOGETHER else nodeid


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: a worker more than the cores, since many tests mostly wait (on Ray's round trips, a
    browser, a paced run) while the others keep the cores busy."""
    return len(os.sched_getaffinity(0)) + 1


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log) -> LoadScopeScheduling | None:
    return OneByOne(config, log) if config.getvalue("dist") == "loadscope" else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, so that none of them is left to run alone at the end (the files in TOGETHER
    keep their order)."""
    items.sort(key=lambda item: item.path.name not in TOGETHER and item.get_closest_marker("slow") is None)
