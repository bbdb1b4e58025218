"""Holding a class: N simultaneous sessions on the real server, every page, defaults and uploads.

Run from the project root:

    python benchmarks/bench_class.py                       # N = 1, 10, 30, 60 on one process, 2 cores
    python benchmarks/bench_class.py --sessions 30,60 --servers 1,2 --nginx   # K processes behind nginx
    python benchmarks/bench_class.py --sessions 30 --train 3                  # 3 of them train meanwhile

Each N gets a fresh server (`streamlit run app.py`, under `taskset -c 0,1`), warmed by one session
the way a lecturer opens the pages before class. Then N sessions start within --ramp seconds; each
opens the app, visits every page in the menu, changes a couple of settings per page (widgets found
by their key, values taken from the widget itself: the next option, one step along), with --think
seconds between actions; every --upload-every'th session picks "Upload your own CSV" and uploads a
file of its own (monthly, daily, hourly, a European semicolon export) on the data pages. Nothing
presses a training button, except the --train sessions, which train on --train-page with their own
seeds for as long as the others browse.

The clients are websocket clients speaking Streamlit's protocol (streamlit_client.py), not browsers:
they take a small share of the CPU (reported) and send what the frontend sends. Not measured: the
browser's own drawing, and static files (a browser caches them after the first visit).

A CPU profile comes first: on an otherwise idle server, one session at a time, the server's CPU time
(/proc/<pid>/stat utime + stime) around each interaction, for every planned widget on every page.

Reports (Markdown on stdout, and JSON + Markdown in test-artifacts/bench_class/): render time
(send -> script_finished) p50/p95/max per N, per kind of interaction and per page; sessions served;
server memory (RSS of the server processes and their children: peak, and with every page visited by
every session); the worst pages by server CPU per rerun; the issue's targets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from streamlit_client import ProtocolError, Session  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts" / "bench_class"
CLOCK_TICK = os.sysconf("SC_CLK_TCK")

# Settings to change per page (user keys, fnmatch patterns), in order of preference. Pages not listed,
# and pages whose widgets changed names, fall back to any other setting widget found on the page.
PLAN = {
    "decomposition": ["dec_model", "dec_method", "dec_period"],
    "forecasting": ["fc_tab", "fc_horizon", "fc_transform", "fc_train_pct"],
    "rnn_cell": ["rnn_example", "rnn_type", "rnn_start", "rnn_show_trained"],
    "bptt": ["bptt_weights", "bptt_scale", "bptt_activation", "bptt_steps"],
    "gates": ["gates_kind", "gates_cell", "gates_layer", "gates_units"],
    "seq2seq": ["s2s_noise", "s2s_history", "s2s_attention", "s2s_frequency"],
    "ner": ["ner_example", "ner_pair", "ner_case"],
}
# Never changed by the browsing sessions: the data source (uploads have their own step), training
# buttons and what only matters to a training run.
NOT_BROWSED = ["dataset", "value_column", "date_column", "upload", "train_*", "*seed*", "*epoch*", "*_lr"]
BROWSED_KINDS = {"selectbox", "radio", "slider", "number_input", "checkbox", "tabs"}
PLANNED = 4  # settings per page in the CPU profile and the warm-up
UPLOAD_OPTION = "Upload"  # the dataset selectbox's upload entry contains this word
NON_TRAINING = ("open", "page", "widget", "upload")


# --------------------------------------------------------------------------------------- uploads
def upload_csv(session: int, nth: int) -> tuple[str, str, bytes]:
    """(shape, file name, content): a CSV of its own for each session and upload, noise from its seed."""
    rng = np.random.default_rng(1000 * session + nth)
    shape = ("monthly", "european", "daily", "hourly")[(session + nth) % 4]
    if shape == "monthly":
        n = int(rng.integers(48, 241))
        t = np.arange(n)
        values = 200 + 0.8 * t + 25 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 6, n)
        frame = pd.DataFrame({"month": pd.period_range("2005-01", periods=n, freq="M").astype(str),
                              "sales": values.round(1)})
        return shape, f"sales_{session}_{nth}.csv", frame.to_csv(index=False).encode()
    if shape == "european":  # a spreadsheet export: semicolons, day.month.year, decimal commas, a BOM
        n = 120
        t = np.arange(n)
        values = 1500 + 4 * t + 300 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 40, n)
        dates = pd.date_range("2010-01-01", periods=n, freq="MS").strftime("%d.%m.%Y")
        lines = ["Datum;Umsatz (EUR)"] + [f"{d};{v:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
                                         for d, v in zip(dates, values)]
        return shape, f"umsatz_{session}_{nth}.csv", ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    if shape == "daily":
        n = 730
        t = np.arange(n)
        values = 50 + 10 * np.sin(2 * np.pi * t / 7) + 15 * np.sin(2 * np.pi * t / 365.25) + rng.normal(0, 3, n)
        frame = pd.DataFrame({"date": pd.date_range("2022-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
                              "visitors": values.round(2)})
        return shape, f"visitors_{session}_{nth}.csv", frame.to_csv(index=False).encode()
    n = 24 * 60  # hourly, two months: a medium file with a daily season
    t = np.arange(n)
    values = 30 + 8 * np.sin(2 * np.pi * t / 24) + 0.002 * t + rng.normal(0, 1.5, n)
    frame = pd.DataFrame({"timestamp": pd.date_range("2024-03-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M"),
                          "load_mw": values.round(3)})
    return shape, f"load_{session}_{nth}.csv", frame.to_csv(index=False).encode()


# --------------------------------------------------------------------------------------- servers
def free_ports(count: int) -> int:
    """The first of `count` consecutive ports that are free on 127.0.0.1."""
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(20000, 60000 - count)
        try:
            sockets = []
            for port in range(first, first + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports")


def healthy(url: str) -> bool:
    try:
        return urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200
    except OSError:
        return False


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK  # utime + stime, every thread


def _end_with_parent() -> None:
    """In the child: SIGTERM when the benchmark dies (killed, or a crash), so no server outlives it."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Servers:
    """K `streamlit run` processes on consecutive ports, or deploy/run_class.sh (K processes behind nginx)."""

    def __init__(self, k: int, cores: str, nginx: bool):
        self.k, self.cores, self.nginx = k, cores, nginx
        self.processes: list[subprocess.Popen] = []
        self.urls: list[str] = []  # where sessions connect: the K ports, or nginx
        self.backends: list[str] = []  # the K processes themselves
        self.started_seconds = 0.0

    def __enter__(self) -> Servers:
        pin = ["taskset", "-c", self.cores] if self.cores and shutil.which("taskset") else []
        first = free_ports(self.k + 1)
        started = time.perf_counter()
        logs = ARTIFACTS / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        if self.nginx:
            port = first + self.k
            env = {**os.environ, "FIRST_PORT": str(first), "LISTEN": "127.0.0.1", "PYTHON": sys.executable}
            self._spawn(pin + ["bash", str(ROOT / "deploy" / "run_class.sh"), str(self.k), str(port)], env,
                        logs / f"run_class_{port}.log")
            self.urls = [f"http://127.0.0.1:{port}"]
            self.backends = [f"http://127.0.0.1:{p}" for p in range(first, first + self.k)]
        else:
            for port in range(first, first + self.k):
                self._spawn(pin + [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                                   "--server.port", str(port), "--server.address", "127.0.0.1",
                                   "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                            dict(os.environ), logs / f"streamlit_{port}.log")
                self.urls.append(f"http://127.0.0.1:{port}")
            self.backends = self.urls
        deadline = time.time() + 180
        for url in self.urls:
            while not healthy(url):
                if time.time() > deadline or any(p.poll() is not None for p in self.processes):
                    self.__exit__()
                    raise RuntimeError(f"the server at {url} did not start (logs in {logs})")
                time.sleep(0.2)
        self.started_seconds = time.perf_counter() - started
        if any(p.poll() is not None for p in self.processes):  # e.g. the port was taken after all
            self.__exit__()
            raise RuntimeError("a server process stopped right after starting")
        return self

    def _spawn(self, command: list[str], env: dict, log: Path) -> None:
        with open(log, "wb") as out:
            self.processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                                   start_new_session=True, preexec_fn=_end_with_parent))

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def pids(self) -> list[int]:
        return [pid for process in self.processes for pid in process_tree(process.pid)]

    def streamlit_pids(self) -> list[int]:
        found = []
        for pid in self.pids():
            try:
                if b"streamlit" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                pass
        return found

    def rss(self) -> int:
        return sum(rss_bytes(pid) for pid in self.pids())

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids())

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes)


