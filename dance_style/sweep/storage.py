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

A database password never reaches a file, a log or a command line that this
package writes: logs show the URL as :func:`describe` masks it, and worker
processes get the full URL through the environment (:data:`STORAGE_ENV`),
not through their settings file or argv. The user passes it the same way, or
in a file only they can read (:func:`resolve_storage`).
"""
import os
import os.path as osp
import re
import stat
import sys
import time
from pathlib import Path
from typing import List, Optional

from ..errors import DanceStyleError

JOURNAL_SUFFIXES = ('.journal', '.log')
# the full storage URL, password included, for tools/sweep.py (instead of
# --storage) and for the worker processes that --workers starts
STORAGE_ENV = 'DANCE_STYLE_SWEEP_STORAGE'
MASK = '***'
# user:password@ and ?password=..., for URLs SQLAlchemy cannot parse
_CREDENTIALS = re.compile(r'^([^:/?#]+://[^:/@?#]*):([^@/]*)@')
_QUERY_PASSWORD = re.compile(r'([?&]password=)[^&#]*', re.IGNORECASE)


def default_storage_url(study_dir: Path) -> str:
    """The SQLite file of a study: ``<study_dir>/study.db``."""
    return f'sqlite:///{osp.abspath(study_dir / "study.db")}'


def _parse(url: str):
    """SQLAlchemy's URL object for ``url``, or None (a journal path, or
    text it cannot parse)."""
    if '://' not in url:
        return None
    from sqlalchemy.engine import make_url
    try:
        return make_url(url)
    except Exception:  # ArgumentError, ValueError: not a URL it knows
        return None


def passwords(url: str) -> List[str]:
    """The secrets in ``url``: its password and a ``?password=`` query
    value (libpq takes either), as the driver receives them."""
    parsed = _parse(url)
    if parsed is None:
        found = _CREDENTIALS.match(url)
        secrets = [found.group(2)] if found else []
        secrets += [match.group(0).split('=', 1)[1]
                    for match in _QUERY_PASSWORD.finditer(url)]
        return [secret for secret in secrets if secret]
    secrets = [parsed.password] if parsed.password else []
    for key, value in parsed.query.items():
        if key.lower() == 'password':
            secrets += [value] if isinstance(value, str) else list(value)
    return [secret for secret in secrets if secret]


def describe(url: str) -> str:
    """The storage URL with its password masked, for logs and files:
    ``postgresql://optuna:***@host/optuna``. A URL without a password
    comes back unchanged."""
    if not passwords(url):
        return url
    parsed = _parse(url)
    if parsed is None:
        return _QUERY_PASSWORD.sub(
            rf'\g<1>{MASK}', _CREDENTIALS.sub(rf'\g<1>:{MASK}@', url))
    query = {key: MASK if key.lower() == 'password' else value
             for key, value in parsed.query.items()}
    # SQLAlchemy quotes the query's mask; the user's own text is kept
    return parsed.set(query=query).render_as_string(
        hide_password=True).replace('%2A%2A%2A', MASK)


def redact(text: str, url: str) -> str:
    """``text`` (an error message, a log line) with ``url``'s password
    masked wherever it appears, in plain or URL-quoted form."""
    from urllib.parse import quote, quote_plus
    text = text.replace(url, describe(url))
    for secret in passwords(url):
        for form in {secret, quote(secret, safe=''), quote_plus(secret)}:
            text = text.replace(form, MASK)
    return text


def read_password_file(path: str) -> str:
    """The first line of ``path``, a file that only its owner may read
    (mode 0600 or 0400, as ssh keys and ~/.pgpass)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise DanceStyleError(
            f'--storage-password-file {path}: {error.strerror}')
    if not stat.S_ISREG(mode):
        raise DanceStyleError(
            f'--storage-password-file {path} is not a file')
    if mode & 0o077:
        raise DanceStyleError(
            f'--storage-password-file {path} can be read or changed by other '
            f'users (mode {stat.S_IMODE(mode):04o}); make it yours alone: '
            f'chmod 600 {path}')
    with open(path, encoding='utf-8') as handle:
        password = handle.readline().rstrip('\r\n')
    if not password:
        raise DanceStyleError(
            f'--storage-password-file {path}: the first line is empty; it '
            'should hold the password and nothing else')
    return password


def resolve_storage(url: Optional[str], password_file: Optional[str],
                    study_dir: Path) -> str:
    """The storage URL a sweep uses, password included: ``--storage``, else
    ``$DANCE_STYLE_SWEEP_STORAGE``, else the study folder's SQLite file;
    with ``--storage-password-file``, the URL's password is read from that
    file."""
    url = url or os.environ.get(STORAGE_ENV) or default_storage_url(study_dir)
    if password_file is None:
        return url
    parsed = _parse(url)
    if parsed is None or parsed.drivername.startswith('sqlite'):
        raise DanceStyleError(
            f'--storage-password-file needs a database server URL such as '
            f'postgresql://optuna@db-host/optuna, not {describe(url)}')
    if passwords(url):
        raise DanceStyleError(
            f'--storage-password-file given, but {describe(url)} holds a '
            'password already: drop it from the URL')
    return parsed.set(password=read_password_file(password_file)
                      ).render_as_string(hide_password=False)


def worker_storage(shown: str, environ=os.environ) -> str:
    """The full storage URL of a worker process: from ``environ`` (which
    :func:`dance_style.sweep.workers.run_workers` fills), checked against
    ``shown``, the masked URL of the worker's settings file."""
    url = environ.get(STORAGE_ENV)
    if url is None:
        if passwords(shown):
            raise DanceStyleError(
                f'this worker\'s settings show the storage as {shown}, with '
                f'its password masked; the worker reads the full URL from '
                f'the environment variable {STORAGE_ENV} (tools/sweep.py '
                '--workers sets it)')
        return shown
    if describe(url) != shown:
        raise DanceStyleError(
            f'{STORAGE_ENV} names {describe(url)}, but this worker\'s '
            f'settings name {shown}: start workers with tools/sweep.py '
            '--workers, which sets both')
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
                f'no database driver for {describe(url)}: '
                f'{redact(str(error), url)}\n'
                f'Install it into the environment: {driver_hint(url)}'
            ) from None  # the driver's own error may quote the URL
        except Exception as error:  # sqlalchemy's OperationalError and kin
            # workers started together race to create the tables of a new
            # database; the loser sees "already exists" or "locked": retry
            transient = any(word in str(error)
                            for word in ('already exists', 'locked'))
            if transient and attempt < 4:
                time.sleep(1 + attempt)
                continue
            raise DanceStyleError(
                f'cannot open the Optuna storage {describe(url)}: '
                f'{redact(str(error), url)}\n'
                'Check that the server is reachable and the database '
                'exists.') from None
