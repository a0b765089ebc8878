"""Markup rendering at its bounds (issue 13, point 2): the worst bodies forum/markup.py still
renders as markup, and pathological ones beyond the bounds, timed in-process.

    /work/venv/bin/python -m bench.markup_bounds [--budget-ms 100] [--max-seconds 60]

Each body is rendered (best of 3) next to the baseline, plain prose of MAX_SOURCE characters,
in the same run; the table gives milliseconds and the ratio to the baseline. The target: every
body renders in under --budget-ms (default 100 ms, the issue's bound), i.e. within
budget / baseline times the baseline. The whole run stops after --max-seconds (a body that
takes too long is reported as such, not waited for). Exit status 1 if a body misses the target.
No database needed.
"""
from __future__ import annotations

import argparse
import random
import sys
import time

from forum import markup


def _fill(unit: str, filler: str) -> str:
    """As many `unit`s as the markup bound allows, then prose up to the size bound."""
    body = ""
    while markup.problem(body + unit + filler[:1]) is None and len(body) < markup.MAX_SOURCE:
        body += unit
    rest = markup.MAX_SOURCE - len(body)
    candidate = body + filler[:rest]
    while markup.problem(candidate) is not None:  # prose may hold a mark or two
        candidate = candidate[:-50]
    return candidate


def bodies() -> dict[str, str]:
    random.seed(13)
    words = ("the service desk answered every caller within four minutes of the queue "
             "opening so staff could plan the week").split()
    prose = " ".join(random.choice(words) for _ in range(markup.MAX_SOURCE // 4))
    prose = prose[:markup.MAX_SOURCE]
    depth = markup.MAX_DEPTH
    allowed = {
        "tags": _fill("<b>x</b> ", prose),
        "nested tags": "<q>" * depth + prose[:markup.MAX_SOURCE - 200] + "</q>" * depth,
        "attributes": _fill('<a href="https://x.gov/" title="t">x</a> ', prose),
        "one tag, many attributes": _fill('<abbr title="x" ', prose),
        "markdown links": _fill("[a](https://x.gov/a) ", prose),
        "bare links": _fill("https://x.gov/a ", prose),
        "emphasis": _fill("**a** _b_ ", prose),
        "line breaks": _fill("a line\n", prose),
        "paragraphs": _fill("a paragraph\n\n", prose),
        "entities": _fill("&amp; &lt; ", prose),
        "code": _fill("`a` ", prose),
        "nested lists": "\n".join("  " * i + "- item" for i in range(60)),
        "nested quotes (markdown)": "> " * 200 + prose[:10_000],
    }
    beyond = {
        "beyond: 5,000 nested tags": "<b>" * 5000 + "x",
        "beyond: 6,000 attributes": "<a " + " ".join(f'x{i}="1"' for i in range(6000)) + ">",
        "beyond: 6,000 tags": "<b>x</b>" * 6000,
        "beyond: 50,000 characters": (prose * 3)[:50_000],
    }
    return {"baseline (prose)": prose, **allowed, **beyond}


def best_of(source: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        markup.render(source)
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-ms", type=float, default=100.0)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.max_seconds
    cases = bodies()
    best_of(cases["baseline (prose)"])  # warm up (compiled patterns, caches)
    baseline = best_of(cases["baseline (prose)"])
    print(f"bounds: {markup.MAX_SOURCE:,} characters, {markup.MAX_MARKUP} marks, "
          f"depth {markup.MAX_DEPTH}; budget {args.budget_ms:.0f} ms "
          f"= {args.budget_ms / 1000 / baseline:.1f} x baseline")
    print(f"{'body':34} {'chars':>7} {'ms':>8} {'x base':>7}  result")
    missed = 0
    for name, source in cases.items():
        if time.monotonic() > deadline:
            print(f"{name:34} not run: --max-seconds reached")
            missed += 1
            continue
        took = best_of(source)
        ok = took * 1000 <= args.budget_ms
        missed += not ok
        kind = "markup" if markup.problem(source) is None else "plain text"
        print(f"{name:34} {len(source):7,} {took * 1000:8.1f} {took / baseline:7.2f}  "
              f"{'ok' if ok else 'SLOW'} ({kind})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
