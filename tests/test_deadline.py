"""deadline: with_deadline returns, re-raises, gives up with NoAnswer, and reuses its helper thread."""

from __future__ import annotations

import threading

import pytest

from s3tester.deadline import NoAnswer, with_deadline


class Stop(BaseException):
    """Not an Exception: like KeyboardInterrupt, it must still reach the caller."""


def test_returns_what_the_call_returns() -> None:
    marker = object()
    assert with_deadline(lambda: marker, 5, "quick") is marker
    assert with_deadline(lambda: None, 5, "none") is None


def test_reraises_the_calls_own_exception() -> None:
    error = ValueError("bad reply")

    def broken() -> None:
        raise error

    with pytest.raises(ValueError) as info:
        with_deadline(broken, 5, "broken")
    assert info.value is error

    def stopped() -> None:
        raise Stop

    with pytest.raises(Stop):
        with_deadline(stopped, 5, "stopped")


def test_gives_up_with_no_answer_naming_what_and_how_long() -> None:
    release = threading.Event()
    try:
        with pytest.raises(NoAnswer) as info:
            with_deadline(lambda: release.wait(30), 0.05, "GetObject s3t-x/k")
    finally:
        release.set()
    assert str(info.value) == "GetObject s3t-x/k: no complete answer within 0.05s"
    assert info.value.timed_out and not info.value.connection


def test_no_answer_flags() -> None:
    refused = NoAnswer("refused", connection=True)
    assert refused.connection and not refused.timed_out and str(refused) == "refused"
    assert isinstance(refused, Exception)


def test_a_helper_thread_is_reused_until_it_is_abandoned() -> None:
    def where() -> threading.Thread:
        return threading.current_thread()

    first, second = with_deadline(where, 5, "a"), with_deadline(where, 5, "b")
    assert first is second and first is not threading.current_thread() and first.daemon
    release, entered = threading.Event(), threading.Event()

    def hang() -> None:
        entered.set()
        release.wait(30)

    try:
        with pytest.raises(NoAnswer):
            with_deadline(hang, 0.05, "hang")
        assert entered.is_set()
        fresh = with_deadline(where, 5, "after")
        assert fresh is not first  # the stuck helper was left to its call; a new one serves
    finally:
        release.set()


def test_each_calling_thread_has_its_own_helper() -> None:
    seen: list[threading.Thread] = []

    def call() -> None:
        seen.append(with_deadline(threading.current_thread, 5, "x"))

    workers = [threading.Thread(target=call) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(10)
    mine = with_deadline(threading.current_thread, 5, "x")
    assert len(seen) == 2 and len({id(t) for t in [*seen, mine]}) == 3
