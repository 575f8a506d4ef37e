"""tools/diagnose_training.py, the thin CLI of dance_style.diagnose (its
measurements on a real run: tests/test_inception_i3d.py)."""
from support import REPO, run_tool

TINY_RGB = REPO / 'tests' / 'configs' / 'tiny_inception_rgb.py'


def test_cfg_options_keep_spaces(tmp_path):
    """A --cfg-options path with spaces reaches the config whole: the run
    stops at the dataset, whose error names the list as given (mmengine's
    own parser, which the tool used before, made it 'nosuch/...')."""
    missing = tmp_path / 'no such' / 'train list.txt'
    proc = run_tool('tools/diagnose_training.py', TINY_RGB, '--iters', '1',
                    '--cfg-options',
                    f'train_dataloader.dataset.ann_file={missing}',
                    check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert str(missing) in proc.stderr
