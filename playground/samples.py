"""The datasets that ship in sample_data/, with what each one is good for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


@dataclass(frozen=True)
class Sample:
    key: str
    title: str
    file: str
    shows: str

    @property
    def path(self) -> Path:
        return SAMPLE_DIR / self.file


SAMPLES = {
    sample.key: sample
    for sample in [
        Sample("air_passengers", "Air passengers (monthly, 1949–1960)", "AirPassengers.csv",
               "Trend with a seasonal swing that grows with the level: multiplicative seasonality."),
        Sample("co2", "Mauna Loa CO₂ (monthly, 1959–1997)", "co2_maunaloa_1959_1997.csv",
               "Steady trend with a seasonal swing of constant size: additive seasonality."),
        Sample("nile", "Nile annual flow (1871–1970)", "Nile.csv",
               "Yearly data with no season and a level shift around 1898."),
        Sample("electricity", "UK electricity demand (half-hourly, summer 2000)", "uk_electricity_demand_halfhourly_2000.csv",
               "Two seasonal cycles at once: daily (48 half-hours) and weekly (336)."),
        Sample("melbourne_temp", "Melbourne minimum temperature (daily, 1981–1990)", "daily_min_temperatures_melbourne.csv",
               "A long daily series with a yearly cycle and a lot of day-to-day noise."),
        Sample("beer", "Australian beer production (quarterly, 1956–2010)", "ausbeer_fpp2.csv",
               "Quarterly season (period 4) with a trend that rises, then falls."),
        Sample("us_accidents", "US accidental deaths (monthly, 1973–1978)", "USAccDeaths.csv",
               "A short monthly series: only six seasonal cycles."),
        Sample("sunspots", "Sunspots (monthly, 1749–1983)", "monthly_sunspots_1749_1983.csv",
               "An 11-year cycle that is not a calendar season: what decomposition cannot do."),
        Sample("google", "Google closing price (1,000 trading days)", "goog_fpp2.csv",
               "A random walk with no dates: numbered trading days, no season."),
    ]
}
DEFAULT_SAMPLE = "air_passengers"
