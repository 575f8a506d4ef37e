"""Optical flow extraction: correct motion, 8-bit storage, resumable runs,
damaged videos skipped."""
import json

import numpy as np
import pytest

from conftest import run_tool
from dance_style.prep.flow import (dequantise, extract_clip, quantise,
                                   read_flow)
from dance_style.video import write_video


def test_quantisation_round_trip_and_clipping():
    flow = np.array([-35.0, -20.0, -3.3, 0.0, 2.5, 20.0, 50.0])
    stored = quantise(flow)
    assert stored.dtype == np.uint8
    assert stored[0] == stored[1] == 0 and stored[-1] == stored[-2] == 255
    assert abs(int(stored[3]) - 128) <= 1  # no motion near the middle
    back = dequantise(stored)
    inside = np.abs(flow) <= 20
    # one quantisation step is 40/255 px
    assert np.all(np.abs(back[inside] - flow[inside]) <= 40 / 255)


def moving_square_video(path, dx, dy, frames=12, size=64):
    """A textured square moving (dx, dy) pixels per frame over a textured
    static background (on a flat one the motion is undefined and TV-L1
    spreads the square's motion into it)."""
    rng = np.random.default_rng(0)
    texture = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
    background = np.repeat(np.repeat(
        rng.integers(40, 180, (size // 4, size // 4, 1), dtype=np.uint8),
        4, axis=0), 4, axis=1).repeat(3, axis=2)
    clip = np.repeat(background[None], frames, axis=0)
    for t in range(frames):
        y, x = 12 + dy * t, 12 + dx * t
        clip[t, y:y + 20, x:x + 20] = texture
    # near-lossless so that codec noise does not move anything
    write_video(path, clip, 16.0, crf=0, preset='fast', gop=1)


@pytest.mark.parametrize('method', ['tvl1', 'farneback'])
def test_flow_measures_the_motion(tmp_path, method):
    video = tmp_path / 'square.mp4'
    moving_square_video(video, dx=2, dy=1)
    result = extract_clip(dict(key='k', video=str(video),
                               output=str(tmp_path / 'flow'), method=method))
    assert result['status'] == 'ok', result
    assert result['pairs'] == 11  # one per consecutive pair
    flow = read_flow(tmp_path / 'flow', 5)
    # frame 5 -> 6: the square sits at rows/cols 12 + 5 * (1, 2)
    y0, x0 = 12 + 5 * 1, 12 + 5 * 2
    inner = flow[y0 + 4:y0 + 16, x0 + 4:x0 + 16]
    assert np.median(inner[..., 0]) == pytest.approx(2, abs=0.6)
    assert np.median(inner[..., 1]) == pytest.approx(1, abs=0.6)
    # the background does not move
    assert np.abs(np.median(flow[:8, :8], axis=(0, 1))).max() < 0.3


def test_extract_flow_command(tmp_path):
    root = tmp_path / 'data set'
    videos = root / 'videos' / 'tap dancing'
    videos.mkdir(parents=True)
    moving_square_video(videos / 'a b.mp4', 1, 0)
    moving_square_video(videos / 'c.mp4', 0, 1)
    (videos / 'broken.mp4').write_bytes(b'not a video at all')
    ann = root / 'annotations'
    ann.mkdir()
    (ann / 'dance19_train.txt').write_text(
        'videos/tap dancing/a b.mp4 17\nvideos/tap dancing/broken.mp4 17\n')
    (ann / 'dance19_val.txt').write_text('videos/tap dancing/c.mp4 17\n')
    (ann / 'dance19_test.txt').write_text('')
    proc = run_tool('data_prep/extract_flow.py', '--root', root,
                    '--ann-dir', ann, '--method', 'farneback',
                    '--no-progress')
    assert '2 clips extracted' in proc.stdout
    assert 'skipped videos/tap dancing/broken.mp4: corrupt' in proc.stdout
    train = (ann / 'dance19_flow_train.txt').read_text()
    assert train == 'flow/videos/tap dancing/a b 11 17\n'
    assert (root / 'flow/videos/tap dancing/a b/flow_y_00011.jpg').is_file()
    summary = json.loads((root / 'flow' / 'summary.json').read_text())
    assert summary['extracted'] == 2 and summary['seconds_per_clip'] > 0
    assert list(summary['failed']) == ['videos/tap dancing/broken.mp4']
    # a rerun does no work and writes the same lists
    again = run_tool('data_prep/extract_flow.py', '--root', root,
                     '--ann-dir', ann, '--method', 'farneback',
                     '--no-progress')
    assert '0 clips extracted, 2 already there' in again.stdout
    assert (ann / 'dance19_flow_train.txt').read_text() == train
