"""Speed and memory of the foundation: app cold start, decomposition reruns, loader on big files.

Run from the project root:  python benchmarks/bench_foundation.py
Needs the test tools (requirements-dev.txt) and Chromium for the cold-start figure.
"""

from __future__ import annotations

import io
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground.data import load_series  # noqa: E402
from cpu_timer import wall_seconds  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cold_start_and_memory() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("cold start: skipped (no chromium)")
        return
    from playwright.sync_api import sync_playwright

    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        server_ready = time.perf_counter() - started
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            opened = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("h1", timeout=60_000)
            home = time.perf_counter() - opened
            opened = time.perf_counter()
            page.goto(f"{url}/decomposition")
            page.wait_for_selector(".js-plotly-plot", timeout=60_000)
            decomposition = time.perf_counter() - opened
            # Warm: every sample through the page, then the peak memory of the server process.
            for key in ("co2", "electricity", "melbourne_temp", "sunspots"):
                page.goto(f"{url}/decomposition")
                page.wait_for_selector(".js-plotly-plot", timeout=60_000)
                page.locator(".st-key-dataset [role='combobox']").click()
                from playground.samples import SAMPLES
                page.locator("[role='option']", has_text=SAMPLES[key].title.split(" (")[0]).click()
                page.wait_for_timeout(500)
                page.wait_for_selector("[data-test-script-state='notRunning']", timeout=60_000)
            browser.close()
        print(f"server start to health check      {server_ready:6.2f} s")
        print(f"home page first render (browser)  {home:6.2f} s")
        print(f"decomposition first chart         {decomposition:6.2f} s  (cold: imports statsmodels)")
        print(f"cold start to first render        {server_ready + home:6.2f} s")
        print(f"server peak memory (RSS) after every sample on the decomposition page: {peak_rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=10)


def page_reruns() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "decomposition.py"), default_timeout=120)
    at.run()

    plain = wall_seconds(at.run, 5)
    flip = {"value": "additive"}

    def toggle_model():  # settings are kept per series: their keys end with the series' fingerprint
        flip["value"] = "multiplicative" if flip["value"] == "additive" else "additive"
        next(r for r in at.radio if r.key == "dec_model").set_value(flip["value"]).run()

    model_cached = wall_seconds(toggle_model, 5)
    key = next(w.key for w in at.number_input if w.key == "dec_period")
    periods = iter(range(3, 40))
    new_period = wall_seconds(lambda: at.number_input(key=key).set_value(next(periods)).run(), 5)
    at.selectbox(key="dataset").select("electricity").run()
    electricity = wall_seconds(at.run, 5)
    content = big_csv()
    at.selectbox(key="dataset").select("upload").run()
    at.file_uploader[0].upload("big.csv", content, "text/csv")
    start = time.perf_counter()
    at.run()
    big_first = time.perf_counter() - start
    big_rerun = wall_seconds(at.run, 3)
    print(f"decomposition rerun, nothing changed (AirPassengers)   {plain * 1000:6.0f} ms")
    print(f"decomposition rerun, model switched (cached)           {model_cached * 1000:6.0f} ms")
    print(f"decomposition rerun, new period (decomposes again)     {new_period * 1000:6.0f} ms")
    print(f"decomposition rerun, 4,032 half-hours (electricity)    {electricity * 1000:6.0f} ms")
    print(f"decomposition, 1,000,000-row upload: first render      {big_first:6.1f} s (load + decompose)")
    print(f"decomposition, 1,000,000-row upload: rerun             {big_rerun * 1000:6.0f} ms")


def big_csv() -> bytes:
    index = pd.date_range("2000-01-01", periods=1_000_000, freq="min")
    daily = np.sin(2 * np.pi * np.arange(len(index)) / 1440)
    values = (daily + np.random.default_rng(0).normal(size=len(index)) * 0.3).round(3)
    return pd.DataFrame({"time": index.strftime("%Y-%m-%d %H:%M"), "v": values}).to_csv(index=False).encode()


def european_export(rows: int = 780_000) -> bytes:
    """A 30 MB export as a spreadsheet in Europe writes it: semicolons, dd.mm.yyyy hh:mm, decimal commas."""
    rng = np.random.default_rng(0)
    index = pd.date_range("1980-01-01", periods=rows, freq="30min")
    frame = pd.DataFrame({"Datum": index.strftime("%d.%m.%Y %H:%M"),
                          "Last MW": (30_000 + 5_000 * np.sin(2 * np.pi * np.arange(rows) / 48)
                                      + rng.normal(0, 500, rows)).round(1),
                          "Temperatur °C": rng.normal(10, 5, rows).round(1),
                          "Feuchte %": rng.uniform(20, 100, rows).round(1)})
    return frame.to_csv(index=False, sep=";", decimal=",").encode()


def wide_file(columns: int = 2_000, rows: int = 24) -> bytes:
    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(rows, columns)).round(3),
                         columns=[f"sensor_{i}" for i in range(columns)])
    frame.insert(0, "month", pd.date_range("2020-01-01", periods=rows, freq="MS").strftime("%Y-%m"))
    return frame.to_csv(index=False).encode()


def loader_on_big_files() -> None:
    index = pd.date_range("2000-01-01", periods=1_000_000, freq="min")
    values = np.random.default_rng(0).normal(size=len(index)).round(3)
    files = {
        "1,000,000 rows, ISO timestamps, comma, decimal point": pd.DataFrame(
            {"time": index.strftime("%Y-%m-%d %H:%M"), "v": values}).to_csv(index=False).encode(),
        "1,000,000 rows, dd.mm.yyyy hh:mm, semicolon, decimal comma": pd.DataFrame(
            {"time": index.strftime("%d.%m.%Y %H:%M"), "v": values}).to_csv(index=False, sep=";", decimal=",").encode(),
        "780,000 rows x 4 columns, European export (target < 5 s)": european_export(),
        "24 rows x 2,000 columns (target < 1 s)": wide_file(),
    }
    for name, content in files.items():
        wall, cpu = [], []
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            loaded = load_series(io.BytesIO(content))
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(f"load_series, {name} ({len(content) / 1e6:.0f} MB): median of 3 {statistics.median(wall):5.2f} s wall,"
              f" {statistics.median(cpu):5.2f} s CPU  -> {len(loaded.series):,} points, {loaded.frequency_label}, "
              f"{len(loaded.numeric_columns)} value columns")


if __name__ == "__main__":
    loader_on_big_files()
    page_reruns()
    cold_start_and_memory()
