"""`make bench`: run every benchmark, print one table of figures, baselines,
budgets and pass/fail marks, and write it to benchmarks/results.md with the
machine's description.

    .venv/bin/python -m benchmarks.run [--only payload,builder,...] [--output FILE]

Each suite runs in a process of its own (Django is set up once per process,
for the database that suite needs): payload and builder in-process on SQLite;
tampered posts, memory and throughput against gunicorn on SQLite; send against
gunicorn on SQLite and on a scratch PostgreSQL database; history against
gunicorn on scratch PostgreSQL databases (BENCH_POSTGRES_URL names a server
and database the run may create databases from; BENCH_HISTORY_ROWS changes
the million). The last row is the run's own time. Exit status 1 when a figure
misses its budget.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import PY, ROOT, Env, Row, machine, manage, prepare_database, table

SUITES = {
    "payload": "1. request bodies",
    "builder": "2. builder at size",
    "send": "3. send overhead (SQLite, PostgreSQL)",
    "history": "4. history and admin at scale (PostgreSQL)",
    "throughput": "5. throughput",
    "memory": "6. memory",
    "tampered": "7. tampered posts, as a viewer",
    "live": "8. live preview",
}
RESULTS = ROOT / "benchmarks" / "results.md"
TOTAL_LIMIT = 10 * 60  # seconds, the whole run (issue 11)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated suites: " + ", ".join(SUITES))
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--suite", help=argparse.SUPPRESS)  # internal: run one suite here
    args = parser.parse_args()
    if args.suite:
        return _run_suite(args.suite)
    names = args.only.split(",") if args.only else list(SUITES)
    if unknown := [name for name in names if name not in SUITES]:
        parser.error(f"unknown suites: {', '.join(unknown)}")
    about = machine()
    started = time.monotonic()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="segbuilder-bench-") as scratch:
        env = Env(database_url=f"sqlite:///{scratch}/bench.sqlite3",
                  static_root=f"{scratch}/static")
        print("== preparing: collectstatic, migrate", flush=True)
        manage(env, "collectstatic", "--no-input", "-v", "0")
        prepare_database(env)
        for name in names:
            print(f"== {SUITES[name]}", flush=True)
            suite_started = time.monotonic()
            suite_rows = _in_process(name, env)
            for row in suite_rows:
                print(f"   {row.mark:4} {row.what}: {row.measured} ({row.ratio}, budget "
                      f"{row.budget})", flush=True)
            print(f"   ({time.monotonic() - suite_started:.0f} s)", flush=True)
            rows += suite_rows
    elapsed = time.monotonic() - started
    run_what = "`make bench` in all" if names == list(SUITES) else f"this run ({', '.join(names)})"
    rows.append(Row("—", run_what, f"{elapsed / 60:.1f} min",
                    "—", "—", f"< {TOTAL_LIMIT // 60} min", elapsed < TOTAL_LIMIT))
    about["load average at the end"] = machine()["load average at start"]
    report = _report(rows, about, elapsed)
    print()
    print(report)
    args.output.write_text(report, encoding="utf-8")
    print(f"Written to {args.output}")
    return 1 if any(row.passed is False for row in rows) else 0


def _in_process(name: str, env: Env) -> list[Row]:
    """Run one suite in a process of its own; its rows come back as JSON."""
    result = subprocess.run([PY, "-m", "benchmarks.run", "--suite", name], cwd=ROOT,
                            env=env.vars() | {"BENCH_ENV": json.dumps(dataclasses.asdict(env))},
                            stdout=subprocess.PIPE, text=True)
    if result.returncode:
        return [Row(name, f"{SUITES[name]}: the suite failed (see above)", "—", "—", "—", "—",
                    False)]
    return [Row(**row) for row in json.loads(result.stdout.strip().splitlines()[-1])]


def _run_suite(name: str) -> int:
    env = Env(**json.loads(os.environ["BENCH_ENV"]))
    if name in ("payload", "builder", "live"):
        import django

        django.setup()
    if name == "payload":
        from benchmarks import bench_payload as suite
        rows = suite.run()
    elif name == "builder":
        from benchmarks import bench_builder as suite
        rows = suite.run()
    elif name == "live":
        from benchmarks import bench_live_preview as suite
        rows = suite.run()
    elif name == "tampered":
        from benchmarks import bench_tampered
        rows = bench_tampered.run(env)
    elif name == "send":
        from benchmarks import bench_send
        rows = bench_send.run_overhead(env)
    elif name == "memory":
        from benchmarks import bench_send
        rows = bench_send.run_memory(env)
    elif name == "throughput":
        from benchmarks import bench_throughput
        rows = bench_throughput.run(env)
    elif name == "history":
        from benchmarks import bench_history
        rows = bench_history.run(env)
    else:
        raise SystemExit(f"unknown suite {name}")
    print(json.dumps([dataclasses.asdict(row) for row in rows]))
    return 0


def _report(rows: list[Row], about: dict[str, str], elapsed: float) -> str:
    failed = [row for row in rows if row.passed is False]
    verdict = (f"**{len(failed)} of {sum(row.passed is not None for row in rows)} budgets "
               "missed.**" if failed else "**Every budget met.**")
    description = "\n".join(f"- {key}: {value}" for key, value in about.items())
    return (
        "# Benchmark results\n\n"
        f"Written by `make bench` in {elapsed / 60:.1f} minutes. Every figure was measured in "
        "this run beside its baseline; budgets are ratios to the baseline, except the "
        "builder's, the tampered posts' and the run's own time, which are absolute "
        "(issues 10 and 11, budgets; the memory budget is issue 6's). "
        f"{verdict}\n\n"
        f"{description}\n\n"
        f"{table(rows)}\n"
    )


if __name__ == "__main__":
    sys.exit(main())
