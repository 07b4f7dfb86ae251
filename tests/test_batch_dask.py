"""bimcheck batch on a Dask cluster: a LocalCluster started here gives the reports the local pool gives."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bimcheck.errors import BimcheckError
from bimcheck.rules.loader import load_rules
from bimcheck.workflows.batch import plan_batch, run_batch
from tests.test_batch import bids, cli, without_timestamps  # noqa: F401  (bids is a fixture)

ENTRY_POINT = Path(sys.executable).with_name("bimcheck")

try:
    import distributed
except ImportError:  # the dev extra brings it (bimcheck[cluster]); CI must have it
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip("dask[distributed] is not installed: pip install -e '.[dev]'", allow_module_level=True)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """Two worker processes on localhost; closed however the tests end."""
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,  # workers import bimcheck and unpickle the rules themselves
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close(timeout=60)


def batch_files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.name != "summary.json"}


def comparable(out: Path) -> list[dict[str, object]]:
    """Summary entries without what differs between runs (time taken)."""
    models = json.loads((out / "summary.json").read_text(encoding="utf-8"))["models"]
    return [{k: v for k, v in entry.items() if k != "seconds"} for entry in models]


def test_dask_gives_the_reports_the_local_pool_gives(scheduler: str, bids: dict[str, Path]) -> None:  # noqa: F811
    formats = ("-f", "json", "-f", "xml", "-f", "html")
    local = bids["out"].with_name("lokalt")
    code, _, _ = cli("batch", bids["models"], "-r", bids["rules"], "--out", local, "--jobs", 2, *formats)
    assert code == 2

    cluster_out = bids["out"].with_name("kluster")
    args = [
        str(ENTRY_POINT),
        "batch",
        str(bids["models"]),
        "-r",
        str(bids["rules"]),
        "--out",
        str(cluster_out),
    ]
    # A subprocess, like a user's; its timeout ends a batch that would otherwise wait for ever.
    done = subprocess.run(
        [*args, "--scheduler", scheduler, *formats], capture_output=True, timeout=300, check=False
    )
    assert done.returncode == 2, done.stderr.decode()

    local_files, cluster_files = batch_files(local), batch_files(cluster_out)
    assert sorted(cluster_files) == sorted(local_files)
    assert len(local_files) == 9, "three models checked, three formats each"
    for name, data in local_files.items():
        assert without_timestamps(cluster_files[name]) == without_timestamps(data), name
    assert comparable(cluster_out) == comparable(local)
    broken = [e for e in comparable(cluster_out) if e["result"] == "error"]
    assert len(broken) == 1
    assert str(broken[0]["error"]).endswith(
        "trasig.ifc: model file is truncated or not an IFC-SPF file (no END-ISO-10303-21;)"
    )

    # Resuming on the cluster trusts the reports the cluster wrote.
    again = subprocess.run(
        [*args, "--scheduler", scheduler, *formats, "--resume"], capture_output=True, timeout=300, check=False
    )
    assert again.returncode == 2
    resumed = {Path(str(e["model"])).name: e["resumed"] for e in comparable(cluster_out) if not e["resumed"]}
    assert list(resumed) == ["trasig.ifc"], "all but the broken model are skipped"


def test_an_unreachable_scheduler_is_one_line_and_no_hang(bids: dict[str, Path]) -> None:  # noqa: F811
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    rules = load_rules([bids["rules"]])
    plan = plan_batch([bids["models"]], [bids["rules"]], rules, bids["out"], ["json"])
    with pytest.raises(
        BimcheckError, match=rf"cannot connect to the Dask scheduler at tcp://127.0.0.1:{port}"
    ):
        run_batch(plan, rules, scheduler=f"tcp://127.0.0.1:{port}", connect_timeout=2)
    summary = json.loads((bids["out"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is False
    assert not [p for p in bids["out"].iterdir() if p.name != "summary.json"], "no report was written"
