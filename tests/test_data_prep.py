"""Data preparation on miniature Kinetics-700-2020 and Let's Dance downloads
in their real formats: one command builds dance19; counts agree with the
manifest; no video straddles splits; damage is skipped with reasons; reruns
do no work; a run killed mid-way and rerun equals an uninterrupted one."""
import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import decord
import numpy as np

from support import REPO, run_tool, slow_fixture
from dance_style.resources import split_lists_dir
from dance_style.classes import DANCE19_CLASSES
from dance_style.synthetic.sources import (write_kinetics_tree,
                                           write_letsdance_tree, youtube_id)

CLASSES = (1, 4, 17)  # breakdancing, dancing ballet, tap dancing
LETSDANCE = {'break': 1, 'ballet': 4, 'tap': 17, 'waltz': 0}  # waltz: dropped
BUILD_ARGS = ('--short-side', '32', '--fps', '8', '--split', '60,20,20',
              '--workers', '1', '--no-progress')


def build(kinetics, letsdance, out, *extra, check=True):
    return run_tool('data_prep/build_dataset.py', '--kinetics-root', kinetics,
                    '--letsdance-root', letsdance, '--out', out, *BUILD_ARGS,
                    *extra, check=check)


@slow_fixture(scope='module')
def letsdance_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp('letsdance')
    result = write_letsdance_tree(root, clips_per_class=3, classes=LETSDANCE,
                                  size=(36, 64), seconds=3.0, seed=0,
                                  progress=False)
    return root, result


def kinetics_tree(root, layout):
    return write_kinetics_tree(root, layout=layout, clips_per_class=8,
                               val_per_class=4, classes=CLASSES,
                               size=(36, 48), num_frames=24, fps=8.0, seed=0,
                               workers=1, progress=False)


# the validate videos of ballet (clips k and k+1 share a video), named in a
# "pretraining" CSV: they must stay out of val and test
PRETRAINED_IDS = {youtube_id(0, 'dancing ballet', 'validate', k)
                  for k in (0, 2)}


@slow_fixture(scope='module', params=['spaces', 'underscores', 'flat'])
def built(request, tmp_path_factory, letsdance_tree):
    """A dataset built by one command from each Kinetics layout, under the
    default (leak-free) protocol, with a pretraining list."""
    root = tmp_path_factory.mktemp(f'k700 {request.param}')
    expected = kinetics_tree(root / 'kinetics', request.param)
    pretraining = root / 'k400 train.csv'
    pretraining.write_text(
        'label,youtube_id,time_start,time_end,split\n' + ''.join(
            f'dancing ballet,{yid},0,10,train\n'
            for yid in sorted(PRETRAINED_IDS)) + 'zumba,ABCDEFGHIJK,0,10,'
        'train\n')
    out = root / 'dance19 out'
    proc = build(root / 'kinetics', letsdance_tree[0], out,
                 '--exclude-from', pretraining)
    return dict(out=out, proc=proc, expected=expected,
                letsdance=letsdance_tree[1], layout=request.param,
                pretraining=pretraining)


def read_manifest(out):
    with open(out / 'manifest.csv', newline='') as handle:
        return list(csv.DictReader(handle))


def read_lists(out):
    lists = {}
    for split in ('train', 'val', 'test'):
        lines = (split_lists_dir(out) / f'dance19_{split}.txt').read_text(
        ).splitlines()
        lists[split] = [tuple(line.rsplit(' ', 1)) for line in lines]
    return lists


def test_one_command_builds_from_each_layout(built):
    assert built['proc'].returncode == 0
    out = built['proc'].stdout
    assert 'skipped' in out and 'manifest.csv' in out
    layout = {'spaces': 'label folders with spaces',
              'underscores': 'label folders with underscores',
              'flat': 'flat or other folders'}[built['layout']]
    assert f'layouts: {layout} (' in out
    assert (built['out'] / 'class_counts.png').read_bytes()[:4] == b'\x89PNG'


