"""One small training loop, shared by every neural demo: seeded, bounded, reporting progress."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import torch

# The demo models are tiny: thread start-up costs more than it saves, and on a shared
# Community Cloud CPU one thread per session keeps the app fair to other students.
torch.set_num_threads(1)

MAX_EPOCHS = 2_000
Progress = Callable[[float, str], None]


@dataclass
class History:
    losses: list[float] = field(default_factory=list)
    validation: list[float] = field(default_factory=list)
    seconds: float = 0.0


def seed_everything(seed: int) -> None:
    torch.manual_seed(seed)


def fit(
    model: torch.nn.Module,
    batch_loss: Callable[[torch.Tensor, int], torch.Tensor],
    n_samples: int,
    epochs: int,
    lr: float = 1e-2,
    batch_size: int | None = None,
    validate: Callable[[], float] | None = None,
    progress: Progress | None = None,
    clip: float | None = 1.0,
    seed: int = 0,
    stop: Callable[[History], bool] | None = None,
) -> History:
    """Adam on `batch_loss(indices, epoch)`, the mean loss of the samples at `indices`.

    `validate()` (no gradients) is recorded after each epoch. `stop(history)`, if given, is asked after each
    epoch whether the model has learned enough to stop early. Seeded: the same call gives the same model.
    """
    if not 1 <= epochs <= MAX_EPOCHS:
        raise ValueError(f"epochs must be between 1 and {MAX_EPOCHS}")
    seed_everything(seed)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    batch_size = batch_size or n_samples
    history = History()
    start = time.perf_counter()
    report_every = max(1, epochs // 50)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n_samples, generator=generator)
        total = 0.0
        for first in range(0, n_samples, batch_size):
            indices = order[first:first + batch_size]
            optimiser.zero_grad()
            loss = batch_loss(indices, epoch)
            loss.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            optimiser.step()
            total += loss.item() * len(indices)
        history.losses.append(total / n_samples)
        if validate is not None:
            model.eval()
            with torch.no_grad():
                history.validation.append(float(validate()))
        stopping = stop is not None and stop(history)
        if progress is not None and (epoch % report_every == 0 or epoch == epochs - 1 or stopping):
            shown = history.validation[-1] if history.validation else history.losses[-1]
            progress(1.0 if stopping else (epoch + 1) / epochs,
                     f"epoch {epoch + 1}/{epochs} · loss {shown:.4g}" + (" · learned, stopped" if stopping else ""))
        if stopping:
            break
    model.eval()
    history.seconds = time.perf_counter() - start
    return history
