"""playground.training.fit: the early stop that the long-range task of the BPTT page uses."""

import torch

from playground.training import fit


def _problem():
    torch.manual_seed(0)
    x = torch.randn(64, 3)
    y = x @ torch.tensor([1.0, -2.0, 0.5])
    model = torch.nn.Linear(3, 1)
    return model, lambda rows, epoch: torch.nn.functional.mse_loss(model(x[rows])[:, 0], y[rows])


def test_stop_ends_training_after_the_epoch_it_says_so_and_reports_completion():
    model, loss = _problem()
    seen = []
    history = fit(model, loss, 64, epochs=200, lr=0.1, stop=lambda h: h.losses[-1] < 0.01,
                  progress=lambda fraction, text: seen.append((fraction, text)))
    assert 1 < len(history.losses) < 200 and history.losses[-1] < 0.01 <= history.losses[-2]
    assert seen[-1][0] == 1.0 and "stopped" in seen[-1][1]


def test_without_stop_every_epoch_runs_and_the_same_call_gives_the_same_model():
    first, loss = _problem()
    fit(first, loss, 64, epochs=30, lr=0.1)
    second, loss = _problem()
    history = fit(second, loss, 64, epochs=30, lr=0.1)
    assert len(history.losses) == 30
    torch.testing.assert_close(first.weight, second.weight)
