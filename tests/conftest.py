import os
import sys
import time
from pathlib import Path

# One BLAS thread per process, in the workers and every process they start: the suite runs many
# processes at once, and OpenBLAS's own threads (one per core, which spin while they wait) would
# only compete with them. exmachina's engines run on one thread anyway.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))  # the oracle and the recording runtime

import commands  # noqa: E402
from viewing import browser, page, runs  # noqa: E402, F401 - the live view's fixtures, for tests/test_view*.py

# `--dist loadgroup` (pyproject.toml): each test goes on its own to whichever worker is free, except the
# tests marked with one `xdist_group`, which go to one worker, in order (`grouped` below): the README's
# blocks run in one folder, each using what the ones before wrote; test_shards.py's tests and
# test_durable.py's sharded run drive one two-node Ray cluster, started once (the `cluster` fixture
# below); the tests that use PyTorch ("torch": the oracle, the soft targets, the bench's PyTorch peer)
# run where it was imported once (about 6 CPU-seconds with its compiler, which torch.optim imports).


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: a worker more than the cores, since many tests mostly wait (on Ray's round trips, a
    browser, a paced run) while the others keep the cores busy."""
    return len(os.sched_getaffinity(0)) + 1


def pytest_sessionfinish() -> None:
    """This worker's forking process (tests/commands.py) ends with the session and is waited for, so
    that the CPU time of the commands it forked counts as this worker's children's; the Ray cluster
    stops if it still runs (a run stopped early)."""
    commands.close()
    if sys.modules.get("test_shards") and sys.modules["test_shards"].CLUSTER:
        sys.modules["test_shards"].stop_cluster()


# -- the Ray cluster of test_shards.py, shared with the sharded run that test_durable.py kills ------------


@pytest.fixture
def cluster() -> str:
    """The address of a running two-node Ray cluster, started by the first test that asks for it and
    stopped once the next test does not (pytest_runtest_teardown): its tests are one `xdist_group`,
    "ray-cluster", which one worker runs one after another, so the cluster starts once. Idle, its
    processes would go on taking CPU time for the rest of the session."""
    import test_shards

    return test_shards.CLUSTER.get("address") or test_shards.start_cluster()


@pytest.fixture
def ray(cluster: str):
    """This process joined to the cluster, as `Network.fit(shards=...)` finds it."""
    import ray

    if not ray.is_initialized():
        ray.init(address=cluster, log_to_driver=False, logging_level="ERROR")
        deadline = time.monotonic() + 60
        while sum(n["Alive"] for n in ray.nodes()) < 2:
            assert time.monotonic() < deadline, "the second node never joined"
            time.sleep(0.2)
    return ray


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """The cluster stopped after the last of the tests in a row that use it."""
    shards = sys.modules.get("test_shards")
    if shards and shards.CLUSTER and (nextitem is None or not {"cluster", "ray"} & set(nextitem.fixturenames)):
        shards.stop_cluster()


@pytest.hookimpl(tryfirst=True)  # before `-m` chooses
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that uses the browser is marked `browser`, so that `-m "not browser"` leaves it out. Then
    the slow tests and the groups first, so that none of them is left to run alone at the end, each
    group's tests together and in their order."""
    for item in items:
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        if getattr(config.option, "loadgroup", False) and hasattr(item, "_id"):  # a worker of `--dist loadgroup`
            grouped(item)
    items.sort(key=lambda item: (item.get_closest_marker("xdist_group") is None
                                 and item.get_closest_marker("slow") is None, group_of(item)))


def group_of(item: pytest.Item) -> str:
    """The test's `xdist_group` ("" if none): with `-n 0` too, a group's tests run one after another (one
    start of the Ray cluster for all of them)."""
    mark = item.get_closest_marker("xdist_group")
    return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default")) if mark else ""


def grouped(item: pytest.Item) -> None:
    """What pytest-xdist (3.8) does on a worker for `--dist loadgroup`, done where its way no longer works:
    it appends `@group` to a grouped test's id, for the controller to send the group to one worker, by
    setting `item._nodeid`, which pytest 9.2 no longer reads (the id is `item._id`, parsed from its
    string). Without it each test of a group went to whichever worker was free: test_shards.py's cluster
    was started on each of the three, and the README's blocks ran in different folders."""
    names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                    for mark in item.iter_markers("xdist_group")})
    if names and not item.nodeid.endswith(f"@{'_'.join(names)}"):
        item._id = type(item._id).parse(f"{item.nodeid}@{'_'.join(names)}")
