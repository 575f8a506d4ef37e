"""Videos as people have them: every format predicts, rotation is honoured
everywhere (prediction and data preparation), broken files get one line.

The files are generated when the tests run (dance_style.synthetic.formats),
never committed.
"""
import json
import subprocess
import sys

import numpy as np
import pytest

from support import TINY_CONFIG, TINY_EPOCHS, run_tool, slow_fixture

READABLE = ('h264', 'hevc', 'hevc10', 'vp9', 'av1', 'mjpeg', 'prores', 'gif',
            'vertical', 'rotated90', 'rotated270', 'vfr', '320x180',
            '5 frames', '1 frame')
# decord 0.6.0 cannot read these (or ignores their rotation tag)
PYAV_ONLY = ('av1', 'gif', 'rotated90', 'rotated270')


@slow_fixture(scope='session')
def samples(tmp_path_factory):
    """{case: path} of every format, written in a child process (decord,
    imported here by mmaction2, breaks PyAV's VP9 encoder in-process)."""
    folder = tmp_path_factory.mktemp('formats é')
    proc = subprocess.run(
        [sys.executable, '-m', 'dance_style.synthetic.formats', str(folder)],
        capture_output=True, text=True, check=True, timeout=300)
    from pathlib import Path
    return {k: Path(v) for k, v in
            json.loads(proc.stdout.strip().splitlines()[-1]).items()}


def _frames(path):
    from dance_style.video import iter_frames
    return np.stack([rgb for _, rgb in iter_frames(path)])


def test_rotation_tag_is_honoured_when_decoding(samples):
    portrait = _frames(samples['vertical'])
    assert portrait.shape[1] == 2 * portrait.shape[2]  # 128 x 64, upright
    for case in ('rotated90', 'rotated270'):
        turned = _frames(samples[case])
        assert turned.shape == portrait.shape, case
        # the same clip, two encodes (x264/VP9 of rotated chroma grids):
        # measured 4.1 and 3.8 grey levels apart on average, while turned
        # the wrong way (upside down, or mirrored) it is 21.6-24.7 apart
        diff = np.abs(turned.astype(int) - portrait).mean()
        wrong = np.abs(turned.astype(int) - portrait[:, ::-1, ::-1]).mean()
        assert diff < 6 and diff < wrong / 3, (case, diff, wrong)


def test_rotation_agrees_with_decord_on_mp4(samples):
    """decord honours the display matrix of MP4 (not of WebM): an
    independent reading of the same tag must give our upright frames."""
    import decord
    reader = decord.VideoReader(str(samples['rotated90']))
    theirs = reader.get_batch(list(range(len(reader)))).asnumpy()
    ours = _frames(samples['rotated90'])
    np.testing.assert_array_equal(theirs, ours)


def test_normalise_writes_rotated_sources_upright(samples, tmp_path):
    from dance_style.prep.normalise import file_task, transcode
    from dance_style.video import probe
    for case in ('rotated90', 'rotated270'):
        out = tmp_path / f'{case}.mp4'
        result = transcode(file_task(samples[case], out, short_side=64,
                                     fps=16.0))
        assert result['status'] == 'ok', result
        info = probe(out)
        assert (info.height, info.width) == (128, 64), (case, info)
        # resampled to 16 fps, so frames may shift by one: compare the
        # clips' average pictures (mostly the static background)
        portrait = _frames(samples['vertical']).mean(0)
        written = _frames(out).mean(0)
        diff = np.abs(written - portrait).mean()
        wrong = np.abs(written - portrait[::-1, ::-1]).mean()
        # measured: 3.1 (VP9 at its default quality, then x264) against
        # 12.8 for the picture upside down
        assert diff < 5 and diff < wrong / 3, (case, diff, wrong)


def test_reader_choice(samples):
    from dance_style.readers import (DECORD, PYAV, UnreadableVideo,
                                     choose_reader)
    for case in READABLE:
        choice = choose_reader(samples[case])
        expected = PYAV if case in PYAV_ONLY else DECORD
        assert choice.reader == expected, (case, choice)
        assert bool(choice.reason) == (expected == PYAV)
    assert choose_reader(samples['rotated90']).rotation == 90
    assert choose_reader(samples['rotated270']).rotation == 270
    for case in [k for k in samples if k.startswith('broken:')]:
        with pytest.raises(UnreadableVideo) as error:
            choose_reader(samples[case])
        message = str(error.value)
        assert '\n' not in message
        assert message.startswith(samples[case].name + ':')


def test_predict_every_format_and_one_line_per_broken_file(samples,
                                                          trained_run):
    checkpoint = trained_run['work_dir'] / f'epoch_{TINY_EPOCHS}.pth'
    videos = list(samples.values())
    proc = run_tool('tools/predict.py', TINY_CONFIG, checkpoint, *videos,
                    '--json', check=False)
    assert proc.returncode == 1, proc.stderr[-2000:]  # some files are broken
    results = {r['video']: r for r in json.loads(proc.stdout)}
    reference = results[str(samples['h264'])]['predictions']
    for case in READABLE:
        entry = results[str(samples[case])]
        assert 'predictions' in entry, (case, entry)
        assert len(entry['predictions']) == 5  # --top-k's default
        assert entry['reader'] == ('pyav' if case in PYAV_ONLY else 'decord')
        # 1 and 5 frames: shorter than the 32-frame sampling window (the
        # frames repeat); 320x180: another picture after resize and crop
        if case not in ('1 frame', '5 frames', '320x180'):  # other codec
            assert entry['predictions'][0]['label'] == \
                reference[0]['label'], case
    for case in PYAV_ONLY:  # one log line says why
        assert sum(samples[case].name + ':' in line
                   for line in proc.stderr.splitlines()) == 1, case
    broken = [k for k in samples if k.startswith('broken:')]
    for case in broken:
        error = results[str(samples[case])]['error']
        # one line: the path (twice, in the command) and 300 characters
        assert '\n' not in error
        assert len(error) < 300 + 2 * len(str(samples[case])), error
        # what to do: copy again, or the exact re-encode command
        assert 'copy it again' in error or 'ffmpeg -i ' in error, error
    assert 'Traceback' not in proc.stderr
