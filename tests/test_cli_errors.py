"""Bad input at the command line: one clear message, exit 2, no traceback."""
from support import TINY_CONFIG, run_tool
from dance_style.resources import split_lists_dir


def assert_clear_error(proc, *needles):
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert 'Traceback' not in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.startswith('error: ') or '\nerror: ' in proc.stderr
    for needle in needles:
        assert needle in proc.stderr, proc.stderr[-2000:]


def test_missing_dataset_folder(tmp_path):
    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir', tmp_path,
                    '--data-root', tmp_path / 'no data',
                    check=False)
    assert_clear_error(proc, 'annotation file not found',
                       'python data_prep/build_dataset.py')


def test_label_outside_range(easy_dataset, tmp_path):
    ann = tmp_path / 'bad.txt'
    lines = (split_lists_dir(easy_dataset) / 'dance19_train.txt').read_text(
    ).splitlines()
    path = lines[0].rsplit(None, 1)[0]
    ann.write_text(f'{lines[1]}\n{path} 42\n')
    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir', tmp_path,
                    '--data-root', easy_dataset, '--cfg-options',
                    f'train_dataloader.dataset.ann_file={ann}', check=False)
    assert_clear_error(proc, 'line 2', 'label 42 is outside 0..18')


def test_load_from_url_without_network(easy_dataset, tmp_path):
    # Port 9 (discard) on loopback refuses at once: the same path as a
    # machine without network, without sending anything off this machine.
    url = 'http://127.0.0.1:9/i3d_kinetics400.pth'
    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir', tmp_path,
                    '--data-root', easy_dataset, '--cfg-options',
                    f'load_from={url}', check=False,
                    env={'TORCH_HOME': str(tmp_path / 'torch home')})
    assert_clear_error(proc, 'cannot download', url,
                       'load_from=None', 'checkpoints/i3d_kinetics400.pth')


def test_missing_checkpoint_for_test(easy_dataset, tmp_path):
    proc = run_tool('tools/test.py', TINY_CONFIG, tmp_path / 'none.pth',
                    '--work-dir', tmp_path, check=False)
    assert_clear_error(proc, 'checkpoint not found')


def test_missing_config(tmp_path):
    proc = run_tool('tools/train.py', 'configs/nope.py', check=False)
    assert_clear_error(proc, 'config file not found', 'configs/i3d_nl_dance.py')


def test_synthetic_generator_bad_class_and_size(tmp_path):
    proc = run_tool('data_prep/make_synthetic.py', '--out', tmp_path,
                    '--classes', '3,25', check=False)
    assert_clear_error(proc, 'index 25 out of range 0..18')
    proc = run_tool('data_prep/make_synthetic.py', '--out', tmp_path,
                    '--classes', 'hula', check=False)
    assert_clear_error(proc, "unknown dance style 'hula'", 'tap dancing')
    proc = run_tool('data_prep/make_synthetic.py', '--out', tmp_path,
                    '--size', '64x48', check=False)
    assert_clear_error(proc, 'decord', 'e.g. 56 or 64')
    assert not any(tmp_path.rglob('*.mp4'))  # refused before writing


def test_launcher_without_torchrun(easy_dataset, tmp_path):
    # run_tool passes this process's environment: make sure no launcher
    # variables leak in from an outer torchrun
    proc = run_tool('tools/train.py', TINY_CONFIG, '--work-dir', tmp_path,
                    '--launcher', 'pytorch', '--data-root', easy_dataset,
                    check=False,
                    env={'RANK': None, 'WORLD_SIZE': None})
    assert_clear_error(proc, 'RANK, WORLD_SIZE', 'torchrun --nproc_per_node=2')