# --------------------------------------------------------------------------------------- sessions
@dataclass
class Record:
    session: int
    page: str
    kind: str  # open, page, widget, upload, train
    label: str
    data: str  # "default" or the uploaded file's shape
    start: float
    seconds: float
    ok: bool = True
    problem: str = ""
    exceptions: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    cpu: float | None = None
    bytes: int = 0


@dataclass
class Student:
    """One session's script: open the app, every page, a few settings per page, maybe uploads."""
    number: int
    url: str
    args: argparse.Namespace
    uploads: bool = False
    changes: int | None = 2  # None: every planned widget
    cpu_of: Servers | None = None  # measure this server's CPU time around every interaction
    records: list = field(default_factory=list)
    done: bool = False
    served: bool = False
    problem: str = ""

    async def act(self, session: Session, page: str, kind: str, label: str, action, data: str):
        """Run one interaction and record it; None when there was nothing to do (a widget gone meanwhile)."""
        before = self.cpu_of.cpu() if self.cpu_of else None
        started = time.perf_counter()
        record = Record(self.number, page, kind, label, data, started, 0.0)
        try:
            run = await action
            if run is None:
                return None
            if isinstance(run, tuple):  # Session.change: (widget, run)
                run = run[1]
            record.seconds, record.bytes = run.seconds, run.bytes
            record.exceptions, record.errors = run.exceptions, run.errors
        except Exception as error:  # a timeout, a dropped connection, a refused upload: this session failed
            record.seconds, record.ok = time.perf_counter() - started, False
            record.problem = f"{page or 'home'}, {label}: {type(error).__name__}: {error}"
        if before is not None:
            await asyncio.sleep(0.05)  # what the server does right after script_finished belongs to the rerun
            record.cpu = self.cpu_of.cpu() - before
        self.records.append(record)
        if not record.ok:
            raise ProtocolError(record.problem)
        return record

    async def think(self, rng: random.Random) -> None:
        await asyncio.sleep(self.args.think * rng.uniform(0.5, 1.5))

    @contextlib.asynccontextmanager
    async def tab(self, hold: asyncio.Event | None = None):
        """A tab on the app. A failure ends this session's script (recorded); the tab stays open until `hold`."""
        session = Session(self.url, timeout=self.args.timeout)
        try:
            yield session
            self.served = not self.problem
        except Exception as error:  # noqa: BLE001 (reported, with the interaction it happened in)
            self.problem = str(error) if isinstance(error, ProtocolError) else f"{type(error).__name__}: {error}"
        finally:
            self.done = True
            progress(self)
            if hold is not None:  # keep the connection (and the server's session) until every session is done
                await hold.wait()
            await session.close()

    async def browse(self, hold: asyncio.Event | None = None) -> None:
        rng = random.Random(self.args.seed * 7919 + self.number)
        data, uploaded = "default", 0
        async with self.tab(hold) as session:
            await self.act(session, "", "open", "open the app", self._open(session), data)
            for page in [p.url_pathname for p in session.pages if p.url_pathname]:
                await self.think(rng)
                await self.act(session, page, "page", "open the page", session.goto(page), data)
                if self.uploads and uploaded < 2 and session.find("dataset") is not None:
                    data = await self.upload(session, page, rng, uploaded) or data
                    uploaded += 1
                for pattern in self.plan(session, page):
                    await self.think(rng)
                    widget = session.find(pattern)
                    label = f"change {widget.key if widget else pattern}"
                    await self.act(session, page, "widget", label, session.change(pattern), data)

    def plan(self, session: Session, page: str) -> list[str]:
        """The page's planned settings that are on screen, topped up with others found on the page (a page
        that is not in PLAN, or whose keys changed); each session starts at another one."""
        candidates = [p for p in PLAN.get(page, []) if self.usable(session.find(p))]
        known = {session.find(p).id for p in candidates}
        others = [w.key for w in session.widgets.values() if w.id not in known and self.usable(w)
                  and not any(fnmatchcase(w.key, pattern) for pattern in NOT_BROWSED)]
        candidates += others[:max(0, PLANNED - len(candidates))]
        if self.changes is None:
            return candidates
        shift = self.number % max(len(candidates), 1)  # sessions spread over the page's settings
        return (candidates[shift:] + candidates[:shift])[:self.changes]

    @staticmethod
    def usable(widget) -> bool:
        return widget is not None and widget.key is not None and widget.kind in BROWSED_KINDS and not widget.disabled

    async def upload(self, session: Session, page: str, rng: random.Random, nth: int) -> str | None:
        dataset = session.find("dataset")
        option = next((o for o in dataset.options if UPLOAD_OPTION in o), None)
        if option is None:
            return None
        if session.values.get(dataset.id) != option:
            await self.think(rng)
            await self.act(session, page, "widget", "choose Upload your own CSV", session.set(dataset, option), "default")
        uploader = session.find("upload")
        if uploader is None:
            return None
        shape, name, content = upload_csv(self.number, nth)
        await self.think(rng)
        await self.act(session, page, "upload", "upload a CSV", session.upload(uploader, name, content), shape)
        return shape

    async def train(self, stop: asyncio.Event, page: str, rounds: int) -> None:
        """Press the page's default training button with a new seed each time, until the browsing is over."""
        rng = random.Random(self.number)
        async with self.tab() as session:
            await self.act(session, "", "open", "open the app", self._open(session), "default")
            await self.act(session, page, "page", "open the page", session.goto(page), "default")
            for round_ in range(rounds):
                if stop.is_set():
                    break
                seed = session.find("*seed*")
                if seed is not None:
                    await self.act(session, page, "widget", "new seed",
                                   session.set(seed, 1 + (self.number * 97 + round_ * 13) % 9000), "default")
                button = session.find("train_*")
                if button is None:
                    self.problem = f"no training button on {page}"
                    break
                await self.act(session, page, "train", "train (default settings, own seed)", session.click(button),
                               "default")
                await asyncio.sleep(rng.uniform(0.2, 0.5))

    @staticmethod
    async def _open(session: Session):
        """Opening the link: the HTTP requests, the websocket, the first run."""
        connected = time.perf_counter()
        await session.open()
        run = await session.load()
        run.seconds += run.started - connected
        return run


