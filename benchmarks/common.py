"""What the benchmarks share: the result table, timing helpers, the machine's
description, and the servers some of them start (the sandbox Altcraft and
gunicorn, each a process of its own on a free loopback port)."""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import psycopg
import requests
from lxml import html as lxml_html

from segbuilder.altcraft.sandbox import DOCS_TOKEN
from tests.shown_form import shown_form_data

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
BIN = Path(PY).parent
SETTINGS = "benchmarks.settings"
PASSWORD = "bench-password-not-secret-1"
USERNAME = "bench-editor"
VIEWER = "bench-viewer"  # a "Segment viewers" member: may preview, not send
# The PostgreSQL server the runs make scratch databases on (BENCH_POSTGRES_URL),
# and the prefix of their names (BENCH_HISTORY_DB: another, so that runs
# beside each other do not share one).
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL",
                              "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_HISTORY_DB", "segbuilder_bench")


# --- results -------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: a figure, what it is compared with, and the budget."""

    item: str
    what: str
    measured: str
    baseline: str
    ratio: str
    budget: str
    passed: bool | None  # None: shown for orientation, no budget

    @property
    def mark(self) -> str:
        return {True: "PASS", False: "FAIL", None: "—"}[self.passed]


def ratio_row(item: str, what: str, measured: float, baseline: float, *, limit: float,
              unit: str = "ms", baseline_what: str = "") -> Row:
    """A figure whose budget is `measured / baseline <= limit`."""
    ratio = measured / baseline if baseline else float("inf")
    base = f"{_fmt(baseline, unit)}" + (f" ({baseline_what})" if baseline_what else "")
    return Row(item, what, _fmt(measured, unit), base, f"{ratio:.2f}×", f"≤ {limit:g}×",
               ratio <= limit)


def _fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value * 1000:.2f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "rps":
        return f"{value:.0f} req/s"
    if unit == "MiB":
        return f"{value / 2**20:.1f} MiB"
    return f"{value:g} {unit}"


def fmt(value: float, unit: str) -> str:
    return _fmt(value, unit)


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    header = ("#", "what", "measured", "baseline", "ratio", "budget", "result")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = (row.item, row.what, row.measured, row.baseline, row.ratio, row.budget, row.mark)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


# --- timing --------------------------------------------------------------------------


def median_time(run: Callable[[], object], *, repeat: int, warmup: int = 1) -> float:
    """The median wall time of `run()` over `repeat` calls, in seconds."""
    for _ in range(warmup):
        run()
    return statistics.median(timed(run) for _ in range(repeat))


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def interleaved_medians(runs: dict[str, Callable[[], object]], *, repeat: int,
                        warmup: int = 1) -> dict[str, float]:
    """Median wall time of each of `runs`, taken in turns so that both see the
    same moments of a shared machine."""
    for _ in range(warmup):
        for run in runs.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            times[name].append(timed(run))
    return {name: statistics.median(values) for name, values in times.items()}


@contextlib.contextmanager
def quiet_gc() -> Iterator[None]:
    """A clean heap before a measurement (the collector still runs during it)."""
    gc.collect()
    yield


# --- the machine ---------------------------------------------------------------------


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    import django

    cpu = "unknown"
    with contextlib.suppress(OSError):
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = match.group(1).strip() if match else cpu
    memory = "unknown"
    with contextlib.suppress(OSError):
        match = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        memory = f"{int(match.group(1)) / 2**20:.1f} GiB" if match else memory
    load = "unknown"
    with contextlib.suppress(OSError):
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "load average at start": load,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "commit": _git_commit(),
    }


def _git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" (with uncommitted changes)" if dirty.strip() else "")


# --- processes -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(admin_url: str, name: str) -> str:
    """The URL of an empty PostgreSQL database `name` on `admin_url`'s server
    (dropped first if a crashed run left it)."""
    drop_database(admin_url, name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5, allow_redirects=False)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds:g} s")


