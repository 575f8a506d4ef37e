"""Export a trained recognizer's tensor forward to TorchScript or ONNX.

The exported graph takes a batch of clips as the test pipeline leaves them
before normalisation, ``(N, 3, T, H, W)`` float RGB in 0..255, and returns
class probabilities ``(N, num_classes)``: normalisation (the config's
data_preprocessor mean/std), backbone, head and softmax are inside, so a
deployment only decodes, resizes and crops. Multi-view averaging stays with
the caller (run each view, average the probabilities).
"""
from typing import Sequence, Tuple

import torch
from torch import nn

from .errors import DanceStyleError

FORMATS = ('torchscript', 'onnx')


class ClipClassifier(nn.Module):
    """Normalise -> backbone -> head -> softmax, as one tensor function."""

    def __init__(self, recognizer, mean: Sequence[float],
                 std: Sequence[float]) -> None:
        super().__init__()
        self.backbone = recognizer.backbone
        self.neck = getattr(recognizer, 'neck', None)
        self.cls_head = recognizer.cls_head
        self.register_buffer(
            'mean', torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1,
                                                                  1))
        self.register_buffer(
            'std', torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1, 1))

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        x = (clips - self.mean) / self.std
        x = self.backbone(x)
        if self.neck is not None:
            x = self.neck(x)
            if isinstance(x, tuple):
                x = x[0]
        return self.cls_head(x).softmax(dim=-1)


def input_shape(cfg) -> Tuple[int, int, int]:
    """(T, H, W) of one test view: clip_len of SampleFrames (or
    UniformSample) and the crop size of the test pipeline."""
    frames = size = None
    for step in cfg.test_dataloader.dataset.pipeline:
        if step['type'] in ('SampleFrames', 'UniformSample'):
            frames = step['clip_len']
        elif step['type'] in ('CenterCrop', 'ThreeCrop', 'TenCrop'):
            size = step['crop_size']
    if frames is None or size is None:
        raise DanceStyleError(
            'cannot tell the clip shape from the test pipeline (no '
            'SampleFrames/UniformSample or crop step): pass --shape T H W')
    height, width = (size, size) if isinstance(size, int) else size[::-1]
    return frames, height, width


def build_classifier(model, cfg) -> ClipClassifier:
    """The exportable module of a loaded recognizer, in eval mode."""
    pre = cfg.model.data_preprocessor
    if pre.get('format_shape', 'NCTHW') != 'NCTHW':
        raise DanceStyleError(
            f'export handles 3D models (format_shape NCTHW), not '
            f'{pre.get("format_shape")}')
    return ClipClassifier(model, pre.get('mean', [0.0] * 3),
                          pre.get('std', [1.0] * 3)).eval().cpu()


def export(classifier: ClipClassifier, example: torch.Tensor, fmt: str,
           path: str) -> None:
    """Write ``classifier`` in ``fmt`` to ``path`` (batch size dynamic)."""
    from .fileio import atomic_path
    if fmt == 'torchscript':
        with torch.no_grad():
            traced = torch.jit.trace(classifier, example)
        with atomic_path(path, suffix='.tmp.pt') as tmp:
            traced.save(tmp)
    elif fmt == 'onnx':
        try:
            import onnx  # noqa: F401  torch's exporter needs both
            import onnxscript  # noqa: F401
        except ImportError as error:
            raise DanceStyleError(
                f'ONNX export needs the onnx and onnxscript packages '
                f'({error}): pip install -e ".[export]", or use '
                '--format torchscript')
        batch = torch.export.Dim('batch', min=1, max=1024)
        with atomic_path(path, suffix='.tmp.onnx') as tmp:
            program = torch.onnx.export(
                classifier, (example, ), dynamo=True, external_data=False,
                input_names=['clips'], output_names=['probs'],
                dynamic_shapes={'clips': {0: batch}})
            program.save(tmp)
    else:
        raise DanceStyleError(f'unknown format {fmt!r}; one of {FORMATS}')


def run_exported(path: str, fmt: str, clips: torch.Tensor) -> torch.Tensor:
    """Outputs of the exported file on ``clips`` (ONNX: onnxruntime)."""
    if fmt == 'torchscript':
        module = torch.jit.load(path, map_location='cpu')
        with torch.no_grad():
            return module(clips)
    import onnxruntime
    session = onnxruntime.InferenceSession(
        path, providers=['CPUExecutionProvider'])
    (probs, ) = session.run(None, {'clips': clips.numpy()})
    return torch.from_numpy(probs)