def progress(student: Student) -> None:
    took = sum(r.seconds for r in student.records)
    print(f"  {time.strftime('%H:%M:%S')} session {student.number}: {len(student.records)} interactions, "
          f"{took:.0f} s waiting, {'served' if student.served else 'NOT served: ' + student.problem}",
          file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------- runs
async def sample_memory(servers: Servers, peak: dict, stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak["rss"] = max(peak["rss"], servers.rss())
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass


async def load_run(servers: Servers, n: int, args, trainers: int = 0) -> dict:
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max(8, n + 4)))
    browsers = [Student(i, servers.urls[i % len(servers.urls)], args, uploads=args.upload_every > 0
                        and i % args.upload_every == args.upload_every - 1) for i in range(n - trainers)]
    training = [Student(n - trainers + j, servers.urls[(n - trainers + j) % len(servers.urls)], args)
                for j in range(trainers)]
    everyone_done, memory_stop, peak = asyncio.Event(), asyncio.Event(), {"rss": servers.rss()}
    sampler = asyncio.create_task(sample_memory(servers, peak, memory_stop))
    cpu_before, client_before, wall = servers.cpu(), time.process_time(), time.perf_counter()
    per_process_before = {pid: cpu_seconds(pid) for pid in servers.streamlit_pids()}
    load_before = os.getloadavg()[0]

    async def start(student: Student):
        await asyncio.sleep(random.Random(student.number).uniform(0, args.ramp))
        await student.browse(everyone_done)

    tasks = [asyncio.create_task(start(s)) for s in browsers]
    browsing_over = asyncio.Event()
    tasks += [asyncio.create_task(t.train(browsing_over, args.train_page, args.train_rounds)) for t in training]
    deadline = time.perf_counter() + args.max_minutes * 60
    while not all(s.done for s in browsers) and time.perf_counter() < deadline:
        await asyncio.sleep(0.5)
    browsing_over.set()
    while not all(t.done for t in training) and time.perf_counter() < deadline:
        await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - wall
    rss_all_visited = servers.rss()  # every session still connected, every page visited
    server_cpu, client_cpu = servers.cpu() - cpu_before, time.process_time() - client_before
    per_process = [cpu_seconds(pid) - before for pid, before in per_process_before.items()]
    everyone_done.set()
    for task in tasks:
        if not task.done():
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    memory_stop.set()
    await sampler
    for student in browsers + training:
        if not student.done:
            student.problem = student.problem or f"not finished within --max-minutes {args.max_minutes}"
    return {
        "n": n, "k": servers.k, "nginx": servers.nginx, "trainers": trainers, "seconds": elapsed,
        "served": sum(s.served for s in browsers), "browsers": len(browsers),
        "problems": sorted({s.problem for s in browsers + training if s.problem}),
        "peak_rss": peak["rss"], "rss_all_visited": rss_all_visited, "server_cpu": server_cpu,
        "client_cpu": client_cpu, "per_process_cpu": per_process, "server_alive": servers.alive(), "load_before": load_before,
        "load_after": os.getloadavg()[0], "server_start_seconds": servers.started_seconds,
        "records": [asdict(r) for s in browsers for r in s.records],
        "training": [asdict(r) for t in training for r in t.records],
    }


