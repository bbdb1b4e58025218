"""Fixtures shared by the unit tests."""

import pytest


@pytest.fixture(scope="session")
def remember_lstm():
    """The gates page's default model: the remember task, an LSTM of 4 units, trained with the default settings
    (about five seconds, so trained once). Tests that change it work on a copy."""
    from playground import gate_tasks as tasks

    task = tasks.TASKS["remember"]
    return tasks.train("remember", "LSTM", tasks.LIMITS["hidden_size"][2], 1, task.length[2])
