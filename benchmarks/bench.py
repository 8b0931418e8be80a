"""Every figure of the performance budget (PRODUCT.md §7), each beside its baseline in the same run.

    make bench                                   # 1x, 10x and 100x of the demo practice
    python -m benchmarks.bench --scales 1,10 --backends sqlite --skip-batch

For each database (SQLite, and PostgreSQL when a server answers) and each scale (N times the
30-client demo, built by ``massage-chart demo --scale N`` through the app's own storage, and
kept in ``out/bench`` for the next run until the generator or the schema changes):

- start to a usable main window, against a bare PySide6 window (whole processes, interleaved);
- search as you type, against the bare LIKE query;
- opening a client and their chart, the longest history against the shortest;
- closing the window after viewing a client;
- one SOAP note read and rendered, warm;
- ``check``, against the bare integrity checks of the database (whole processes);
- one SOAP note exported from the command line, against a bare reportlab page (whole processes);
- peak resident memory of the window, of ``check`` and of an export.

Once per run: click to mark and zoom with 500 marks on the chart, and the batch export of 1,000
signed notes. Every figure is printed with its budget and OK or OVER; PostgreSQL's figures are
also compared with SQLite's (the budget allows 2x). ``out/bench/report.md`` and ``report.json``
keep the table. With ``--strict`` the exit code is 1 when a figure is over.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "out" / "bench"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1280, 760)
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""

BARE_SQLITE_CHECK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
db.execute("PRAGMA foreign_key_check").fetchall()
"""

BARE_POSTGRES_READ = """
import sys, psycopg
with psycopg.connect(sys.argv[1]) as db:
    for table in ("clients", "visits", "marks", "audit_events"):
        with db.cursor(name="scan") as rows:
            rows.execute(f"SELECT * FROM {table}")
            for _row in rows:
                pass
"""

BARE_REPORTLAB_PAGE = """
import sys
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas
page = canvas.Canvas(sys.argv[1], pagesize=letter)
page.drawString(72, 720, "SOAP note")
page.save()
"""

GENERATOR_FILES = (
    "massage_chart/demo.py",
    "massage_chart/cli/records.py",
    "resources/demo/practice.json",
    "resources/atlas/index.json",
)


@dataclass
class Figure:
    """One measured figure beside its baseline and budget."""

    name: str
    backend: str
    scale: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    budget: float | None = None
    budget_of: str = "value"  # "value" or "ratio"
    detail: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline <= 0:
            return None
        return self.value / self.baseline

    @property
    def over(self) -> bool:
        measured = self.ratio if self.budget_of == "ratio" else self.value
        return self.budget is not None and measured is not None and measured > self.budget

    def budget_words(self) -> str:
        if self.budget is None:
            return ""
        if self.budget_of == "ratio":
            return f"≤ {self.budget:g}x"
        return f"≤ {self.budget:g} {self.unit}"

    def row(self) -> list[str]:
        ratio = self.ratio
        verdict = "" if self.budget is None else ("OVER" if self.over else "OK")
        return [
            self.name,
            self.backend,
            self.scale,
            f"{self.value:,.1f} {self.unit}",
            ""
            if self.baseline is None
            else f"{self.baseline:,.1f} {self.unit} {self.baseline_name}",
            "" if ratio is None else f"{ratio:.2f}x",
            self.budget_words(),
            verdict,
        ]


@dataclass
class Run:
    """One whole process: its wall time, peak resident memory and output."""

    seconds: float
    peak_mb: float
    stdout: str


@dataclass
class Bench:
    """The settings of one run and the figures it collects."""

    out: Path
    env: dict[str, str]
    runs: int
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)
        print("  " + "  ".join(cell for cell in figure.row() if cell), flush=True)


# Processes ---------------------------------------------------------------------------------------


