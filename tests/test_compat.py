"""Each fix in dance_style.compat, shown failing without it and working with
it (subprocesses, so that this process's imports do not hide anything)."""
import json
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

import dance_style  # noqa: F401
from dance_style import compat

from conftest import TINY_EPOCHS

REPO = Path(__file__).resolve().parents[1]


def python(code, env_path=None):
    env = None
    if env_path is not None:
        import os
        env = dict(os.environ, PYTHONPATH=str(env_path))
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)],
                          cwd=REPO, capture_output=True, text=True, env=env,
                          timeout=300)


ONLY_THE_DRN_STUB = """
import importlib.util
spec = importlib.util.spec_from_file_location(
    'compat_only', 'dance_style/compat.py')
compat_only = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compat_only)
compat_only.install_drn_stub()
"""


def python_without_fixes(check):
    """Run ``check`` with only fix 1 (without it mmaction.models cannot be
    imported at all); compat.py is loaded as a plain file so the package's
    apply() stays out."""
    return python(ONLY_THE_DRN_STUB + textwrap.dedent(check))


# ---- 1. missing drn module ---------------------------------------------------

def test_mmaction_models_fails_without_the_drn_stub():
    proc = python('import mmaction.models')
    assert proc.returncode != 0
    assert "No module named 'mmaction.models.localizers.drn'" in proc.stderr


def test_mmaction_models_imports_with_the_drn_stub():
    proc = python('''
        import dance_style
        from mmaction.models import Recognizer3D
        from mmaction.models.localizers.drn.drn import DRN
        try:
            DRN()
        except RuntimeError as e:
            print('refused:', e)
    ''')
    assert proc.returncode == 0, proc.stderr
    assert 'refused: The DRN localizer is not shipped' in proc.stdout


# ---- 2. weights_only loading of Runner checkpoints --------------------------

def runner_checkpoint(trained_run):
    return Path(trained_run['work_dir']) / f'epoch_{TINY_EPOCHS}.pth'


def test_runner_checkpoint_needs_the_allow_list(trained_run):
    ckpt = runner_checkpoint(trained_run)
    # in a fresh process: this one imported dance_style, whose allow-list
    # hides the globals from get_unsafe_globals_in_checkpoint
    listed = python(f'''
        import json, torch
        print(json.dumps(torch.serialization.get_unsafe_globals_in_checkpoint(
            {str(ckpt)!r})))
    ''')
    assert listed.returncode == 0, listed.stderr
    unsafe = json.loads(listed.stdout)
    # exactly what the allow-list covers, nothing more
    assert 'mmengine.logging.history_buffer.HistoryBuffer' in unsafe
    assert set(unsafe) <= {
        'mmengine.logging.history_buffer.HistoryBuffer', 'builtins.getattr',
        'numpy.dtype', 'numpy.ndarray', 'numpy._core.multiarray.scalar',
        'numpy._core.multiarray._reconstruct'
    }
    without = python(f'''
        import torch
        torch.load({str(ckpt)!r}, map_location='cpu')
    ''')
    assert without.returncode != 0
    assert 'Unsupported global' in without.stderr


def test_runner_checkpoint_loads_with_weights_only(trained_run):
    ckpt = runner_checkpoint(trained_run)
    proc = python(f'''
        import dance_style, torch
        state = torch.load({str(ckpt)!r}, map_location='cpu',
                           weights_only=True)
        print(sorted(state), state['meta']['epoch'])
    ''')
    assert proc.returncode == 0, proc.stderr
    assert "'message_hub'" in proc.stdout and "'state_dict'" in proc.stdout


class _Exploit:
    def __reduce__(self):
        import os
        return (os.system, ('echo pwned',))


def test_malicious_checkpoint_is_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': _Exploit()}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, map_location='cpu')


def test_getattr_is_limited_to_history_buffer_methods():
    from mmengine.logging.history_buffer import HistoryBuffer
    assert compat._history_buffer_getattr(HistoryBuffer, 'mean') \
        is HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError):
        compat._history_buffer_getattr(HistoryBuffer, '__init__')
    with pytest.raises(pickle.UnpicklingError):
        compat._history_buffer_getattr(torch, 'load')


# ---- 3. no torchvision at run time -------------------------------------------

@pytest.fixture
def broken_torchvision(tmp_path):
    """A torchvision that fails at import the way the CPU wheels do here."""
    package = tmp_path / 'torchvision'
    package.mkdir()
    (package / '__init__.py').write_text(
        'raise RuntimeError("operator torchvision::nms does not exist")\n')
    return tmp_path


def test_broken_torchvision_crashes_mmengine_without_the_fix(
        broken_torchvision):
    proc = python('''
        from mmengine.utils.dl_utils import collect_env
        collect_env()
    ''', env_path=broken_torchvision)
    assert proc.returncode != 0
    assert 'torchvision::nms' in proc.stderr


def test_broken_torchvision_is_refused_with_the_fix(broken_torchvision):
    proc = python('''
        import dance_style
        from mmengine.utils.dl_utils import collect_env
        env = collect_env()
        print('TorchVision' in env)
        try:
            import torchvision
        except ModuleNotFoundError as e:
            print('refused')
    ''', env_path=broken_torchvision)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ['False', 'refused']


