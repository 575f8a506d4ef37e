"""Multi-process training and testing with torchrun on CPU (gloo): the
same launcher scripts and code paths as on GPUs."""
import os
import re
import sys

import torch

from conftest import TINY_CONFIG, run_tool

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
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


def test_two_process_ddp_ends_with_identical_weights(easy_dataset, tmp_path):
    work_dir = tmp_path / 'ddp'
    proc = run_script('tools/dist_train.sh', TINY_CONFIG, '2', '--work-dir',
                      work_dir, '--seed', '0', '--data-root', easy_dataset,
                      '--cfg-options', 'train_cfg.max_epochs=1')
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
    # 120 training clips over 2 ranks x batch 8: 8 iterations per rank
    assert re.search(r'Epoch\(train\) \[1\]\[8/8\]', log), log[-3000:]

    # testing on 2 processes gives the single-process result
    single = run_tool('tools/test.py', TINY_CONFIG, work_dir / 'epoch_1.pth',
                      '--work-dir', tmp_path / 'test1', '--data-root', easy_dataset)
    double = run_script('tools/dist_test.sh', TINY_CONFIG,
                        work_dir / 'epoch_1.pth', '2', '--work-dir',
                        tmp_path / 'test2', '--data-root', easy_dataset)

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