def child_env(out: Path) -> dict[str, str]:
    """The environment of every measured process: no screen, bytecode cached as in an installed
    app (kept under ``out``), and a home of its own, so settings, backups and the ICD-10-CM index
    of the user running the bench are never touched."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    home = out / "home"
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONPYCACHEPREFIX=str(out / "pycache"),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
    )
    env.pop("MASSAGE_CHART_DB", None)
    env.pop("MASSAGE_CHART_ICD10_INDEX_DIR", None)
    return env


def run_process(argv: Sequence[str], env: dict[str, str], *, check: bool = True) -> Run:
    """Run a process to its end; its own peak memory comes from the kernel (``wait4``)."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(list(argv), env=env, stdout=stdout, stderr=stderr, cwd=ROOT)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        output = stdout.read().decode("utf-8", "replace")
        if check and process.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv)} exited {process.returncode}:\n"
                + stderr.read().decode("utf-8", "replace")[-3000:]
            )
    return Run(seconds, usage.ru_maxrss / 1024, output)


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def app(*args: str) -> list[str]:
    return python("-m", "massage_chart", *args)


def probe(bench: Bench, name: str, url: str) -> dict[str, Any]:
    """Run a probe of ``benchmarks.probes`` and read its JSON line."""
    result = run_process(python("-m", "benchmarks.probes", name, url), bench.env)
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


# Practices ---------------------------------------------------------------------------------------


def generator_stamp() -> str:
    """Changes whenever the generated practice would: the generator, its data, the schema, the
    atlas."""
    digest = hashlib.sha256()
    for name in GENERATOR_FILES:
        path = ROOT / name
        digest.update(path.read_bytes() if path.exists() else name.encode())
    for migration in sorted((ROOT / "massage_chart/storage/migrations/versions").glob("*.py")):
        digest.update(migration.name.encode())
    return digest.hexdigest()[:12]


def postgres_reachable() -> str:
    """Why PostgreSQL cannot be measured, or "" when it can."""
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3):
            return ""
    except Exception as exc:
        return f"no PostgreSQL server at 127.0.0.1:5432 ({str(exc).strip().splitlines()[0]})"


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(sql)  # type: ignore[arg-type]


def practice(bench: Bench, backend: str, scale: int) -> str:
    """The URL of the scale's practice, built when missing or made by another generator."""
    stamp = generator_stamp()
    marker = bench.out / f"{backend}-{scale}x.built"
    if backend == "sqlite":
        path = bench.out / f"practice-{scale}x.db"
        url = f"sqlite:///{path}"
        if marker.exists() and marker.read_text() == stamp and path.exists():
            return url
        for stale in bench.out.glob(f"practice-{scale}x.db*"):
            stale.unlink()
    else:
        name = f"mc_bench_{scale}x"
        url = f"{PG_SERVER}/{name}"
        if marker.exists() and marker.read_text() == stamp:
            try:
                import psycopg

                with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3):
                    return url
            except psycopg.OperationalError:
                pass
        _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _postgres(f'CREATE DATABASE "{name}"')
    marker.unlink(missing_ok=True)
    print(f"  building the {scale}x practice on {backend} (demo --scale {scale}) …", flush=True)
    built = run_process(app("--db", url, "demo", "--scale", str(scale)), bench.env)
    print(f"  built in {built.seconds:.0f} s, peak {built.peak_mb:.0f} MB", flush=True)
    marker.write_text(stamp)
    return url