def test_damaged_and_unmapped_inputs_are_skipped_with_reasons(built):
    rows = read_manifest(built['out'])
    kinetics = Counter((int(r['label']), r['status']) for r in rows
                       if r['dataset'] == 'kinetics700' and r['label']
                       and r['status'] != 'malformed'
                       and r['status'] != 'duplicate')
    for label, counts in built['expected']['expected'].items():
        for status, n in counts.items():
            assert kinetics[(label, status)] == n, (label, status)
    statuses = Counter(r['status'] for r in rows)
    assert statuses['malformed'] == 1 and statuses['duplicate'] == 1
    assert statuses['unmapped'] == 3  # the waltz clips
    assert all(r['reason'] for r in rows if r['status'] != 'ok')
    reasons = ' '.join(r['reason'] for r in rows)
    for text in ('empty file (0 bytes)', 'cannot decode', 'shorter than',
                 'no file named', 'unreadable frame', 'missing from the '
                 'sequence', 'has no dance19 counterpart', 'fields, the '
                 'header has'):
        assert text in reasons, text


def test_counts_agree_with_the_manifest(built):
    rows = [r for r in read_manifest(built['out']) if r['status'] == 'ok']
    lists = read_lists(built['out'])
    for split, lines in lists.items():
        from_manifest = Counter(r['label'] for r in rows if r['split'] == split)
        assert Counter(label for _, label in lines) == from_manifest
        assert sorted(path for path, _ in lines) == sorted(
            r['outputs'] for r in rows if r['split'] == split)
    for path, label in lists['train'] + lists['val'] + lists['test']:
        video = decord.VideoReader(str(built['out'] / path))
        assert min(video[0].shape[:2]) == 32  # short side normalised
        assert video.get_avg_fps() == 8.0
        assert f'/{DANCE19_CLASSES[int(label)]}/' in path
    # both datasets made it into the splits
    assert {r['dataset'] for r in rows} == {'kinetics700', 'letsdance'}


def test_no_source_video_straddles_splits(built):
    splits = {}
    for row in read_manifest(built['out']):
        if row['status'] == 'ok':
            splits.setdefault(row['group'], set()).add(row['split'])
    assert all(len(s) == 1 for s in splits.values())
    # the miniature shares YouTube ids between clips, so this was tested
    sizes = Counter(r['group'] for r in read_manifest(built['out'])
                    if r['status'] == 'ok')
    assert max(sizes.values()) >= 2


def test_leakfree_protocol_and_pretraining_list(built):
    """No Kinetics train clip and no video of the pretraining list reaches
    val or test; the manifest and the summary say which rule did what."""
    rows = [r for r in read_manifest(built['out']) if r['status'] == 'ok']
    assert {r['protocol'] for r in rows} == {'leakfree'}
    held = [r for r in rows if r['split'] in ('val', 'test')]
    assert held and not [r for r in held if r['source_split'] == 'train']
    assert {r['source_split'] for r in held
            if r['dataset'] == 'kinetics700'} == {'validate'}
    listed = [r for r in rows if r['group'] in PRETRAINED_IDS]
    assert len(listed) >= 2 and {r['split'] for r in listed} == {'train'}
    assert all('pretraining list k400 train.csv' in r['split_rule']
               for r in listed)
    kinetics_train = [r for r in rows if r['source_split'] == 'train']
    assert {r['split'] for r in kinetics_train} == {'train'}
    assert all('Kinetics train split' in r['split_rule']
               for r in kinetics_train)
    # the other validate videos give val and test clips
    assert {r['split'] for r in rows if r['source_split'] == 'validate'
            and r['group'] not in PRETRAINED_IDS} == {'val', 'test'}
    out = built['proc'].stdout
    assert 'protocol leakfree' in out
    assert f'rule: {len(listed)} clips: its video is in the pretraining' in out
    assert f'rule: {len(kinetics_train)} clips: Kinetics train split' in out
    assert 'k400 train.csv: 3 videos' in out


def test_rerun_does_no_work(built, letsdance_tree):
    out = built['out']
    videos = sorted(out.rglob('*.mp4'))
    before = {p: p.stat().st_mtime_ns for p in videos}
    lists = {p: p.read_bytes() for p in split_lists_dir(out).iterdir()}
    kinetics = out.parent / 'kinetics'
    proc = build(kinetics, letsdance_tree[0], out,
                 '--exclude-from', built['pretraining'])
    assert '0 written' in proc.stdout
    assert {p: p.stat().st_mtime_ns for p in sorted(out.rglob('*.mp4'))} \
        == before
    assert {p: p.read_bytes() for p in split_lists_dir(out).iterdir()} \
        == lists


