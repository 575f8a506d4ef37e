"""Optical flow extraction: correct motion, 8-bit storage, resumable runs,
damaged videos skipped."""
import json

import numpy as np
import pytest

from support import run_tool
from dance_style.prep.flow import (dequantise, extract_clip, quantise,
                                   read_flow)
from dance_style.resources import split_lists_dir
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
    ann = split_lists_dir(root)  # where extract_flow.py looks by default
    ann.mkdir()
    (ann / 'dance19_train.txt').write_text(
        'videos/tap dancing/a b.mp4 17\nvideos/tap dancing/broken.mp4 17\n')
    (ann / 'dance19_val.txt').write_text('videos/tap dancing/c.mp4 17\n')
    (ann / 'dance19_test.txt').write_text('')
    proc = run_tool('data_prep/extract_flow.py', '--root', root,
                    '--method', 'farneback', '--no-progress')
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
                     '--method', 'farneback', '--no-progress')
    assert '0 clips extracted, 2 already there' in again.stdout
    assert (ann / 'dance19_flow_train.txt').read_text() == train


def _dataset_of_squares(root, count=5):
    videos = root / 'videos' / 'tap dancing'
    videos.mkdir(parents=True)
    lines = []
    for index in range(count):
        name = f'clip {index}.mp4'  # spaces, as real Kinetics names have
        moving_square_video(videos / name, 1 + index % 2, index % 3,
                            frames=6)
        lines.append(f'videos/tap dancing/{name} 17\n')
    ann = split_lists_dir(root)
    ann.mkdir()
    (ann / 'dance19_train.txt').write_text(''.join(lines[:3]))
    (ann / 'dance19_val.txt').write_text(lines[3])
    (ann / 'dance19_test.txt').write_text(lines[4])


def _tree(folder):
    """Every file under ``folder`` (relative path -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob('*')) if p.is_file()}


def test_slurm_shards_together_equal_one_unsharded_run(tmp_path):
    """tools/slurm_extract_flow.sh submits a 2-task array and a lists job
    (a stand-in sbatch records them); run as Slurm would, the shards write
    disjoint clips whose union, and the lists, equal one plain run's."""
    import os
    import shutil
    import subprocess
    import sys
    from support import REPO
    plain, sharded = tmp_path / 'plain', tmp_path / 'sharded set'
    _dataset_of_squares(plain)
    shutil.copytree(plain, sharded)
    run_tool('data_prep/extract_flow.py', '--root', plain, '--ann-dir',
             plain / 'annotations', '--method', 'farneback', '--no-progress')

    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    calls = tmp_path / 'sbatch calls'
    # records each call's arguments (NUL-separated), answers a job id
    (bin_dir / 'sbatch').write_text(
        '#!/usr/bin/env bash\nprintf "%s\\0" "$@" >> "$CALLS"\n'
        'printf "\\n" >> "$CALLS"\necho "4$(wc -l < "$CALLS");cluster"\n')
    (bin_dir / 'sbatch').chmod(0o755)
    env = dict(os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}',
               CALLS=str(calls), PYTHON=sys.executable, CPUS_PER_TASK='2')
    options = ['--root', str(sharded), '--ann-dir',
               str(sharded / 'annotations'), '--method', 'farneback']
    proc = subprocess.run(['bash', 'tools/slurm_extract_flow.sh', 'cpu', '2',
                           *options], cwd=REPO, env=env, text=True,
                          capture_output=True, check=True)
    assert 'shards job array 41 (1-2), then lists job 42' in proc.stdout
    array, lists = [line.split('\0')[:-1]
                    for line in calls.read_text().splitlines()]
    assert '--array=1-2' in array and '-p' in array
    assert '--dependency=afterok:41' in lists

    def run_job(args, **slurm):
        """The job's script and arguments, as sbatch would start it."""
        script = next(i for i, a in enumerate(args) if a.endswith('.sh'))
        return subprocess.run(
            ['bash', *args[script:]], cwd=tmp_path, text=True,
            capture_output=True, check=True,
            env=dict(env, SLURM_CPUS_PER_TASK='2', **slurm)).stdout

    flow = sharded / 'flow'
    seen = {}
    for task in ('1', '2'):  # one at a time: each shard writes only its own
        before = set(_tree(flow)) if flow.is_dir() else set()
        stdout = run_job(array, SLURM_ARRAY_TASK_ID=task,
                         SLURM_ARRAY_TASK_MIN='1')
        assert f'shard {task}/2' in stdout
        added = {path.rsplit('/', 1)[0] for path in set(_tree(flow)) - before
                 if path.startswith('videos/')}
        seen[task] = added
        assert not (sharded / 'annotations' / 'dance19_flow_train.txt'
                    ).exists()  # lists need every shard
    assert len(seen['1']) == 3 and len(seen['2']) == 2  # every 2nd of 5
    assert not seen['1'] & seen['2']
    stdout = run_job(lists)
    assert '0 clips extracted, 5 already there' in stdout

    frames = {path: data for path, data in _tree(flow).items()
              if path.startswith('videos/')}
    assert frames == {path: data for path, data in _tree(plain / 'flow')
                      .items() if path.startswith('videos/')}
    assert len(frames) == 5 * 5 * 2  # 5 clips x 5 pairs x (x, y)
    for split in ('train', 'val', 'test'):
        name = f'dance19_flow_{split}.txt'
        assert (sharded / 'annotations' / name).read_bytes() == \
            (plain / 'annotations' / name).read_bytes()


def test_a_bad_shard_is_refused(tmp_path):
    proc = run_tool('data_prep/extract_flow.py', '--root', tmp_path,
                    '--shard', '3/2', check=False)
    assert proc.returncode != 0
    assert 'expected K/N with 1 <= K <= N' in proc.stderr