def practice_size(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as db:
            counts = [
                db.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("clients", "visits", "marks")
            ]
    finally:
        engine.dispose()
    return "{:,} clients, {:,} visits, {:,} marks".format(*counts)


# Figures -----------------------------------------------------------------------------------------


def interleaved(bench: Bench, first: list[str], second: list[str]) -> tuple[list[Run], list[Run]]:
    """Both processes run in turn ``runs`` times after one warm-up each (file cache, bytecode)."""
    run_process(first, bench.env)
    run_process(second, bench.env)
    ones: list[Run] = []
    twos: list[Run] = []
    for _ in range(bench.runs):
        ones.append(run_process(first, bench.env))
        twos.append(run_process(second, bench.env))
    return ones, twos


def median(runs: list[Run], what: str = "seconds") -> float:
    return statistics.median(getattr(run, what) for run in runs)


def measure_practice(bench: Bench, backend: str, scale: int, url: str) -> None:
    tag = f"{scale}x"
    bare, drawn = interleaved(
        bench, python("-c", BARE_WINDOW), app("--db", url, "--quit-after-first-paint")
    )
    bench.add(
        Figure(
            "start to the first window drawn", backend, tag, median(drawn) * 1000, "ms",
            median(bare) * 1000, "(bare QMainWindow)", 2.0, "ratio",
        )
    )  # fmt: skip
    bare, started = interleaved(
        bench, python("-c", BARE_WINDOW), app("--db", url, "--quit-after-start")
    )
    bench.add(
        Figure(
            "start to a usable main window", backend, tag, median(started) * 1000, "ms",
            median(bare) * 1000, "(bare QMainWindow)", 2.0, "ratio",
        )
    )  # fmt: skip
    bench.add(
        Figure(
            "  memory at start", backend, tag, median(started, "peak_mb"), "MB",
            median(bare, "peak_mb"), "(bare QMainWindow)", 300.0,
        )
    )  # fmt: skip

    search = probe(bench, "search", url)
    bench.add(
        Figure(
            "search as you type, p95", backend, tag, search["search"]["p95"], "ms",
            search["bare"]["p95"], "(bare LIKE query)", 30.0,
        )
    )  # fmt: skip

    window = probe(bench, "window", url)
    bench.add(
        Figure(
            "open the client with the longest history, p95", backend, tag,
            window["client_heavy"]["p95"], "ms", window["client_light"]["p95"],
            "(shortest history)", 100.0,
        )
    )  # fmt: skip
    bench.add(
        Figure(
            "open that client's chart, p95", backend, tag, window["chart_heavy"]["p95"], "ms",
            window["chart_light"]["p95"], "(shortest history)", 100.0,
        )
    )  # fmt: skip
    bench.add(
        Figure(
            "  open that client's chart, median", backend, tag, window["chart_heavy"]["p50"], "ms",
            window["chart_light"]["p50"], "(shortest history)",
            detail="steadier than the p95 of 20 openings on a busy machine: judge changes by it",
        )
    )  # fmt: skip
    bench.add(
        Figure(
            "close the window after viewing a client", backend, tag,
            window["close_after_view"], "ms", None, "", 100.0,
        )
    )  # fmt: skip
    bench.add(
        Figure(
            "window memory after charts and an export", backend, tag, window["peak_mb"], "MB",
            None, "", 300.0,
        )
    )  # fmt: skip

    pdf = probe(bench, "pdf", url)
    bench.add(
        Figure(
            "SOAP note with body charts, warm, p95", backend, tag, pdf["note"]["p95"], "ms",
            None, "", 250.0,
        )
    )  # fmt: skip

    if backend == "sqlite":
        path = url.removeprefix("sqlite:///")
        bare_check = python("-c", BARE_SQLITE_CHECK, path)
        baseline_name = "(bare integrity + foreign-key check)"
    else:
        bare_check = python("-c", BARE_POSTGRES_READ, url.replace("+psycopg", ""))
        baseline_name = "(bare read of every client, visit, mark, event)"
    bare_runs, check_runs = interleaved(bench, bare_check, app("--db", url, "check"))
    bench.add(
        Figure(
            "check", backend, tag, median(check_runs), "s", median(bare_runs), baseline_name,
        )
    )  # fmt: skip
    bench.add(
        Figure(
            "  check memory", backend, tag, median(check_runs, "peak_mb"), "MB",
            median(bare_runs, "peak_mb"), baseline_name, 300.0,
        )
    )  # fmt: skip

    with tempfile.TemporaryDirectory() as folder:
        visit_id = heavy_visit(url)
        target = str(Path(folder) / "note.pdf")
        bare_pdf, exported = interleaved(
            bench,
            python("-c", BARE_REPORTLAB_PAGE, str(Path(folder) / "bare.pdf")),
            app("--db", url, "export", "soap", visit_id, "-o", target, "--force"),
        )
    bench.add(
        Figure(
            "export one SOAP note (command line)", backend, tag, median(exported), "s",
            median(bare_pdf), "(bare reportlab page)",
        )
    )  # fmt: skip
    bench.add(
        Figure(
            "  export memory", backend, tag, median(exported, "peak_mb"), "MB",
            median(bare_pdf, "peak_mb"), "(bare reportlab page)", 300.0,
        )
    )  # fmt: skip


def heavy_visit(url: str) -> str:
    """The newest signed visit of the client with the longest history."""
    from benchmarks.probes import clients_by_history, latest_visits
    from massage_chart.storage.database import open_database

    database = open_database(url)
    try:
        heavy, _light = clients_by_history(database)
        return latest_visits(database, heavy, 1, signed=True)[0]
    finally:
        database.dispose()


def measure_chart(bench: Bench) -> None:
    """Click to mark and zoom with 500 marks (the chart's own database; the size of the practice
    plays no part)."""
    code = (
        "import json; from benchmarks.chart import run; "
        "print(json.dumps([f.__dict__ for f in run(clicks=100, frames=96, marks=500)]))"
    )
    result = run_process(python("-c", code), bench.env)
    found = {f["name"]: f for f in json.loads(result.stdout.strip().splitlines()[-1])}
    click_empty = found["click to mark painted+committed (empty chart)"]
    click = found["click to mark painted+committed (500 marks)"]
    zoom = found["zoom step + repaint (500 marks)"]
    settle = found["zoom settles + repaint (500 marks)"]
    pan = found["pan step + repaint (500 marks, 2.5x)"]
    bench.add(
        Figure(
            "click to mark, painted and committed, p95", "sqlite", "500 marks", click["p95"], "ms",
            click_empty["p95"], "(empty chart)", 16.0,
        )
    )  # fmt: skip
    bench.add(Figure("zoom step, p95", "sqlite", "500 marks", zoom["p95"], "ms", None, "", 16.0))
    bench.add(
        Figure(
            "frames once zooming stops, p95", "sqlite", "500 marks", settle["p95"], "ms", None, "",
            16.0, detail="glyphs sized, then the figures and areas drawn afresh, a few per frame",
        )
    )  # fmt: skip
    bench.add(Figure("pan step, p95", "sqlite", "500 marks", pan["p95"], "ms", None, "", 16.0))


def measure_batch(bench: Bench, url: str, notes: int = 1000) -> None:
    """``export batch`` over the newest ``notes`` signed notes of the practice."""
    first, last, count = batch_range(url, notes)
    with tempfile.TemporaryDirectory() as folder:
        result = run_process(
            app(
                "--db", url, "export", "batch", "--from", first.isoformat(), "--to",
                last.isoformat(), "-o", folder,
            ),
            bench.env,
        )  # fmt: skip
        written = len(list(Path(folder).glob("*.pdf")))
    budget = 60.0 * written / 1000
    bench.add(
        Figure(
            f"batch export of {written:,} signed notes", "sqlite", "", result.seconds, "s", None,
            "", round(budget, 1), detail=f"{count:,} signed in the range",
        )
    )  # fmt: skip


def batch_range(url: str, notes: int) -> tuple[dt.date, dt.date, int]:
    from sqlalchemy import func, select

    from massage_chart.storage.database import open_database
    from massage_chart.storage.models import Visit

    database = open_database(url)
    try:
        with database.read() as session:
            starts = list(
                session.scalars(
                    select(Visit.start)
                    .where(Visit.signed_at.is_not(None))
                    .order_by(Visit.start.desc())
                    .limit(notes)
                )
            )
            last, first = starts[0].date(), starts[-1].date()
            count = session.scalar(
                select(func.count())
                .select_from(Visit)
                .where(
                    Visit.signed_at.is_not(None),
                    func.date(Visit.start) >= first.isoformat(),
                )
            )
    finally:
        database.dispose()
    return first, last, int(count or 0)


def compare_backends(bench: Bench) -> None:
    """PostgreSQL against SQLite, figure by figure at the same scale (the budget allows 2x)."""
    sqlite = {(f.name, f.scale): f for f in bench.figures if f.backend == "sqlite"}
    for figure in [f for f in bench.figures if f.backend == "postgresql"]:
        other = sqlite.get((figure.name, figure.scale))
        if other is None or figure.unit == "MB" or figure.name.startswith("check"):
            continue  # memory has its own budget; the two checks check different things
        bench.add(
            Figure(
                f"{figure.name.strip()}: PostgreSQL against SQLite", "both", figure.scale,
                figure.value, figure.unit, other.value, "(SQLite)", 2.0, "ratio",
            )
        )  # fmt: skip


# Report ------------------------------------------------------------------------------------------

HEADER = ["figure", "database", "scale", "measured", "baseline", "ratio", "budget", ""]


def table(figures: list[Figure]) -> Iterator[str]:
    yield "| " + " | ".join(HEADER) + " |"
    yield "|" + "---|" * len(HEADER)
    for figure in figures:
        yield "| " + " | ".join(cell.replace("|", "/") for cell in figure.row()) + " |"


def write_report(bench: Bench, sizes: dict[str, str], started: float) -> None:
    machine = f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"
    over = [f for f in bench.figures if f.over]
    lines = [
        f"# Massage Chart benchmarks, {dt.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {machine}. Run took {time.perf_counter() - started:.0f} s.",
        "",
        *(f"- {name}: {size}" for name, size in sizes.items()),
        "",
        *table(bench.figures),
        "",
        f"Over budget: {len(over)}"
        + "".join(f"\n- {f.name.strip()} ({f.backend}, {f.scale})" for f in over),
    ]
    (bench.out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (bench.out / "report.json").write_text(
        json.dumps(
            {"machine": machine, "sizes": sizes, "figures": [asdict(f) for f in bench.figures]},
            indent=1,
        ),
        encoding="utf-8",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scales", default="1,10,100", help="N times the demo practice (1,10,100)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=5, help="runs of each whole process")
    parser.add_argument("--skip-batch", action="store_true", help="leave out the 1,000-note batch")
    parser.add_argument("--skip-chart", action="store_true", help="leave out click and zoom")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure is over")
    args = parser.parse_args(argv)
    scales = sorted({int(part) for part in args.scales.split(",") if part.strip()})
    backends = [part.strip() for part in args.backends.split(",") if part.strip()]
    if not scales or any(s < 1 for s in scales) or set(backends) - {"sqlite", "postgresql"}:
        parser.error("--scales takes whole numbers of at least 1; --backends sqlite,postgresql")
    args.out.mkdir(parents=True, exist_ok=True)
    bench = Bench(args.out.resolve(), child_env(args.out.resolve()), args.runs)
    started = time.perf_counter()
    if "postgresql" in backends:
        why = postgres_reachable()
        if why:
            print(f"PostgreSQL left out: {why}")
            backends.remove("postgresql")
    sizes: dict[str, str] = {}
    for backend in backends:
        for scale in scales:
            print(f"{backend}, {scale}x the demo practice", flush=True)
            url = practice(bench, backend, scale)
            sizes[f"{backend} {scale}x"] = practice_size(url)
            print(f"  {sizes[f'{backend} {scale}x']}", flush=True)
            measure_practice(bench, backend, scale, url)
    if "sqlite" in backends and not args.skip_batch:
        print("batch export", flush=True)
        measure_batch(bench, f"sqlite:///{bench.out / f'practice-{scales[-1]}x.db'}")
    if not args.skip_chart:
        print("the chart with 500 marks", flush=True)
        measure_chart(bench)
    if len(backends) == 2:
        print("PostgreSQL against SQLite", flush=True)
        compare_backends(bench)
    write_report(bench, sizes, started)
    over = [f for f in bench.figures if f.over]
    print(f"\n{len(bench.figures)} figures, {len(over)} over budget", flush=True)
    for figure in over:
        print(f"  OVER: {figure.name.strip()} ({figure.backend}, {figure.scale}): "
              f"{' '.join(c for c in figure.row()[3:] if c)}")  # fmt: skip
    print(f"report: {bench.out / 'report.md'}")
    shutil.rmtree(bench.out / "home" / "data", ignore_errors=True)  # backups taken on close
    return 1 if args.strict and over else 0


if __name__ == "__main__":
    sys.exit(main())
