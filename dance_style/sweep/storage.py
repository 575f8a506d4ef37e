"""Where a study lives: SQLite by default, any Optuna storage on request.

Several worker processes on one study need a storage that serialises trial
creation. Optuna's documentation recommends an RDB for that: PostgreSQL or
MySQL across machines; SQLite is fine for a few workers on one machine
(trials here last minutes, so its writes rarely meet) but not "at scale" and
never on NFS. Only the RDB storages have heartbeats in Optuna 5: a worker
that dies (SIGKILL, node lost) stops beating, and the next worker to start a
trial, or the end of any worker's sweep, marks its trial FAIL instead of
leaving it RUNNING forever. A journal file (``*.journal``/``*.log``,
Optuna's JournalFileBackend) is accepted too, for NFS without a database
server, but has no heartbeat.
"""
import os.path as osp
import sys
import time
from pathlib import Path
from typing import Optional

from ..errors import DanceStyleError

JOURNAL_SUFFIXES = ('.journal', '.log')


def default_storage_url(study_dir: Path) -> str:
    """The SQLite file of a study: ``<study_dir>/study.db``."""
    return f'sqlite:///{osp.abspath(study_dir / "study.db")}'


def describe(url: str) -> str:
    """The storage URL without a password, for logs."""
    scheme, sep, rest = url.partition('://')
    if sep and '@' in rest:
        credentials, _, host = rest.rpartition('@')
        user = credentials.split(':', 1)[0]
        return f'{scheme}://{user}:***@{host}'
    return url


# SQLAlchemy's driver for each URL scheme, and the package that provides it.
# SQLAlchemy 2.1 made psycopg (3) the driver of a plain postgresql:// URL;
# 2.0 used psycopg2. requirements.txt pins SQLAlchemy for that reason.
DRIVERS = {
    'postgresql': 'pip install "psycopg[binary]" (the "sweep" extra has it)',
    'postgresql+psycopg': 'pip install "psycopg[binary]" (the "sweep" extra '
                          'has it)',
    'postgresql+psycopg2': 'pip install psycopg2-binary',
    'postgresql+asyncpg': 'pip install asyncpg',
    'mysql': 'pip install mysqlclient',
    'mysql+pymysql': 'pip install pymysql',
}


def driver_hint(url: str) -> str:
    """The pip command that installs the driver SQLAlchemy picks for
    ``url``'s scheme."""
    scheme = url.split('://', 1)[0].lower()
    return DRIVERS.get(scheme, f'the DB-API driver SQLAlchemy names for '
                       f'"{scheme}://" URLs')


def is_journal(url: str) -> bool:
    """A journal file path (no ``scheme://``), by its suffix."""
    return '://' not in url and url.endswith(JOURNAL_SUFFIXES)


def open_storage(url: str, heartbeat_interval: Optional[int] = 60):
    """An Optuna storage for ``url``.

    Args:
        url: ``sqlite:///path.db``, ``postgresql://user:pw@host/db``,
            ``mysql+pymysql://...``, or a journal file path ending in
            ``.journal`` or ``.log``.
        heartbeat_interval: Seconds between a running trial's heartbeats
            (RDB storages); a trial silent for twice this long is stale.
            ``None`` turns heartbeats off.
    """
    import optuna
    if is_journal(url):
        from optuna.storages.journal import JournalFileBackend
        Path(url).parent.mkdir(parents=True, exist_ok=True)
        if heartbeat_interval:
            print(f'note: {url} is a journal file; Optuna has no heartbeat '
                  'for journals, so a killed worker\'s trial stays RUNNING '
                  '(use SQLite or PostgreSQL for that)', file=sys.stderr)
        return optuna.storages.JournalStorage(JournalFileBackend(url))
    if '://' not in url:
        raise DanceStyleError(
            f'--storage {url!r} is neither a database URL nor a journal '
            'file. Examples: sqlite:///work_dirs/sweeps/s/study.db, '
            'postgresql://user:password@host/optuna, '
            'work_dirs/sweeps/s/study.journal')
    engine_kwargs = {}
    if url.startswith('sqlite:'):
        path = url.split(':///', 1)[-1]
        if path and path != ':memory:':
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # wait for another worker's write instead of failing at once with
        # "database is locked"
        engine_kwargs['connect_args'] = {'timeout': 60}
    for attempt in range(5):
        try:
            return optuna.storages.RDBStorage(
                url, engine_kwargs=engine_kwargs,
                heartbeat_interval=heartbeat_interval,
                grace_period=2 * heartbeat_interval
                if heartbeat_interval else None)
        except ImportError as error:
            raise DanceStyleError(
                f'no database driver for {describe(url)}: {error}\n'
                f'Install it into the environment: {driver_hint(url)}')
        except Exception as error:  # sqlalchemy's OperationalError and kin
            # workers started together race to create the tables of a new
            # database; the loser sees "already exists" or "locked": retry
            transient = any(word in str(error)
                            for word in ('already exists', 'locked'))
            if transient and attempt < 4:
                time.sleep(1 + attempt)
                continue
            raise DanceStyleError(
                f'cannot open the Optuna storage {describe(url)}: {error}\n'
                'Check that the server is reachable and the database '
                'exists.')
