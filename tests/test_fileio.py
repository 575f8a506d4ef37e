"""Atomic writes: the final name holds a complete file or the old one."""
import os

import pytest

from dance_style.fileio import atomic_path, write_text_atomic


def test_success_renames_into_place_with_normal_permissions(tmp_path):
    target = tmp_path / 'sub dir' / 'clip.mp4'
    with atomic_path(target, suffix='.tmp.mp4') as tmp:
        assert tmp.endswith('.tmp.mp4') and not target.exists()
        with open(tmp, 'wb') as handle:
            handle.write(b'done')
    assert target.read_bytes() == b'done'
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert os.listdir(target.parent) == ['clip.mp4']


def test_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / 'list.txt'
    target.write_text('old\n')
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            with open(tmp, 'w') as handle:
                handle.write('half')
            raise RuntimeError('killed mid-way')
    assert target.read_text() == 'old\n'
    assert os.listdir(tmp_path) == ['list.txt']


def test_identical_text_is_not_rewritten(tmp_path):
    target = tmp_path / 'a.txt'
    assert write_text_atomic(target, 'x\n') is True
    mtime = target.stat().st_mtime_ns
    assert write_text_atomic(target, 'x\n') is False
    assert target.stat().st_mtime_ns == mtime
    assert write_text_atomic(target, 'y\n') is True
    assert target.read_text() == 'y\n'
