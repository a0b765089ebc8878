"""bench/run.py measures the baseline beside every page: a page's ratio is to the baseline
runs just before and just after it, not to one taken minutes earlier (the machine's speed
drifts between runs)."""
from __future__ import annotations

from types import SimpleNamespace

from bench import run


def test_each_page_is_compared_with_the_baseline_either_side_of_it(monkeypatch):
    # the machine slows down as the run goes on: the baseline answers 1000, then 600, 300
    baseline_rps = iter([1000.0, 600.0, 300.0])
    page_rps = iter([250.0, 150.0])
    calls = []

    def fake_wrk(url, seconds, connections, cookies=None):
        calls.append(url)
        if url.startswith("http://baseline"):
            rps = next(baseline_rps)
        elif seconds == 1:  # the warm-up
            rps = 0.0
        else:
            rps = next(page_rps)
        return {"rps": rps, "p50_ms": 1.0, "p99_ms": 2.0, "requests": 10, "non_2xx": 0,
                "socket_errors": ""}

    monkeypatch.setattr(run, "wrk", fake_wrk)
    monkeypatch.setattr(run.httpx, "get", lambda url, timeout: SimpleNamespace(status_code=200))
    args = SimpleNamespace(seconds=5, connections=16)
    beside = run.Beside(SimpleNamespace(url="http://baseline"), args)
    rows: dict = {}
    run.run_pages(SimpleNamespace(url="http://forum"),
                  [("index", "/", False), ("latest", "/latest", False)],
                  ["visitor"], args, None, rows, beside)

    first, second = rows["/"]["runs"]["visitor"], rows["/latest"]["runs"]["visitor"]
    assert first["baseline_rps"] == 800.0 and first["ratio"] == round(250 / 800, 3)
    assert second["baseline_rps"] == 450.0 and second["ratio"] == round(150 / 450, 3)
    assert [r["rps"] for r in beside.runs] == [1000.0, 600.0, 300.0]
    # baseline, page (warm, run), baseline, page (warm, run), baseline
    assert [url.split("/")[2] for url in calls] == [
        "baseline", "forum", "forum", "baseline", "forum", "forum", "baseline"]


def test_a_page_that_is_not_there_costs_no_baseline_run(monkeypatch):
    monkeypatch.setattr(run, "wrk", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    monkeypatch.setattr(run.httpx, "get", lambda url, timeout: SimpleNamespace(status_code=404))
    args = SimpleNamespace(seconds=5, connections=16)
    beside = run.Beside(SimpleNamespace(url="http://baseline"), args)
    rows: dict = {}
    run.run_pages(SimpleNamespace(url="http://forum"), [("groups", "/groups", False)],
                  ["nocache"], args, None, rows, beside)
    assert rows["/groups"]["runs"]["nocache"] == {"status": "not available"}
    assert beside.runs == []


def test_with_repeat_a_page_is_measured_in_rounds_and_its_ratio_is_their_median(monkeypatch):
    # three rounds, each beside its own baseline runs; the second round landed in a slow
    # minute of the machine for the page only (its ratio is the outlier)
    baseline_rps = iter([1000.0, 1000.0, 800.0, 800.0])
    page_rps = iter([300.0, 100.0, 280.0])
    p99s = iter([10.0, 90.0, 12.0])
    calls = []

    def fake_wrk(url, seconds, connections, cookies=None):
        calls.append((url.split("/")[2], seconds))
        if url.startswith("http://baseline"):
            rps, p99 = next(baseline_rps), 1.0
        elif seconds == 1:  # the warm-up
            rps, p99 = 0.0, 1.0
        else:
            rps, p99 = next(page_rps), next(p99s)
        return {"rps": rps, "p50_ms": p99 / 2, "p99_ms": p99, "requests": 10, "non_2xx": 0,
                "socket_errors": ""}

    monkeypatch.setattr(run, "wrk", fake_wrk)
    monkeypatch.setattr(run.httpx, "get", lambda url, timeout: SimpleNamespace(status_code=200))
    args = SimpleNamespace(seconds=5, connections=16, repeat=3)
    beside = run.Beside(SimpleNamespace(url="http://baseline"), args)
    rows: dict = {}
    run.run_pages(SimpleNamespace(url="http://forum"), [("index", "/", False)], ["member"],
                  args, None, rows, beside)

    measured = rows["/"]["runs"]["member"]
    ratios = [round(300 / 1000, 3), round(100 / 900, 3), round(280 / 800, 3)]
    assert measured["round_ratios"] == ratios
    assert measured["ratio"] == round(300 / 1000, 3)  # the median of the three
    assert measured["rps"] == 280.0 and measured["baseline_rps"] == 900.0  # medians too
    assert measured["p99_ms"] == 12.0 and measured["p99_max_ms"] == 90.0
    # one warm-up, then each round's page run between two baseline runs
    assert calls == [("baseline", 5), ("forum", 1), ("forum", 5), ("baseline", 5),
                     ("forum", 5), ("baseline", 5), ("forum", 5), ("baseline", 5)]
