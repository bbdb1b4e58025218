"""What a gate model really does, measured on its held-out sequences.

The gates page draws the unit this module picks and writes its sentences from these numbers, never
in advance: which unit's cell c⟨t⟩ holds what the task needs (its correlation with that quantity
over every held-out sequence), and whether each step of the task's textbook solution
(`gate_tasks.Task.stories`) holds for this model, with the other branch when it does not.

The verdicts are descriptive, not statistical tests: a gate "opens" at a step when its mean there
is at least OPENS above its mean on the steps it is compared with, and every sentence carries both
numbers, so a student can judge a near miss.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from playground import cells

TRACKS = 0.8  # |r| from which a unit's cell "holds" the task's memory
OPENS = 0.15  # a gate opens at a step when its mean there is this much above its mean elsewhere
KEEPS = 0.9  # a keep gate (Γ_f, or 1 − Γ_u) keeps c⟨t−1⟩ when it is at least this on average
MEMORY = {  # per task: what the memory has to hold, and on which steps that is measured
    "remember": ("the stored value", "while it waits"),
    "count": ("the count so far", "at every step"),
    "agreement": ("singular or plural", "from the noun on"),
    "series": ("the level x⟨t⟩", "at every step"),
}
WAITING = "on the steps between store and recall"
GAP = "on the words between the noun and “___”"


@dataclass
class Check:
    text: str  # one sentence (markdown), with the measured numbers
    holds: bool | None  # a step of the textbook solution that holds / does not; None: a plain measurement


@dataclass
class Reading:
    layer: int
    unit: int  # the unit to show: its cell tracks the task's memory best
    memory: str  # what the memory has to hold, in words
    correlations: np.ndarray  # (units,) r between each unit's c⟨t⟩ and that quantity, where it matters
    joint_r2: float  # R² of the same quantity fitted from every unit's c⟨t⟩ at once (least squares)
    n_sequences: int
    checks: list[Check] = field(default_factory=list)

    @property
    def r(self) -> float:
        return float(self.correlations[self.unit])


def held_out_trace(run, layer: int) -> dict[str, np.ndarray]:
    """Every gate and state of `layer` for every held-out sequence, as (sequences, T, units) arrays
    (one batched pass of playground.cells), with the cell under "cell" for every kind (a GRU's c⟨t⟩ = a⟨t⟩)."""
    x = run.data.inputs[run.test_rows].transpose(0, 1)  # (T, sequences, n_x)
    traced = cells.stacked_trace(run.model.rnn, x)[layer]
    values = {key: value.transpose(0, 1).numpy() for key, value in traced.items()}
    values.setdefault("cell", values["hidden"])
    return values


def correlations(cell: np.ndarray, quantity: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, float]:
    """r of each unit's c⟨t⟩ with `quantity` over the masked (sequence, step) pairs, and the R² of
    `quantity` fitted from all units at once. A unit whose cell never moves gets r = 0."""
    c, q = cell[mask], quantity[mask]  # (pairs, units), (pairs,)
    centred_c, centred_q = c - c.mean(0), q - q.mean()
    spread = np.sqrt((centred_c ** 2).sum(0) * (centred_q ** 2).sum())
    r = np.divide(centred_c.T @ centred_q, spread, out=np.zeros(c.shape[1]), where=spread > 1e-12)
    # Units are often exact copies of each other (saturated, or never moving), so the fit is rank-deficient.
    # Scaled, centred columns and an SVD solve with an explicit cut-off find that rank on any machine; the
    # default QR driver's cut-off (machine eps × rows) sits inside rounding error and sometimes keeps a
    # zero pivot, which gave R² ≈ 0.1 for a quantity that one unit copies exactly.
    # torch's least squares runs on one thread (playground.training sets it); numpy's LAPACK starts a thread
    # pool that, on a busy two-core server, turned a 2,000 × 33 fit into a second of waiting.
    scale = np.sqrt((centred_c ** 2).mean(0))
    moving = scale > 1e-12 * max(1.0, float(np.abs(c).max(initial=0.0)))
    design = torch.from_numpy(np.ascontiguousarray(centred_c[:, moving] / scale[moving], dtype=float))
    target = torch.from_numpy(np.ascontiguousarray(centred_q, dtype=float))[:, None]
    solution = torch.linalg.lstsq(design, target, rcond=1e-10, driver="gelsd").solution
    fitted = q.mean() + (design @ solution)[:, 0].numpy()
    total = float((centred_q ** 2).sum())
    return r, (1 - float(((q - fitted) ** 2).sum()) / total) if total > 0 else 0.0


def memory_target(run) -> tuple[np.ndarray, np.ndarray]:
    """(quantity, mask), both (sequences, T): what the memory must hold, and on which steps it is measured."""
    inputs = run.data.inputs[run.test_rows].numpy()
    targets = run.data.targets[run.test_rows, :, 0].numpy()
    n, steps = targets.shape
    t = np.arange(steps)[None, :]
    if run.task == "remember":
        store, recall = inputs[:, :, 1].argmax(1), inputs[:, :, 2].argmax(1)
        value = np.broadcast_to(inputs[np.arange(n), store, 0][:, None], (n, steps))
        return value, (t >= store[:, None]) & (t < recall[:, None])
    if run.task == "count":
        return targets, np.ones((n, steps), dtype=bool)
    if run.task == "agreement":
        return np.broadcast_to(targets[:, -1:], (n, steps)), np.broadcast_to(t >= 1, (n, steps))
    return inputs[:, :, 0], np.ones((n, steps), dtype=bool)


def read(run, layer: int = -1) -> Reading:
    """Pick the unit whose cell holds the task's memory and check the textbook solution against the model."""
    layer = range(run.model.rnn.num_layers)[layer]
    values = held_out_trace(run, layer)
    quantity, mask = memory_target(run)
    r, r2 = correlations(values["cell"], quantity, mask)
    reading = Reading(layer, int(np.argmax(np.abs(r))), MEMORY[run.task][0], r, r2, len(run.test_rows))
    tracking = _tracking(reading, run.task)
    reading.checks = [tracking] + CHECKS[run.task](run, values, reading.unit, bool(tracking.holds))
    return reading


# --------------------------------------------------------------------------- the sentences


def _n(value: float) -> str:
    value = 0.0 if abs(value) < 0.005 else value
    return f"{value:.2f}".replace("-", "−")


def _tracking(reading: Reading, task: str) -> Check:
    what, where = MEMORY[task]
    unit, r, n = reading.unit + 1, reading.r, reading.n_sequences
    flipped = " (r is negative: it holds it with the sign flipped)" if r < 0 else ""
    if task == "series":
        return Check(f"Unit {unit}'s c⟨t⟩ follows {what} most closely: r = {_n(r)} over {n} held-out windows.", None)
    if abs(r) >= TRACKS:
        return Check(f"**The cell holds {what}**: unit {unit}'s c⟨t⟩ has r = {_n(r)} with {what} {where}, over "
                     f"{n} held-out sequences{flipped}.", True)
    text = (f"**The cell holds {what}**: not one unit clearly does; the closest, unit {unit}, has r = {_n(r)} "
            f"{where} (over {n} held-out sequences).")
    if reading.joint_r2 >= TRACKS ** 2:
        text += f" All the cells together do (R² = {reading.joint_r2:.2f}): the memory is spread over several units."
    return Check(text, False)


def _opens(values: dict, gate: str, unit: int, at: np.ndarray, elsewhere: np.ndarray, claim: str,
           at_text: str, elsewhere_text: str, search: bool = True) -> Check:
    """Does `gate` of `unit` open at the `at` steps (mean at least OPENS above its mean on `elsewhere`)?
    If not, and `search`, name the units where it does."""
    array = values[GATE_KEYS[gate]]
    here, there = float(array[:, :, unit][at].mean()), float(array[:, :, unit][elsewhere].mean())
    detail = f"{_n(here)} {at_text}, {_n(there)} {elsewhere_text}"
    if here - there >= OPENS:
        return Check(f"**{claim}**: {detail}.", True)
    text = f"**{claim}**: not in unit {unit + 1} ({detail})."
    if search:
        others = _opening_units(array, at, elsewhere)
        text += (f" {gate} opens there in {_unit_list(others)} instead." if others else
                 f" No unit's {gate} opens there.")
    return Check(text, False)


GATE_KEYS = {"Γ_f": "forget", "Γ_u": "update", "Γ_o": "output", "Γ_r": "relevance"}


def _opening_units(array: np.ndarray, at: np.ndarray, elsewhere: np.ndarray) -> list[tuple[int, float, float]]:
    """(unit, mean at, mean elsewhere) for every unit whose gate opens at `at`, the widest opening first."""
    rows = [(u, float(array[:, :, u][at].mean()), float(array[:, :, u][elsewhere].mean()))
            for u in range(array.shape[2])]
    return sorted((row for row in rows if row[1] - row[2] >= OPENS), key=lambda row: row[2] - row[1])


def _unit_list(rows) -> str:
    return ", ".join(f"unit {u + 1} ({_n(there)} → {_n(here)})" for u, here, there in rows)


def _keeps(keep: np.ndarray, mask: np.ndarray, gate: str, claim: str, where: str, steps: float,
           tracked: bool) -> Check:
    """Does the keep gate (Γ_f, or 1 − Γ_u) stay near 1 on the masked steps? `steps`: how long it must keep."""
    kept = float(keep[mask].mean())
    if kept >= KEEPS:
        return Check(f"**{claim}**: {gate} is {_n(kept)} on average {where}.", True)
    text = (f"**{claim}**: only partly; {gate} is {_n(kept)} on average {where}, and at that rate "
            f"{kept ** steps:.0%} of c⟨t⟩ would be left after {steps:.0f} steps.")
    if tracked:  # c<t> = keep * c<t−1> + write: if the memory survives a leaky keep, the write term restores it
        text += " The cell holds the memory all the same: the write term puts it back at every step."
    return Check(text, False)


def _remember(run, values, unit, tracked) -> list[Check]:
    inputs = run.data.inputs[run.test_rows].numpy()
    t = np.arange(inputs.shape[1])[None, :]
    store, recall = inputs[:, :, 1].argmax(1)[:, None], inputs[:, :, 2].argmax(1)[:, None]
    at_store, at_recall, waiting = t == store, t == recall, (t > store) & (t < recall)
    gap = float((recall - store - 1).mean())
    at_store, at_recall, waiting = (np.broadcast_to(m, inputs.shape[:2]) for m in (at_store, at_recall, waiting))
    checks = [_opens(values, "Γ_u", unit, at_store, waiting, "Γ_u writes at the store step", "there",
                     "on the numbers it must ignore while it waits", search=False)]
    if run.kind == "LSTM":
        forget = values["forget"][:, :, unit]
        here, there = float(forget[at_store].mean()), float(forget[waiting].mean())
        detail = f"{_n(here)} at the store step, {_n(there)} while it waits"
        checks.append(Check(f"**Γ_f clears the cell at the store step**: {detail}." if there - here >= OPENS else
                            f"**Γ_f clears the cell at the store step**: not in unit {unit + 1} ({detail}).",
                            there - here >= OPENS))
        checks.append(_keeps(forget, waiting, "Γ_f", "Γ_f keeps c⟨t⟩ while it waits", WAITING, gap, tracked))
        checks.append(_opens(values, "Γ_o", unit, at_recall, waiting, "Γ_o opens at the recall step", "there",
                             "while it waits"))
        return checks
    checks.append(_keeps(1 - values["update"][:, :, unit], waiting, "1 − Γ_u", "1 − Γ_u keeps c⟨t⟩ while it waits",
                         WAITING, gap, tracked))
    answering = _opening_units(values["update"], at_recall, waiting)
    if not answering:
        checks.append(Check("**Some unit opens Γ_u at the recall step to put the answer out**: none does (no unit's "
                            f"Γ_u is {OPENS:.2f} higher there than while it waits).", False))
        return checks
    checks.append(Check(f"**Some unit opens Γ_u at the recall step to put the answer out**: "
                        f"{_unit_list(answering)}, from while it waits to the recall step.", True))
    if run.kind == "GRU":
        first = answering[0][0]
        checks.append(_opens(values, "Γ_r", first, at_recall, waiting,
                             f"Γ_r of unit {first + 1} lets c⟨t−1⟩ into its candidate at the recall step", "there",
                             "while it waits", search=False))
    return checks


def _count(run, values, unit, tracked) -> list[Check]:
    bits = run.data.inputs[run.test_rows, :, 0].numpy() > 0.5
    cell = values["cell"][:, :, unit]
    step = np.diff(np.c_[np.zeros(len(cell)), cell], axis=1)  # c⟨t⟩ − c⟨t−1⟩, with c⟨0⟩ = 0
    on_one, on_zero = float(step[bits].mean()), float(np.abs(step[~bits]).mean())
    detail = f"it moves by {_n(on_one)} on average at a 1, and by {_n(on_zero)} (in size) at a 0"
    holds = abs(on_one) >= 3 * on_zero
    checks = [Check(f"**c⟨t⟩ moves a step at every 1 and stays flat on a 0**: {detail}." if holds else
                    f"**c⟨t⟩ moves a step at every 1 and stays flat on a 0**: not clearly; {detail}.", holds)]
    if run.kind == "LSTM":
        checks.append(_keeps(values["forget"][:, :, unit], np.ones_like(bits), "Γ_f", "Γ_f keeps the count",
                             "over all steps", float(bits.shape[1]), tracked))
    opens = _opens(values, "Γ_u", unit, bits, ~bits, "Γ_u opens wider when a 1 arrives", "at a 1", "at a 0",
                   search=False)
    if not opens.holds and run.kind == "LSTM":
        candidate = values["candidate"][:, :, unit]
        opens.text += (f" The candidate makes the difference instead: c̃⟨t⟩ is {_n(float(candidate[bits].mean()))} "
                       f"at a 1 and {_n(float(candidate[~bits].mean()))} at a 0.")
    return checks + [opens]


def _agreement(run, values, unit, tracked) -> list[Check]:
    n, steps, _ = values["cell"].shape
    t = np.broadcast_to(np.arange(steps)[None, :], (n, steps))
    noun, gap, slot = t == 1, (t >= 2) & (t < steps - 1), t == steps - 1
    checks = [_opens(values, "Γ_u", unit, noun, gap, "Γ_u takes in the noun", "at the noun", "on the words in between")]
    length = float(steps - 3)
    if run.kind == "LSTM":
        checks.append(_keeps(values["forget"][:, :, unit], gap, "Γ_f", "Γ_f keeps it through the gap", GAP, length,
                             tracked))
        checks.append(_opens(values, "Γ_o", unit, slot, gap, "Γ_o opens at “___”", "there", "on the words in between"))
    else:
        checks.append(_keeps(1 - values["update"][:, :, unit], gap, "1 − Γ_u", "1 − Γ_u keeps it through the gap",
                             GAP, length, tracked))
    return checks


def _series(run, values, unit, tracked) -> list[Check]:
    update = float(values["update"][:, :, unit].mean())
    if run.kind == "LSTM":
        forget = float(values["forget"][:, :, unit].mean())
        return [Check(f"Unit {unit + 1} keeps {forget:.0%} of c⟨t−1⟩ per step on average (Γ_f) and writes "
                      f"{update:.0%} of the candidate (Γ_u).", None)]
    return [Check(f"Unit {unit + 1} lets in {update:.0%} of each new candidate on average (Γ_u) and keeps "
                  f"{1 - update:.0%} of c⟨t−1⟩.", None)]


CHECKS = {"remember": _remember, "count": _count, "agreement": _agreement, "series": _series}
