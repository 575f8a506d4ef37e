"""Multi-process training and testing with torchrun on CPU (gloo): the
same launcher scripts and code paths as on GPUs."""
import os
import re
import sys

import torch

from conftest import TINY_CONFIG, TWO_TEST_VIEWS, run_tool, train_subset

ENV = dict(PYTHON=sys.executable, OMP_NUM_THREADS='1', PORT='29517')


def run_script(*args, env=None):
    import subprocess
    from conftest import REPO
    full_env = dict(os.environ, **ENV, **(env or {}))
    for key in ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR',
                'MASTER_PORT'):
        full_env.pop(key, None)
    proc = subprocess.run(['bash', *map(str, args)], cwd=REPO, env=full_env,
                          capture_output=True, text=True, timeout=900)
    # the lines that say why a rank died come before torchrun's summary
    why = [line for line in proc.stderr.splitlines()
           if any(word in line for word in ('Error', 'error', 'terminate',
                                            'what()', 'Killed'))]
    assert proc.returncode == 0, (why[-20:], proc.stdout[-2000:],
                                  proc.stderr[-3000:])
    return proc


def test_two_process_ddp_ends_with_identical_weights(easy_dataset, tmp_path):
    work_dir = tmp_path / 'ddp'
    # 16 clips per class: the bookkeeping of 2 ranks, not learning
    subset = train_subset(easy_dataset, tmp_path / 'train.txt', 16)
    proc = run_script('tools/dist_train.sh', TINY_CONFIG, '2', '--work-dir',
                      work_dir, '--seed', '0', '--data-root', easy_dataset,
                      '--cfg-options', 'train_cfg.max_epochs=1',
                      f'train_dataloader.dataset.ann_file={subset}')
    log = proc.stdout + proc.stderr
    # RankConsistencyHook: both ranks hashed their weights, all-gathered
    # the hashes and found them equal
    match = re.search(r'model weights identical on 2 ranks \(sha1 (\w+)\)',
                      log)
    assert match, log[-3000:]
    # the checkpoint rank 0 saved holds exactly those weights
    from dance_style.hooks import weights_digest
    saved = torch.load(work_dir / 'epoch_1.pth', map_location='cpu')
    assert weights_digest(saved['state_dict']) == match.group(1)
    # 48 training clips over 2 ranks x batch 8: 3 iterations per rank
    assert re.search(r'Epoch\(train\) \[1\]\[3/3\]', log), log[-3000:]

    # testing on 2 processes gives the single-process result
    single = run_tool('tools/test.py', TINY_CONFIG, work_dir / 'epoch_1.pth',
                      '--work-dir', tmp_path / 'test1', '--data-root',
                      easy_dataset, '--cfg-options', TWO_TEST_VIEWS)
    double = run_script('tools/dist_test.sh', TINY_CONFIG,
                        work_dir / 'epoch_1.pth', '2', '--work-dir',
                        tmp_path / 'test2', '--data-root', easy_dataset,
                        '--cfg-options', TWO_TEST_VIEWS)

    def top1(text):
        return re.search(r'top-1:\s+([\d.]+) %', text).group(1)

    assert top1(double.stdout) == top1(single.stdout)


def test_launcher_scripts_say_how_to_call_them():
    import subprocess
    for script, usage in (('tools/dist_train.sh', 'CONFIG GPUS'),
                          ('tools/dist_test.sh', 'CONFIG CHECKPOINT GPUS'),
                          ('tools/slurm_train.sh',
                           'PARTITION JOB_NAME CONFIG')):
        proc = subprocess.run(['bash', script], capture_output=True,
                              text=True, cwd=TINY_CONFIG.parents[2])
        assert proc.returncode == 2 and usage in proc.stderr



def _hash_check_on_rank(rank, init_file, results):
    """One process of a 2-rank gloo group: RankConsistencyHook.after_train
    on models seeded per rank (they differ), then on equal ones; the
    outcomes go to results/<rank>."""
    import json
    import logging
    from pathlib import Path
    from types import SimpleNamespace

    import torch.distributed as dist

    from dance_style.hooks import RankConsistencyHook
    dist.init_process_group('gloo', init_method=f'file://{init_file}',
                            rank=rank, world_size=2)
    outcomes = []
    for seed in (rank, 7):  # differ, agree
        torch.manual_seed(seed)
        runner = SimpleNamespace(model=torch.nn.Linear(4, 3),
                                 logger=logging.getLogger('rank-check'))
        try:
            RankConsistencyHook().after_train(runner)
            outcomes.append('identical')
        except RuntimeError as error:
            outcomes.append(str(error))
    dist.destroy_process_group()
    Path(results, str(rank)).write_text(json.dumps(outcomes))


def test_rank_consistency_hook_raises_when_ranks_differ(tmp_path):
    """The hook's failing path, on a real 2-process gloo group: ranks whose
    weights differ stop the run with both hashes; equal ones pass."""
    import json

    import torch.multiprocessing as mp
    mp.spawn(_hash_check_on_rank, nprocs=2,
             args=(str(tmp_path / 'init'), str(tmp_path)))
    for rank in (0, 1):
        differ, agree = json.loads((tmp_path / str(rank)).read_text())
        assert differ.startswith(
            'model weights differ between ranks after training'), differ
        assert 'rank 0: ' in differ and 'rank 1: ' in differ
        assert agree == 'identical'