def test_augmented_copies_only_in_train(letsdance_tree, tmp_path):
    kinetics_tree(tmp_path / 'kinetics', 'flat')
    out = tmp_path / 'augmented'
    build(tmp_path / 'kinetics', letsdance_tree[0], out,
          '--augment', 'hflip,noise')
    lists = read_lists(out)
    copies = [p for p, _ in lists['train'] if '__' in p]
    originals = [p for p, _ in lists['train'] if '__' not in p]
    assert len(copies) == 2 * len(originals)
    assert not any('__' in p for s in ('val', 'test') for p, _ in lists[s])
    # the copy is the original, mirrored
    first = originals[0]
    flipped = first[:-4] + '__hflip.mp4'
    a = decord.VideoReader(str(out / first))[0].asnumpy().astype(int)
    b = decord.VideoReader(str(out / flipped))[0].asnumpy().astype(int)
    assert np.abs(a[:, ::-1] - b).mean() < 6 < np.abs(a - b).mean()
    # two workers write the same bytes as one: videos (noise included),
    # lists, manifest, records (the last --workers wins over BUILD_ARGS')
    parallel = tmp_path / 'augmented on 2 workers'
    build(tmp_path / 'kinetics', letsdance_tree[0], parallel,
          '--augment', 'hflip,noise', '--workers', '2')
    files, reference = tree_bytes(parallel), tree_bytes(out)
    assert sorted(files) == sorted(reference)
    for path in reference:
        assert files[path] == reference[path], path


def tree_bytes(root):
    """Every file of a built dataset but the stage log (it counts the work
    done), by relative path."""
    return {p.relative_to(root): p.read_bytes() for p in root.rglob('*')
            if p.is_file() and p.name != 'summary.json'}


def test_killed_run_then_rerun_equals_an_uninterrupted_run(
        letsdance_tree, tmp_path):
    kinetics = tmp_path / 'kinetics'
    kinetics_tree(kinetics, 'spaces')
    clean, killed = tmp_path / 'clean', tmp_path / 'killed'
    build(kinetics, letsdance_tree[0], clean)

    command = [sys.executable, 'data_prep/build_dataset.py', '--kinetics-root',
               str(kinetics), '--letsdance-root', str(letsdance_tree[0]),
               '--out', str(killed), *BUILD_ARGS]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL,
                               start_new_session=True)
    def finished():  # hidden names are temp files being written
        return [p for p in (killed / 'videos').rglob('*.mp4')
                if not p.name.startswith('.')]

    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        if len(finished()) >= 5:
            break
        time.sleep(0.05)
    assert process.poll() is None, 'finished before it could be killed'
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not split_lists_dir(killed).exists()  # stopped mid-normalise
    # what is there under a final name is complete
    for video in finished():
        assert len(decord.VideoReader(str(video))) > 0

    build(kinetics, letsdance_tree[0], killed)
    files, reference = tree_bytes(killed), tree_bytes(clean)
    assert not [p for p in files if p.name.startswith('.')]  # no temp files
    assert sorted(files) == sorted(reference)
    for path in reference:  # videos, lists, manifest, chart, records
        assert files[path] == reference[path], path


def test_bad_command_lines(tmp_path):
    proc = run_tool('data_prep/build_dataset.py', '--out', tmp_path,
                    check=False)
    assert proc.returncode == 2
    assert 'give --kinetics-root, --letsdance-root or both' in proc.stderr
    proc = run_tool('data_prep/build_dataset.py', '--kinetics-root', tmp_path,
                    '--out', tmp_path, '--split', '90,10', check=False)
    assert proc.returncode == 2 and 'e.g. 90,5,5' in proc.stderr
    proc = run_tool('data_prep/build_dataset.py', '--kinetics-root', tmp_path,
                    '--out', tmp_path, '--augment', 'mirror', check=False)
    assert proc.returncode == 2 and 'unknown mirror' in proc.stderr
    proc = run_tool('data_prep/build_dataset.py', '--kinetics-root',
                    tmp_path / 'nowhere', '--out', tmp_path, check=False)
    assert proc.returncode == 2 and 'Kinetics root not found' in proc.stderr
    assert 'Traceback' not in proc.stderr
