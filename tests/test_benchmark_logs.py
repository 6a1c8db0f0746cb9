"""The benchmarks' synthetic logs are logs the kit reads: a format change (version 2 added two
columns) broke them once without a test noticing, and the benchmarks then measured nothing."""

from __future__ import annotations

import sys
from pathlib import Path

from etiquette_lab import read_events, read_requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synthetic_logs import write_synthetic_log


def test_a_synthetic_log_reads_as_the_events_it_was_asked_for(tmp_path):
    path = tmp_path / "synthetic.csv"
    write_synthetic_log(path, 500)
    events = read_events(path)
    assert len(events) == 500
    assert set(events["event"]) <= {"sent", "reminded", "responded", "thanked"}
    assert len(read_requests(path)) == int((events["event"] == "sent").sum())


def test_every_benchmark_imports(monkeypatch):
    # A benchmark that names a moved function fails here, not months later in `make bench`.
    import importlib.util

    folder = Path(__file__).resolve().parents[1] / "benchmarks"
    monkeypatch.syspath_prepend(str(folder))
    for path in sorted(folder.glob("*.py")):
        name = f"_bench_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, module)  # (dataclasses look their module up)
        spec.loader.exec_module(module)