async def warm_up(servers: Servers, args) -> list[Record]:
    """One session per process through every page and planned setting, as a lecturer would before class
    (on each process directly: behind nginx, one session would warm only the process its cookie picks)."""
    students = [Student(-1 - i, url, args, changes=None) for i, url in enumerate(servers.backends)]
    await asyncio.gather(*(s.browse() for s in students))
    return [r for s in students for r in s.records]


async def cpu_profile(args) -> dict:
    """Server CPU per rerun, one session at a time on an idle server: cold (first in the server) and warm."""
    quick = argparse.Namespace(**{**vars(args), "think": 0.2})
    with Servers(1, args.cores, nginx=False) as servers:
        url = servers.urls[0]
        # The lecturer's tab stays open: when the last session disconnects, Streamlit empties its cache of
        # compiled page scripts, and every next session's first visit of a page would compile it again.
        lecturer = Session(url, timeout=args.timeout)
        await lecturer.open()
        await lecturer.load()
        cold = Student(-1, url, quick, changes=None, cpu_of=servers)
        await cold.browse()
        warm = []
        for i in range(args.cpu_sessions):
            student = Student(i, url, quick, changes=None, cpu_of=servers)
            await student.browse()
            warm.append(student)
        uploads = []
        for i in range(4):  # one session per upload shape
            student = Student(100 + i, url, quick, uploads=True, changes=None, cpu_of=servers)
            await student.browse()
            uploads.append(student)
        await lecturer.close()
        return {"server_start_seconds": servers.started_seconds,
                "cold": [asdict(r) for r in cold.records],
                "warm": [asdict(r) for s in warm for r in s.records],
                "uploads": [asdict(r) for s in uploads for r in s.records],
                "problems": sorted({s.problem for s in [cold, *warm, *uploads] if s.problem})}


