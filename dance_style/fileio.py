"""Atomic file writes: a file appears under its final name only when complete.

Every file this project writes itself (videos, annotation lists, manifests,
reports, downloaded checkpoints) goes through :func:`atomic_path` (mmengine
writes the checkpoints and logs), so a run killed at any moment
(SIGKILL included) leaves either the old file or the new one, never half of
one; a rerun then sees exactly which outputs are finished.
"""
import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator, Union


def file_mode() -> int:
    """Permission bits a plainly created file gets (0o666 less the umask);
    mkstemp's temp files are 0o600, which would make the renamed result
    private."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: Union[str, Path], suffix: str = '.tmp') -> Iterator[str]:
    """Yield a temporary path beside ``path``; on success it is renamed to
    ``path`` (``os.replace``, atomic on one file system), on any error it is
    removed. Parent folders are created.

    ``suffix`` lets writers that pick a format by extension (PyAV, OpenCV)
    see the right one, e.g. ``'.tmp.mp4'``. Temp names start with a dot, so
    folder listings and globs for ``*.mp4`` skip them.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{path.name}.', suffix=suffix,
                               dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: Union[str, Path], text: str) -> bool:
    """Write ``text`` to ``path`` atomically; leave an identical file
    untouched (reruns change no mtimes). Returns whether it wrote."""
    path = Path(path)
    if path.is_file() and path.read_text(encoding='utf-8') == text:
        return False
    with atomic_path(path) as tmp:
        with open(tmp, 'w', encoding='utf-8', newline='\n') as handle:
            handle.write(text)
    return True


def remove_stale_temp_files(folder: Union[str, Path]) -> int:
    """Delete the temp files :func:`atomic_path` leaves behind when a run is
    killed with SIGKILL (nothing can clean up after that signal). Call it at
    the start of a stage, for a folder only that stage writes. Returns how
    many were removed."""
    removed = 0
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    for path in folder.rglob('.*'):
        name = path.name
        if path.is_file() and ('.tmp' in name or name.endswith('.part')):
            path.unlink()
            removed += 1
    return removed
