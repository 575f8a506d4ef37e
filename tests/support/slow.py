"""Which tests are slow, and the order the test files run in.

A test is slow (``make test-fast`` leaves it out: ``-m "not slow"``) when
it trains, sweeps, builds a dataset, runs a whole pipeline or starts a
server. A fixture that does such work is declared with :func:`slow_fixture`
instead of ``pytest.fixture``, and every test whose fixture closure (what
it asks for, itself or through other fixtures) holds one is marked slow
at collection (:func:`mark_slow`): a new test that uses such a fixture is
slow without anyone keeping a list. A slow test that needs no such
fixture carries ``@pytest.mark.slow`` itself.
"""
from collections import Counter

import pytest

_SLOW = set()  # the functions of the fixtures declared with slow_fixture


def slow_fixture(*args, **kwargs):
    """``pytest.fixture`` (same arguments, or none: ``@slow_fixture``) for a
    fixture whose work makes every test that uses it slow."""
    def declare(function):
        _SLOW.add(function)
        return pytest.fixture(*args, **kwargs)(function)

    if len(args) == 1 and callable(args[0]) and not kwargs:  # bare
        function, args = args[0], ()
        return declare(function)
    return declare


def uses_slow_fixture(item) -> bool:
    """Whether a slow fixture is in ``item``'s fixture closure. By the
    fixture's function, not its name: a fixture of the same name in another
    file (``model``, ``server``) is a different fixture. pytest names the
    definitions behind an item's closure only in ``_fixtureinfo`` (pinned
    pytest, requirements.txt); an item without one (a doctest) has none."""
    info = getattr(item, '_fixtureinfo', None)
    if info is None:
        return False
    return any(definition.func in _SLOW
               for definitions in info.name2fixturedefs.values()
               for definition in definitions)


def mark_slow(items) -> None:
    """Mark ``slow`` every item that uses a slow fixture."""
    for item in items:
        if uses_slow_fixture(item):
            item.add_marker(pytest.mark.slow)


def slow_files_first(items) -> None:
    """Order ``items`` file by file: the files with most slow tests first,
    the others after them in collection order; within a file, collection
    order. Under ``--dist loadfile`` (make test) a worker takes a whole file
    at a time, in this order (``--no-loadscope-reorder``): the long files
    start first, and the fast files fill the workers' ends, so no worker
    starts a long file while the others run out of work. The count of slow
    tests stands for a file's length; it is read from the marks, so a new
    slow test moves its file without anyone keeping an order."""
    slow, first = Counter(), {}
    for index, item in enumerate(items):
        first.setdefault(item.path, index)
        if item.get_closest_marker('slow'):
            slow[item.path] += 1
    items.sort(key=lambda item: (-slow[item.path], first[item.path]))