@dataclass
class Env:
    """The environment of every process of a run: settings, database, Altcraft."""

    database_url: str
    static_root: str
    altcraft_url: str = "http://127.0.0.1:9/api/v1.1/"
    extra: dict[str, str] = field(default_factory=dict)

    def vars(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("DJANGO_", "DATABASE_", "ALTCRAFT_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": SETTINGS, "DEBUG": "false",
            "DATABASE_URL": self.database_url, "ALTCRAFT_API_URL": self.altcraft_url,
            "ALTCRAFT_API_TOKEN": DOCS_TOKEN,
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "BENCH_STATIC_ROOT": self.static_root,
            "PYTHONPATH": str(ROOT), **self.extra,
        })
        return env


def manage(env: Env, *args: str) -> str:
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env.vars(),
                            capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def prepare_database(env: Env) -> None:
    """Migrate, make the cache table if the settings use one, and add the
    editor most benchmarks log in as and the viewer of the tampered posts."""
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "createcachetable")
    manage(env, "shell", "-c", (
        "from django.contrib.auth.models import Group, User\n"
        f"u, _ = User.objects.get_or_create(username={USERNAME!r}, "
        "defaults={'is_staff': True, 'is_superuser': True})\n"
        f"u.set_password({PASSWORD!r}); u.save()\n"
        "u.groups.add(Group.objects.get(name='Segment editors'))\n"
        f"v, _ = User.objects.get_or_create(username={VIEWER!r})\n"
        f"v.set_password({PASSWORD!r}); v.save()\n"
        "v.groups.add(Group.objects.get(name='Segment viewers'))\n"
    ))


@contextlib.contextmanager
def sandbox(env: Env) -> Iterator[str]:
    """The sandbox Altcraft in a process of its own; yields its API URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1.1/"
    process = subprocess.Popen([PY, "manage.py", "altcraft_sandbox", "--quiet", "--port",
                                str(port)], cwd=ROOT, env=env.vars(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        yield url
    finally:
        _stop(process)


@dataclass
class Gunicorn:
    process: subprocess.Popen
    base: str

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the gunicorn master)."""
        pids = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            children = (task / "children").read_text().split()
            pids.extend(int(pid) for pid in children)
        return sorted(pids)


@contextlib.contextmanager
def gunicorn(env: Env, *, workers: int) -> Iterator[Gunicorn]:
    """The app under gunicorn, as README's "Running it for a team" starts it."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "segbuilder.wsgi", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env.vars(), stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/login/")
        server = Gunicorn(process, base)
        deadline = time.monotonic() + 30
        while len(server.worker_pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def logged_in_session(base: str, username: str = USERNAME,
                      password: str = PASSWORD) -> requests.Session:
    """A session logged in through the login form, as a browser does."""
    session = requests.Session()
    session.get(base + "/login/", timeout=30)
    response = session.post(base + "/login/", timeout=60, allow_redirects=False, data={
        "username": username, "password": password,
        "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} answered {response.status_code}")
    return session


def page_form(page: bytes, page_url: str, form_id: str) -> tuple[str, dict[str, list[str]]]:
    """What a browser posts when the first submit button of the page's form
    `form_id` is pressed: the form's address, and its fields (the CSRF token
    among them) with that button's name and value, if it has a name."""
    (form,) = lxml_html.fromstring(page).xpath(f'//form[@id="{form_id}"]')
    fields = shown_form_data(page, form_id=form_id)
    buttons = form.xpath('.//button[not(@type) or @type="submit"] | .//input[@type="submit"]')
    if buttons and buttons[0].get("name"):
        fields[buttons[0].get("name")] = [buttons[0].get("value", "")]
    return urljoin(page_url, form.get("action") or page_url), fields


def rss_bytes(pid: int, field_name: str = "VmRSS") -> int:
    """A process's resident memory (VmRSS) or its peak (VmHWM), in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field_name}:\s*(\d+) kB", status, re.M)
    if not match:
        raise RuntimeError(f"no {field_name} for process {pid}")
    return int(match.group(1)) * 1024
