"""Automatic ARIMA here against R's forecast::auto.arima, timed in one run on the same series.

Run from the repository root:  python benchmarks/bench_arima.py [--repeats 3]
R (Rscript with the forecast package: apt-get install r-base-core r-cran-forecast) is timed when present and
skipped with a message otherwise. Both sides are timed inside their own process, search only (R's
proc.time() around auto.arima; here time.process_time() around forecast(..., "auto_arima")), as CPU seconds
(which a busy machine disturbs less than wall time; both are printed). The target: at most 2x R on log
AirPassengers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import playground.forecasting as fc  # noqa: E402
from playground.data import load_series  # noqa: E402

SERIES = {  # name: (file, m, log, points: all or the first n)
    "log AirPassengers": ("AirPassengers.csv", 12, True),
    "log AirPassengers, first 115": ("AirPassengers.csv", 12, True, 115),  # the page's default training part
    "AirPassengers": ("AirPassengers.csv", 12, False),
    "ausbeer": ("ausbeer_fpp2.csv", 4, False),
    "USAccDeaths": ("USAccDeaths.csv", 12, False),
    "co2": ("co2_maunaloa_1959_1997.csv", 12, False),
    "Nile": ("Nile.csv", 1, False),
}

R_SCRIPT = r"""
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
values <- read.csv(args[1])[[2]]
if (as.integer(args[6]) > 0) values <- values[seq_len(as.integer(args[6]))]
y <- ts(values, frequency = as.integer(args[2]))
if (args[3] == "log") y <- log(y)
stepwise <- args[4] == "stepwise"
repeats <- as.integer(args[5])
cpu <- wall <- numeric(repeats)
for (i in seq_len(repeats)) {
  t0 <- proc.time()
  fit <- auto.arima(y, stepwise = stepwise)
  t1 <- proc.time() - t0
  cpu[i] <- t1[["user.self"]] + t1[["sys.self"]]; wall[i] <- t1[["elapsed"]]
}
cat(sprintf('{"model": "%s", "cpu": %.4f, "wall": %.4f, "coef": [%s], "aicc": %.6f}\n',
            forecast:::arima.string(fit), median(cpu), median(wall),
            paste(sprintf("%.6f", coef(fit)), collapse = ", "), fit$aicc))
"""


def ours(name: str, stepwise: bool, repeats: int) -> dict:
    file, season, log, *points = SERIES[name]
    series = load_series(ROOT / "sample_data" / file).series
    series = series.iloc[:points[0]] if points else series
    cpu, wall = [], []
    for _ in range(repeats):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        result = fc.forecast(series, "auto_arima", 12, season=season, transform="log" if log else "none",
                             stepwise=stepwise)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    estimates = result.details["coefficients"]["estimate"].drop("σ² (noise variance)")
    return {"model": result.details["chosen"], "cpu": statistics.median(cpu), "wall": statistics.median(wall),
            "coef": list(np.round(estimates.to_numpy(), 6)), "aicc": result.details["aicc"],
            "models": len(result.details["search"])}


def theirs(name: str, stepwise: bool, repeats: int) -> dict | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    file, season, log, *points = SERIES[name]
    done = subprocess.run([rscript, "-e", R_SCRIPT, str(ROOT / "sample_data" / file), str(season),
                           "log" if log else "none", "stepwise" if stepwise else "exhaustive", str(repeats),
                           str(points[0] if points else 0)],
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        print(f"  R failed on {name}: {done.stderr.strip()[-300:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def stationarity_on_a_long_series() -> None:
    """Issue 8: the Stationarity tab on a 200,000-point hourly series ran > 600 s (ADF alone 327 s)."""
    from playground.forecasting import stationarity

    y = np.cumsum(np.random.default_rng(0).normal(size=200_000)) + 10 * np.sin(np.arange(200_000) * 2 * np.pi / 24)
    start = time.process_time()
    adf, kpss = stationarity.adf_test(y), stationarity.kpss_test(y)
    tests = time.process_time() - start
    start = time.process_time()
    chosen = stationarity.choose_differences(y, 24)
    rules = time.process_time() - start
    print(f"Stationarity on 200,000 hourly points: ADF + KPSS {tests:.2f} s CPU (on the last {adf.points:,}, ADF "
          f"lags ≤ {stationarity.adf_maxlag(adf.points)}), d/D rules {rules:.2f} s (d = {chosen.d}, D = {chosen.D})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--exhaustive", action="store_true", help="also time stepwise = FALSE on Nile")
    args = parser.parse_args()
    if shutil.which("Rscript") is None:
        print("Rscript not found: timing this implementation only (apt-get install r-base-core r-cran-forecast).")
    print(f"auto.arima, median of {args.repeats} runs, CPU seconds (wall in brackets); the machine's load "
          "inflates both sides.")
    cases = [(name, True) for name in SERIES] + ([("Nile", False)] if args.exhaustive else [])
    for name, stepwise in cases:
        mine = ours(name, stepwise, args.repeats)
        r = theirs(name, stepwise, args.repeats)
        label = f"{name}{'' if stepwise else ' (exhaustive)'}"
        line = (f"  {label:<30} here {mine['cpu']:6.2f} s ({mine['wall']:5.2f})  {mine['model']:<36} "
                f"AICc {mine['aicc']:9.3f}  {mine['models']:>2} models")
        if r is not None:
            same = "same model" if r["model"].strip().replace(" ", "") == mine["model"].replace(" ", "") else \
                f"R chose {r['model']}"
            line += (f"\n  {'':<30} R    {r['cpu']:6.2f} s ({r['wall']:5.2f})  {r['model'].strip():<36} "
                     f"AICc {r['aicc']:9.3f}  ratio here/R (CPU) {mine['cpu'] / r['cpu']:4.2f}  {same}")
        print(line)
    stationarity_on_a_long_series()


if __name__ == "__main__":
    main()
