"""A fixture's value built once per test session, whichever pytest-xdist
worker asks first: the dataset and the training run that many files use
(tests/conftest.py)."""
import json
import os
from pathlib import Path


def _encode(value):
    if isinstance(value, Path):
        return {'__path__': str(value)}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    return value


def _decode(value):
    if isinstance(value, dict):
        if set(value) == {'__path__'}:
            return Path(value['__path__'])
        return {key: _decode(item) for key, item in value.items()}
    return value


def shared(tmp_path_factory, name: str, build):
    """``build(folder)`` once per test session, whichever xdist worker asks
    first; the others wait on the lock and get the same (JSON-able) result.
    Without xdist it is an ordinary session fixture's body."""
    from filelock import FileLock
    base = tmp_path_factory.getbasetemp()
    if os.environ.get('PYTEST_XDIST_WORKER'):
        base = base.parent  # the session's folder, above every worker's
    record = base / f'shared {name}.json'
    with FileLock(str(record) + '.lock'):
        if record.is_file():
            return _decode(json.loads(record.read_text()))
        folder = base / f'shared {name}'
        if folder.exists():  # a worker's build raised before: say so once
            raise RuntimeError(f'the shared fixture {name!r} failed to '
                               'build earlier in this session; its first '
                               'error is in the first test that used it')
        folder.mkdir()
        value = build(folder)
        record.write_text(json.dumps(_encode(value)))
        return value
