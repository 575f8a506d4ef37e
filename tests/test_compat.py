"""Each install fix in dance_style.compat, shown failing without it and
working with it (subprocesses, so that this process's imports do not hide
anything)."""
import json
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from dance_style import compat

from support import REPO, TINY_EPOCHS


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
    imported at all); compat.py is loaded as a plain file so that its
    apply() stays out."""
    return python(ONLY_THE_DRN_STUB + textwrap.dedent(check))


# ---- 1. missing drn module ---------------------------------------------------

def test_mmaction_models_fails_without_the_drn_stub():
    proc = python('import mmaction.models')
    assert proc.returncode != 0
    assert "No module named 'mmaction.models.localizers.drn'" in proc.stderr


def test_mmaction_models_imports_with_the_drn_stub():
    proc = python('''
        import dance_style.register
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
        import dance_style.register, torch
        state = torch.load({str(ckpt)!r}, map_location='cpu',
                           weights_only=True)
        print(sorted(state), state['meta']['epoch'])
    ''')
    assert proc.returncode == 0, proc.stderr
    assert "'message_hub'" in proc.stdout and "'state_dict'" in proc.stdout


def as_numpy1_checkpoint(source, target):
    """``source`` rewritten as numpy 1.x writes it: its pickle names
    ``numpy.core.multiarray.*`` instead of numpy 2's ``numpy._core``."""
    import zipfile
    with zipfile.ZipFile(source) as zin, \
            zipfile.ZipFile(target, 'w', zipfile.ZIP_STORED) as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name.endswith('/data.pkl'):
                assert b'numpy._core.multiarray' in data
                # protocol 2 GLOBAL opcodes: newline-ended names
                data = data.replace(b'numpy._core.', b'numpy.core.')
            zout.writestr(name, data)
    return target


def test_numpy1_runner_checkpoint_loads_with_weights_only(trained_run,
                                                         tmp_path):
    from dance_style.checkpoints import read_tensors
    ckpt = runner_checkpoint(trained_run)
    old = as_numpy1_checkpoint(ckpt, tmp_path / 'numpy1.pth')
    assert b'numpy.core.multiarray' in old.read_bytes()
    state = torch.load(old, map_location='cpu', weights_only=True)
    fresh = torch.load(ckpt, map_location='cpu', weights_only=True)
    assert state['meta']['epoch'] == fresh['meta']['epoch']
    assert state['message_hub'].keys() == fresh['message_hub'].keys()
    assert read_tensors(str(old)).keys() == read_tensors(str(ckpt)).keys()


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
        import dance_style.register
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


# ---- 4. ColorJitter's hue shift under numpy 2 ---------------------------------

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


# ---- nothing else ---------------------------------------------------------

PATCHED = """
    import inspect, json
    import mmaction.datasets.transforms as transforms
    import mmaction.models as models

    def functions():
        found = {}
        for package in (transforms, models):
            for name, cls in vars(package).items():
                if inspect.isclass(cls):
                    for attr, value in vars(cls).items():
                        value = getattr(value, '__func__', value)
                        if inspect.isfunction(value):
                            found[f'{name}.{attr}'] = value
        return found

    before = functions()
    from dance_style.register import register_all_modules
    register_all_modules()
    after = functions()
    print(json.dumps(sorted(k for k in before if after[k] is not before[k])))
"""


def test_compat_changes_no_training_behaviour():
    """The only upstream function the install fixes replace is the broken
    hue shift; the NonLocal init and the flow flip are registered
    components the configs name (ResNet3dIdentityNL, FlowFlip)."""
    proc = python(ONLY_THE_DRN_STUB + textwrap.dedent(PATCHED))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == [
        'ColorJitter.adjust_hue']