def test_numeric_numpy_values_load_and_object_arrays_stay_refused(tmp_path):
    import numpy as np
    numeric = tmp_path / 'numeric.pth'
    torch.save({'a': np.arange(3, dtype=np.int64), 'b': np.float32(0.5),
                'c': np.zeros(2, dtype=np.float16)}, numeric)
    state = torch.load(numeric, map_location='cpu')
    assert state['a'].tolist() == [0, 1, 2] and state['b'] == 0.5
    objects = tmp_path / 'objects.pth'
    torch.save({'a': np.array([1, 'x'], dtype=object)}, objects)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(objects, map_location='cpu')


# ---- 4. NonLocal blocks are identities when I3D starts from scratch ---------

NL_IDENTITY_CHECK = """
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmcv.cnn import NonLocal3d
    from mmaction.registry import MODELS
    init_default_scope('mmaction')
    # custom_imports would import dance_style, which applies every fix
    cfg = Config.fromfile('configs/i3d_nl_dance.py',
                          import_custom_modules=False)
    model = MODELS.build(cfg.model)
    model.init_weights()
    blocks = [m for m in model.modules() if isinstance(m, NonLocal3d)]
    torch.manual_seed(0)
    identity = []
    for block in blocks:
        x = torch.randn(2, block.in_channels, 2, 4, 4)
        identity.append(torch.equal(block.eval()(x), x))
    print(len(blocks), all(identity))
"""


def test_scratch_init_breaks_non_local_blocks_without_the_fix():
    proc = python_without_fixes(NL_IDENTITY_CHECK)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].split() == ['5', 'False']


def test_non_local_blocks_start_as_identities_with_the_fix():
    proc = python('import dance_style\n' + textwrap.dedent(NL_IDENTITY_CHECK))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].split() == ['5', 'True']


def test_weights_from_a_checkpoint_are_not_touched_by_the_fix(tmp_path):
    from mmaction.registry import MODELS
    from mmcv.cnn import NonLocal3d
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    backbone_cfg = Config.fromfile(
        REPO / 'configs' / 'i3d_nl_dance.py').model.backbone
    source = MODELS.build(backbone_cfg)
    for block in source.modules():
        if isinstance(block, NonLocal3d):
            torch.nn.init.constant_(block.conv_out.norm.weight, 0.5)
    path = tmp_path / 'backbone.pth'
    torch.save({'state_dict': source.state_dict()}, path)

    loaded = MODELS.build(
        dict(backbone_cfg, pretrained=str(path), pretrained2d=False))
    loaded.init_weights()
    weights = [b.conv_out.norm.weight for b in loaded.modules()
               if isinstance(b, NonLocal3d)]
    assert len(weights) == 5
    assert all(torch.all(w == 0.5) for w in weights)
    assert compat.fix_resnet3d_scratch_init() is False  # applied once


# ---- 5. ColorJitter's hue shift under numpy 2 ---------------------------------

HUE_CHECK = """
    import numpy as np
    from mmaction.datasets.transforms.processing import ColorJitter
    img = np.full((4, 4, 3), (200, 40, 40), np.float32)  # red: hue 0
    out = ColorJitter.adjust_hue(img, -0.04)              # offset -10
    print(out.shape, out.dtype)
"""


def test_negative_hue_shift_crashes_without_the_fix():
    proc = python_without_fixes(HUE_CHECK)
    assert proc.returncode != 0
    assert 'out of bounds for uint8' in proc.stderr


def test_negative_hue_shift_wraps_with_the_fix():
    import cv2
    import numpy as np
    from mmaction.datasets.transforms.processing import ColorJitter
    img = np.full((4, 4, 3), (200, 40, 40), np.float32)
    out = ColorJitter.adjust_hue(img, -0.04)
    hue = cv2.cvtColor(out.astype(np.uint8), cv2.COLOR_RGB2HSV)[0, 0, 0]
    assert hue == 170  # 0 - 10 wrapped round OpenCV's 0..179 hue circle


# ---- 6. Horizontal flip of stacked x/y optical flow ---------------------------

FLOW_FLIP_CHECK = """
    import numpy as np
    from mmaction.datasets.transforms.processing import Flip
    # 2 frames of rightward motion: x = 160 (+5 px), y = 128 (none)
    frames = [np.dstack([np.full((2, 3), 160, np.uint8),
                         np.full((2, 3), 128, np.uint8)]) for _ in range(2)]
    out = Flip(flip_ratio=1.0).transform(dict(
        imgs=frames, modality='Flow', img_shape=(2, 3)))['imgs']
    print([(int(f[0, 0, 0]), int(f[0, 0, 1])) for f in out])
"""


def test_flow_flip_negates_whole_frames_without_the_fix():
    proc = python_without_fixes(FLOW_FLIP_CHECK)
    assert proc.returncode == 0, proc.stderr
    # frame 0: x and y both inverted; frame 1 untouched
    assert proc.stdout.strip().splitlines()[-1] == '[(95, 127), (160, 128)]'


def test_flow_flip_negates_only_x_with_the_fix():
    proc = python('import dance_style\n' + textwrap.dedent(FLOW_FLIP_CHECK))
    assert proc.returncode == 0, proc.stderr
    # leftward motion after the flip, in every frame; y unchanged
    assert proc.stdout.strip().splitlines()[-1] == '[(95, 128), (95, 128)]'
