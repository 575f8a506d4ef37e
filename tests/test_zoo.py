"""Named checkpoints (configs/metafile.yml, dance_style.zoo) and their
download (dance_style.download), against a real HTTP server on 127.0.0.1
(tests/support/zoo_server.py) standing in for the model zoo: a download, a
resumed one, a wrong hash refused, the offline message, and the tools
answering with a name as a user would (README, "Classify a dance video
now")."""
import hashlib
import json
import re
import shutil
import time
from pathlib import Path

import pytest
import torch

from support import TINY_CONFIG, TWO_TEST_VIEWS, run_tool
from dance_style.resources import split_lists_dir
from dance_style import zoo
from dance_style.download import cache_path, download
from dance_style.errors import DanceStyleError
from test_kinetics_heads import zoo_checkpoint
from support.zoo_server import ZooServer


def published(path: Path, folder: Path, stem: str) -> Path:
    """``path`` copied into ``folder`` under a zoo file name that ends in
    its SHA-256 prefix, as OpenMMLab publishes them."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f'{stem}_20261205-{digest}.pth'
    shutil.copyfile(path, target)
    return target


def random_file(folder: Path, size: int = 300_000) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    raw = folder / 'raw.bin'
    raw.write_bytes(torch.randint(0, 256, (size,), dtype=torch.uint8,
                                  generator=torch.Generator().manual_seed(3)
                                  ).numpy().tobytes())
    return published(raw, folder, 'weights')


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch home'))
    return tmp_path / 'torch home'


def test_a_download_resumes_and_is_verified(tmp_path, torch_home):
    served = random_file(tmp_path / 'zoo')
    with ZooServer(served.parent) as server:
        url = server.url(served.name)
        server.cut_after[served.name] = 100_000  # the connection drops
        with pytest.raises(DanceStyleError, match='cannot download'):
            download(url, progress=False)
        part = Path(cache_path(url) + '.part')
        assert part.stat().st_size == 100_000  # kept for the next try
        assert not Path(cache_path(url)).exists()
        local = download(url, progress=False)
        # the second request asked for the rest only
        assert server.requests[-1][1] == 'bytes=100000-'
        assert Path(local).read_bytes() == served.read_bytes()
        assert not part.exists()
        requests = len(server.requests)
        assert download(url, progress=False) == local  # cached: no request
        assert len(server.requests) == requests


def test_a_file_whose_hash_differs_from_its_name_is_refused(tmp_path,
                                                           torch_home):
    served = random_file(tmp_path / 'zoo')
    wrong = served.with_name('weights_20261205-0123abcd.pth')
    served.rename(wrong)
    with ZooServer(wrong.parent) as server:
        url = server.url(wrong.name)
        with pytest.raises(DanceStyleError) as refusal:
            download(url, progress=False)
    assert 'its name says 0123abcd' in str(refusal.value)
    # nothing left that a later run could load
    assert not Path(cache_path(url)).exists()
    assert not Path(cache_path(url) + '.part').exists()


def test_offline_is_one_line_with_the_url_and_where_to_put_it(torch_home):
    with ZooServer(torch_home) as server:  # a port that then closes
        url = server.url('model_20261205-0123abcd.pth')
    started = time.monotonic()
    with pytest.raises(DanceStyleError) as refusal:
        download(url, progress=False)
    message = str(refusal.value)
    assert time.monotonic() - started < 10
    assert '\n' not in message
    assert url in message and cache_path(url) in message


@pytest.fixture(scope='module')
def served_zoo(dumped, tmp_path_factory):
    """The suite's trained model re-laid into a 700-row Kinetics-700 head
    (rows placed by name), published under a zoo name, listed in a
    metafile of its own and served from 127.0.0.1."""
    folder = tmp_path_factory.mktemp('zoo')
    relaid = zoo_checkpoint(dumped['checkpoint'], 700, folder / 'relaid.pth')
    served = published(relaid, folder / 'models', 'tiny-nl_k700')
    with ZooServer(served.parent) as server:
        metafile = folder / 'metafile.yml'
        metafile.write_text(
            'Checkpoints:\n'
            '  - name: tiny-nl-k700\n'
            f'    url: {server.url(served.name)}\n'
            '    label_map: k700\n'
            '    trained_on: a rehearsal zoo (the suite\'s model, re-laid)\n'
            '    exclude: [k700]\n'
            f'    config: {TINY_CONFIG}\n')
        yield dict(server=server, metafile=metafile, dumped=dumped,
                   env=dict(DANCE_STYLE_METAFILE=str(metafile),
                            TORCH_HOME=str(folder / 'torch home')))


def test_tools_answer_with_a_named_checkpoint(served_zoo, tmp_path):
    """predict and tools/test.py take the name: one download (with a
    progress bar), the head sliced by the entry's label map, the model's
    own answers, and what it was trained on."""
    dumped, env = served_zoo['dumped'], served_zoo['env']
    clip = sorted(Path(dumped['data']).rglob('*.mp4'))[0]
    # float32 both times: the same numbers, whatever each run's precision
    # check would find on this CPU
    direct = run_tool('tools/predict.py', TINY_CONFIG, dumped['checkpoint'],
                      clip, '--json', '--precision', 'fp32')
    named = run_tool('tools/predict.py', TINY_CONFIG, 'tiny-nl-k700', clip,
                     '--json', '--precision', 'fp32', env=env)
    assert '100%' in named.stderr  # the download's progress bar
    ours, theirs = json.loads(direct.stdout), json.loads(named.stdout)
    assert [p['name'] for p in theirs[0]['predictions']] == \
        [p['name'] for p in ours[0]['predictions']]
    for a, b in zip(ours[0]['predictions'], theirs[0]['predictions']):
        assert a['probability'] == pytest.approx(b['probability'], abs=1e-5)
    assert theirs[0]['model'] == dict(
        checkpoint='tiny-nl-k700', synthetic=False,
        trained_on='a rehearsal zoo (the suite\'s model, re-laid)')
    # the suite's own checkpoint was trained on synthetic clips: said
    assert ours[0]['model']['synthetic'] is True
    assert 'answers on real video mean nothing' in direct.stderr
    downloads = len(served_zoo['server'].requests)

    # the zero-training baseline by name: the model's own accuracy
    proc = run_tool('tools/test.py', TINY_CONFIG, 'tiny-nl-k700',
                    '--work-dir', tmp_path / 'test', '--data-root',
                    dumped['data'], '--cfg-options', TWO_TEST_VIEWS, env=env)
    assert len(served_zoo['server'].requests) == downloads  # cached
    assert ('19 of 19 rows taken by class name from the 700-row head '
            '(label map k700)') in proc.stdout
    top1 = float(re.search(r'top-1:\s+([\d.]+) %', proc.stdout).group(1))
    assert top1 == pytest.approx(dumped['top1'], abs=0.01)

    # fine-tuning from the name: load_from takes it too (one iteration)
    subset = tmp_path / 'one_batch.txt'
    lines = (split_lists_dir(dumped['data']) / 'dance19_train.txt'
             ).read_text().splitlines()
    subset.write_text('\n'.join(lines[::len(lines) // 8][:8]) + '\n')
    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir',
                    tmp_path / 'tune', '--data-root', dumped['data'],
                    '--no-validate', '--cfg-options', 'load_from=tiny-nl-k700',
                    f'train_dataloader.dataset.ann_file={subset}',
                    'train_cfg.max_epochs=1', env=env)
    log = proc.stdout + proc.stderr
    assert ('19 of 19 rows taken by class name from the 700-row head '
            '(label map k700)') in log
    assert '0 skipped' in log and '0 missing from the checkpoint' in log


def test_unknown_names_and_entries_are_clear(tmp_path, monkeypatch):
    proc = run_tool('tools/predict.py', TINY_CONFIG, 'no-such-model',
                    tmp_path / 'clip.mp4', check=False)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert 'checkpoint not found: no-such-model' in proc.stderr
    assert 'uniformerv2-b16-k710-k700' in proc.stderr  # the names
    broken = tmp_path / 'metafile.yml'
    broken.write_text('Checkpoints:\n  - name: x\n    url: http://h/x.pth\n')
    monkeypatch.setenv('DANCE_STYLE_METAFILE', str(broken))
    with pytest.raises(DanceStyleError, match='lacks .label_map.'):
        zoo.checkpoints()


def test_the_published_entries_are_complete():
    """Every config that starts from a published checkpoint has its entry,
    with a label map of the right size for that checkpoint's head."""
    from dance_style.kinetics_heads import kinetics_classes
    entries = zoo.checkpoints()
    assert len(entries) >= 5
    for entry in entries.values():
        if entry.file:  # converted: the command that makes it
            assert entry.make.startswith('python tools/convert_i3d_'
                                         'checkpoint.py') and not entry.url
            assert entry.file in entry.make
        else:
            assert re.fullmatch(r'[0-9a-f]{8}', entry.hash_prefix or ''), \
                entry
            assert entry.url.startswith('https://download.openmmlab.com/')
        assert len(kinetics_classes(entry.label_map)) in (400, 700)
        assert entry.exclude and entry.config
        assert zoo.for_config(entry.config) == entry
