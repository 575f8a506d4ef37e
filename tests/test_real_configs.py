"""The study's configs themselves (full-size 32x2 clips at 224 px, 30-view
test) train and test on the synthetic data through the tools, with only
--data-root and --cfg-options given: the path a user takes before owning
Kinetics."""
import json
import re
from pathlib import Path

import pytest
import torch

from support import run_tool
from dance_style.resources import split_lists_dir


def small_annotation(dataset: Path, split: str, out: Path) -> Path:
    """The first clip of ``split``: one full-size step (forward, backward,
    update; one validation and one 3-crop test view) is what a CPU test can
    afford, and all this test checks is that the configs run."""
    first = (split_lists_dir(dataset) / f'dance19_{split}.txt').read_text(
    ).splitlines()[0]
    out.write_text(first + '\n')
    return out


@pytest.mark.parametrize('config', ['i3d_nl_dance.py', 'i3d_r50_dance.py'])
def test_study_config_trains_and_tests_on_synthetic_data(
        config, easy_dataset, tmp_path):
    options = [
        'load_from=None',  # no network here; the K400 URL is tested apart
        f'train_dataloader.dataset.ann_file='
        f'{small_annotation(easy_dataset, "train", tmp_path / "train.txt")}',
        f'val_dataloader.dataset.ann_file='
        f'{small_annotation(easy_dataset, "val", tmp_path / "val.txt")}',
        f'test_dataloader.dataset.ann_file='
        f'{small_annotation(easy_dataset, "test", tmp_path / "test.txt")}',
        'train_dataloader.batch_size=1', 'val_dataloader.batch_size=1',
        'train_cfg.max_epochs=1',
    ]
    for split in ('train', 'val', 'test'):
        options += [f'{split}_dataloader.num_workers=0',
                    f'{split}_dataloader.persistent_workers=False']
    work_dir = tmp_path / 'work'
    run_tool('tools/train.py', f'configs/{config}', '--work-dir', work_dir,
             '--data-root', easy_dataset, '--cfg-options', *options)
    checkpoint = work_dir / 'epoch_1.pth'
    state = torch.load(checkpoint, map_location='cpu')  # weights_only
    assert state['meta']['epoch'] == 1
    assert state['state_dict']['cls_head.fc_cls.weight'].shape == (19, 2048)

    # 1 of the 10 test clips (x 3 crops of 256 px) keeps the CPU time sane
    proc = run_tool('tools/test.py', f'configs/{config}', checkpoint,
                    '--work-dir', work_dir, '--data-root', easy_dataset,
                    '--cfg-options', *options,
                    'test_dataloader.dataset.pipeline.1.num_clips=1')
    assert re.search(r'top-1:\s+[\d.]+ %', proc.stdout)
    metrics = json.loads((work_dir / 'test_metrics.json').read_text())
    assert set(metrics) >= {'acc/top1', 'acc/top5', 'acc/mean1'}
    assert (work_dir / 'confusion_matrix.png').is_file()
