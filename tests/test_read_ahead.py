"""dance_style.read_ahead: an iterator run in a thread, a bounded number of
items ahead (the timeline's decoder)."""
import threading

import pytest

from dance_style.read_ahead import ReadAhead


def test_items_come_in_order_and_the_producer_stays_bounded():
    made = []
    taken = threading.Event()

    def items():
        for index in range(50):
            made.append(index)
            yield index

    ahead = ReadAhead(items(), max_items=4)
    first = next(ahead)
    taken.wait(0.3)  # the producer has time to run ahead, as far as it may
    # the queue's 4, the one handed out, the one waiting to be queued
    assert first == 0 and len(made) <= 4 + 2
    assert [first, *ahead] == list(range(50))
    assert next(ahead, 'done') == 'done'


def test_the_producers_error_is_raised_where_it_happened():
    class Damaged(Exception):
        pass

    error = Damaged('frame 3 is damaged')

    def items():
        yield from range(3)
        raise error

    ahead = ReadAhead(items(), max_items=2)
    got = []
    with pytest.raises(Damaged) as raised:
        for item in ahead:
            got.append(item)
    assert got == [0, 1, 2] and raised.value is error


def test_close_stops_the_producer_and_closes_what_it_reads():
    closed = threading.Event()
    made = []

    def endless():
        try:
            while True:
                made.append(len(made))
                yield made[-1]
        finally:
            closed.set()  # a file the iterator held would close here

    ahead = ReadAhead(endless(), max_items=3)
    assert [next(ahead) for _ in range(5)] == [0, 1, 2, 3, 4]
    ahead.close()
    assert closed.is_set()  # already, when close returns
    count = len(made)
    assert not ahead._thread.is_alive() and len(made) == count
    assert next(ahead, 'done') == 'done'


def test_max_items_must_be_positive():
    with pytest.raises(ValueError, match='at least 1'):
        ReadAhead(iter([]), max_items=0)
