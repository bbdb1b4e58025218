"""The shared training store: one training per model for the whole server, and at most AT_ONCE at a time."""

import threading
import time

from playground.ui import _Trainings


def test_a_second_session_waits_for_the_same_model_instead_of_training_it():
    trainings = _Trainings()
    assert trainings.claim("m") is None  # the first session trains
    waiting = trainings.claim("m")
    assert waiting is not None and not waiting.is_set()
    got = []
    waiter = threading.Thread(target=lambda: (waiting.wait(), got.append(trainings.get("m"))))
    waiter.start()
    trainings.finish("m", "model")
    waiter.join(timeout=5)
    assert got == ["model"] and trainings.get("m") == "model"
    assert trainings.claim("m") is None  # nothing is running any more


def test_a_failed_training_is_not_stored_and_frees_the_key():
    trainings = _Trainings()
    trainings.claim("m")
    trainings.finish("m", None)
    assert trainings.get("m") is None and trainings.claim("m") is None


def test_no_more_than_at_once_trainings_run_together():
    trainings = _Trainings()
    running, most = [0], [0]
    lock = threading.Lock()

    def train():
        with trainings.slots:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=train) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert most[0] == trainings.AT_ONCE


def test_the_least_recently_used_results_go_first():
    trainings = _Trainings()
    for i in range(trainings.LIMIT + 2):
        trainings.claim(i)
        trainings.finish(i, i)
    assert trainings.get(0) is None and trainings.get(1) is None and trainings.get(2) == 2