# --------------------------------------------------------------------------------------- reporting
def quantile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def stats(values: list[float]) -> str:
    if not values:
        return "– | – | – | 0"
    return f"{quantile(values, 0.5):.2f} | {quantile(values, 0.95):.2f} | {max(values):.2f} | {len(values)}"


def gb(value: int) -> str:
    return f"{value / 2**30:.2f}"


def ok_times(records: list[dict], kinds=NON_TRAINING) -> list[float]:
    return [r["seconds"] for r in records if r["ok"] and r["kind"] in kinds]


def report_runs(runs: list[dict]) -> list[str]:
    out = ["## Render time per N (seconds, send → script_finished; non-training interactions)", "",
           "| K | via | N | served | interactions | p50 | p95 | max | count | open app p95 | page p95 | widget p95 | "
           "upload p95 | peak RSS GB | RSS all visited GB | server CPU s | client CPU s | wall s | load avg |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        records = run["records"]
        failed = sum(not r["ok"] for r in records)
        by_kind = {kind: quantile(ok_times(records, (kind,)), 0.95) for kind in NON_TRAINING}
        out.append(
            f"| {run['k']} | {'nginx' if run['nginx'] else 'ports'} | {run['n']} | {run['served']}/{run['browsers']} | "
            f"{len(records) - failed} ok, {failed} failed | {stats(ok_times(records))} | "
            + " | ".join("–" if math.isnan(by_kind[k]) else f"{by_kind[k]:.2f}" for k in NON_TRAINING)
            + f" | {gb(run['peak_rss'])} | {gb(run['rss_all_visited'])} | {run['server_cpu']:.0f} | "
              f"{run['client_cpu']:.0f} | {run['seconds']:.0f} | {run['load_before']:.1f}→{run['load_after']:.1f} |")
    for run in runs:
        out += ["", f"### Per page and kind: K = {run['k']} ({'nginx' if run['nginx'] else 'ports'}), N = {run['n']}"
                + (f", {run['trainers']} training" if run["trainers"] else ""), "",
                "| page | kind | p50 | p95 | max | count |", "|---|---|---|---|---|---|"]
        groups: dict[tuple, list[float]] = {}
        for r in run["records"]:
            if r["ok"] and r["kind"] in NON_TRAINING:
                groups.setdefault((r["page"] or "home", r["kind"]), []).append(r["seconds"])
        for (page, kind), values in sorted(groups.items()):
            out.append(f"| {page} | {kind} | {stats(values)} |")
        shown = {e for r in run["records"] for e in r["exceptions"]}
        if shown:
            out += ["", "Exceptions on pages: " + "; ".join(sorted(shown))[:2000]]
        if run["problems"]:
            out += ["", "Sessions not served: " + "; ".join(run["problems"])[:2000]]
        if len(run.get("per_process_cpu", [])) > 1:  # how evenly the balancer spread the work
            out += ["", "Server CPU per process: " + ", ".join(f"{c:.0f} s" for c in run["per_process_cpu"]) + "."]
        if not run["server_alive"]:
            out += ["", "**A server process died during the run.**"]
        if run["trainers"]:
            out += report_training(run)
    return out


def report_training(run: dict) -> list[str]:
    windows = [(r["start"], r["start"] + r["seconds"]) for r in run["training"] if r["kind"] == "train"]
    during, outside = [], []
    for r in run["records"]:
        if r["ok"] and r["kind"] in NON_TRAINING:
            end = r["start"] + r["seconds"]
            (during if any(a < end and r["start"] < b for a, b in windows) else outside).append(r["seconds"])
    trainings = [r["seconds"] for r in run["training"] if r["kind"] == "train" and r["ok"]]
    return ["", f"Training: {len(trainings)} trainings by {run['trainers']} sessions, {stats(trainings)} "
                "(p50 | p95 | max | count, seconds).",
            "", "| the other sessions' interactions | p50 | p95 | max | count |", "|---|---|---|---|---|",
            f"| while a training ran | {stats(during)} |", f"| while none ran | {stats(outside)} |"]


FINGERPRINT = re.compile(r"_[0-9a-f]{12,}")  # keys such as period_<the data's fingerprint>


def interaction(record: dict) -> tuple[str, str, str]:
    return record["page"] or "home", record["kind"], FINGERPRINT.sub("_…", record["label"])


def report_cpu(profile: dict, limit: int) -> list[str]:
    measured = [r for r in profile["warm"] + profile["uploads"] if r["ok"] and r["cpu"] is not None]
    default: dict[tuple, list[dict]] = {}
    uploads: dict[tuple, dict[str, float]] = {}
    for r in measured:
        if r["data"] == "default":
            default.setdefault(interaction(r), []).append(r)
        else:
            uploads.setdefault(interaction(r), {})[r["data"]] = r["cpu"]
    cold = {interaction(r): r["cpu"] for r in profile["cold"] if r["cpu"] is not None}
    rows = sorted(((statistics.median(r["cpu"] for r in records), statistics.median(r["seconds"] for r in records),
                    key, len(records)) for key, records in default.items()), reverse=True)
    over = sum(cpu > 0.1 for cpu, _, key, _ in rows if key[1] in NON_TRAINING)
    sessions = len({r["session"] for r in profile["warm"]})
    out = ["## Server CPU per rerun, one session at a time on an otherwise idle server", "",
           "Seconds of server CPU (utime + stime of every server thread, /proc/<pid>/stat) from sending the rerun "
           "to 50 ms after its script_finished; wall = what the session waited.", "",
           f"### Default dataset: {over} of {len(rows)} interactions over the 0.1 s target", "",
           f"Warm: median over {sessions} sessions after a first one filled the caches (a class after the lecturer "
           "opened the pages); cold: that first session on a new server.", "",
           "| server CPU (warm) | wall (warm) | cold CPU | page | kind | interaction | samples |",
           "|---|---|---|---|---|---|---|"]
    for cpu, wall, key, count in rows[:limit]:
        cold_cpu = f"{cold[key]:.2f}" if key in cold else "–"
        out.append(f"| {cpu:.2f} | {wall:.2f} | {cold_cpu} | {' | '.join(key)} | {count} |")
    shapes = ("monthly", "european", "daily", "hourly")
    upload_rows = sorted(uploads.items(), key=lambda item: -max(item[1].values()))
    out += ["", "### Own uploads (every file is new to the server, so nothing is cached yet)", "",
            "monthly: 48–240 rows, 1–5 KB; european: semicolons, day.month.year, decimal commas, 120 rows, 3 KB; "
            "daily: 730 rows, 12 KB; hourly: 1,440 rows, 33 KB.", "",
            "| page | kind | interaction | " + " | ".join(shapes) + " |", "|---|---|---|" + "---|" * len(shapes)]
    for key, by_shape in upload_rows[:limit]:
        out.append(f"| {' | '.join(key)} | "
                   + " | ".join(f"{by_shape[s]:.2f}" if s in by_shape else "–" for s in shapes) + " |")
    per_page: dict[str, tuple[list, list]] = {}
    for cpu, _, (page, kind, _), _ in rows:
        per_page.setdefault(page, ([], []))[0].append(cpu)
    for (page, kind, _), by_shape in uploads.items():
        per_page.setdefault(page, ([], []))[1].extend(by_shape.values())
    out += ["", "| page | default data: median CPU per rerun | worst | own uploads: median | worst |",
            "|---|---|---|---|---|"]
    for page, (warm, own) in sorted(per_page.items(), key=lambda item: -max(item[1][0] + item[1][1])):
        cells = [f"{statistics.median(v):.2f} | {max(v):.2f}" if v else "– | –" for v in (warm, own)]
        out.append(f"| {page} | {cells[0]} | {cells[1]} |")
    opened = next((r for r in profile["cold"] if r["kind"] == "open"), None)
    if opened:
        out += ["", f"Cold start: server start to health check {profile['server_start_seconds']:.1f} s, then the "
                    f"first session's first render {opened['seconds']:.1f} s (server CPU {opened['cpu']:.2f} s)."]
    if profile["problems"]:
        out += ["", "Profile sessions with problems: " + "; ".join(profile["problems"])]
    return out


def report_targets(runs: list[dict]) -> list[str]:
    out = ["## The issue's targets", ""]
    for run in runs:
        if run["trainers"]:
            continue
        where = f"K = {run['k']} ({'nginx' if run['nginx'] else 'ports'}), N = {run['n']}"
        p95 = quantile(ok_times(run["records"]), 0.95)
        if run["n"] == 30:
            out.append(f"- p95 < 2 s for non-training interactions at N = 30 ({where}): {p95:.2f} s → "
                       f"{'met' if p95 < 2 else 'NOT met'}")
        if run["n"] == 60:
            out.append(f"- every session served at N = 60 ({where}): {run['served']}/{run['browsers']} → "
                       f"{'met' if run['served'] == run['browsers'] else 'NOT met'}")
        out.append(f"- server memory < 2.5 GB ({where}): peak {gb(run['peak_rss'])} GB → "
                   f"{'met' if run['peak_rss'] < 2.5 * 2**30 else 'NOT met'}")
    return out


# --------------------------------------------------------------------------------------- main
def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--sessions", type=numbers, default=[1, 10, 30, 60], help="the N to run, comma-separated")
    parser.add_argument("--servers", type=numbers, default=[1], help="the K (server processes) to run")
    parser.add_argument("--nginx", action="store_true", help="K processes behind nginx (deploy/run_class.sh); "
                        "without it, sessions are spread over the K ports round-robin")
    parser.add_argument("--cores", default="0,1", help="taskset -c for the server(s); '' for no limit")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between a session's actions")
    parser.add_argument("--ramp", type=float, default=5.0, help="sessions start within this many seconds")
    parser.add_argument("--changes", type=int, default=2, help="settings changed per page per session")
    parser.add_argument("--upload-every", type=int, default=4, help="every n-th session uploads (0: none)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for one rerun")
    parser.add_argument("--max-minutes", type=float, default=30.0, help="bound on one run")
    parser.add_argument("--train", type=int, default=0, help="this many of the N sessions train meanwhile")
    parser.add_argument("--train-page", default="gates", help="the page whose default training button they press")
    parser.add_argument("--train-rounds", type=int, default=10, help="at most this many trainings per session")
    parser.add_argument("--cpu-sessions", type=int, default=2, help="warm sessions in the CPU profile (0: skip it)")
    parser.add_argument("--cpu-rows", type=int, default=25, help="rows of the worst-interactions table")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="JSON results (default: test-artifacts/bench_class/)")
    parser.add_argument("--report", type=Path, nargs="+", default=None,
                        help="only print the report of earlier JSON results (several files: their runs together)")
    return parser.parse_args(argv)


def report(results: dict, cpu_rows: int) -> str:
    lines = report_cpu(results["cpu"], cpu_rows) + [""] if results.get("cpu") else []
    return "\n".join(lines + report_runs(results["runs"]) + [""] + report_targets(results["runs"]))


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.report:
        earlier = [json.loads(path.read_text()) for path in args.report]
        cpu = next((r["cpu"] for r in earlier if r.get("cpu")), None)
        print(report({"cpu": cpu, "runs": [run for r in earlier for run in r["runs"]]}, args.cpu_rows))
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out_json = args.out or ARTIFACTS / f"bench_class-{stamp}.json"
    print(f"# Holding a class ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}; server under taskset -c {args.cores or '(none)'})\n", flush=True)
    results: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "runs": []}
    if args.cpu_sessions:
        print("CPU profile …", flush=True)
        results["cpu"] = asyncio.run(cpu_profile(args))
        print("\n".join(report_cpu(results["cpu"], args.cpu_rows)), flush=True)
    for k in args.servers:
        for n in args.sessions:
            trainers = min(args.train, n - 1) if args.train else 0
            print(f"K = {k}{' behind nginx' if args.nginx else ''}, N = {n}"
                  + (f" ({trainers} training)" if trainers else "") + " …", flush=True)
            with Servers(k, args.cores, args.nginx) as servers:
                warm = asyncio.run(warm_up(servers, args))
                run = asyncio.run(load_run(servers, n, args, trainers))
                run["warm_up"] = [asdict(r) for r in warm]
            results["runs"].append(run)
            out_json.write_text(json.dumps(results, indent=1))
            print("\n".join(report_runs([run])), flush=True)
    text = report(results, args.cpu_rows)
    out_json.write_text(json.dumps(results, indent=1))
    out_json.with_suffix(".md").write_text(text + "\n")
    print("\n" + text + f"\n\n(raw data: {out_json})")


if __name__ == "__main__":
    main()
