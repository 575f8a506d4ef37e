"""Top-k dance styles of single videos, with mmaction2's inference API."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

from .classes import DANCE19_CLASSES
from .errors import DanceStyleError


def load_recognizer(config, checkpoint: str, device: str = 'cpu'):
    """Build the model of ``config`` and load ``checkpoint`` (weights_only,
    through dance_style.compat's allow-list). A Kinetics checkpoint's head
    is sliced to our classes by name, as in training and testing
    (:mod:`dance_style.kinetics_heads`); then every tensor must fit, or the
    checkpoint is refused (:func:`dance_style.transfer.read_fitting`).
    ``checkpoint`` may be a file, a URL or a name of configs/metafile.yml
    (downloaded once). The model's ``about`` says what it was trained on
    (:func:`dance_style.provenance.describe`)."""
    import torch
    from mmaction.apis import init_recognizer
    from mmengine.logging import MMLogger
    from mmengine.runner.checkpoint import load_state_dict

    from .kinetics_heads import format_slice
    from .provenance import describe
    from .transfer import read_fitting

    from .register import register_all_modules
    register_all_modules(init_default_scope=False)  # as custom_imports
    if str(device).startswith('cuda') and not torch.cuda.is_available():
        raise DanceStyleError(
            f'--device {device}, but torch sees no CUDA GPU here; use '
            '--device cpu')
    from .checkpoints import resolve_checkpoint, use_entry
    checkpoint, entry = resolve_checkpoint(checkpoint)  # a name: downloaded
    model = init_recognizer(config, None, device=device)
    use_entry(model.cfg, entry)
    tensors, sliced, meta = read_fitting(model, model.cfg, checkpoint)
    logger = MMLogger.get_current_instance()
    if sliced:
        logger.info(format_slice(sliced))
    load_state_dict(model, tensors, strict=True, logger=logger)
    # what it was trained on, for every answer it gives
    model.about = describe(model.cfg, meta, entry, checkpoint)
    # which weights these are, for the inference precision check's cache
    # (dance_style.infer_precision)
    if osp.isfile(checkpoint):
        stat = os.stat(checkpoint)
        model.checkpoint_id = (f'{osp.abspath(checkpoint)}:{stat.st_size}:'
                               f'{stat.st_mtime_ns}')
    return model


def pipeline_for(steps: Sequence[dict], reader: str) -> List[dict]:
    """The config's test pipeline with its decoding steps replaced by those
    of :mod:`dance_style.stream_transforms`, which decode at the size the
    pipeline's ``Resize`` makes (``decode_size``): decord's
    (``DecordScaledInit``, ``DecordChunkedDecode``, their arguments kept),
    or PyAV's when ``reader`` is 'pyav'; sampling, crops and formatting
    stay the config's."""
    from .readers import PYAV
    if reader != PYAV:
        scaled = {'DecordInit': 'DecordScaledInit',
                  'DecordDecode': 'DecordChunkedDecode'}
        return [dict(s, type=scaled[s['type']]) if s['type'] in scaled
                else s for s in steps]
    swap = {'DecordInit': 'PyAVStreamInit', 'DecordDecode': 'PyAVStreamDecode',
            'PyAVInit': 'PyAVStreamInit', 'PyAVDecode': 'PyAVStreamDecode',
            'OpenCVInit': 'PyAVStreamInit', 'OpenCVDecode': 'PyAVStreamDecode'}
    return [dict(type=swap[s['type']]) if s['type'] in swap else s
            for s in steps]


def check_rgb_config(cfg) -> None:
    """Refuse an optical-flow config: it reads flow frames, not videos."""
    if cfg.test_dataloader.dataset.get('modality') == 'Flow':
        raise DanceStyleError(
            'this is an optical-flow config: it reads flow frames, not video '
            'files. Predict with the RGB stream\'s config, or extract the '
            'flow (data_prep/extract_flow.py), test both streams with '
            'tools/test.py --dump and fuse them with tools/fuse_scores.py '
            '(docs/two_stream.md).')


def top_k_of(scores, top_k: int, class_names: Sequence[str]) -> List[Dict]:
    """``{'label', 'name', 'probability'}`` of the ``top_k`` best scores."""
    import torch
    scores = torch.as_tensor(scores).detach().cpu().flatten()
    k = min(top_k, scores.numel())
    probs, labels = scores.topk(k)
    return [dict(label=int(label),
                 name=(class_names[int(label)]
                       if int(label) < len(class_names) else str(int(label))),
                 probability=float(prob))
            for prob, label in zip(probs, labels)]


def predict_videos(model,
                   videos: Sequence[str],
                   top_k: int = 5,
                   class_names: Sequence[str] = DANCE19_CLASSES,
                   limits=None) -> List[Dict]:
    """Predict each video; a bad file gets an ``error`` entry (one line:
    what it is and what to do), the others still succeed.

    Uses the config's *test* pipeline (multi-clip, multi-crop, probabilities
    averaged), so any length, resolution and frame rate works. decord reads
    what it can, as in training; AV1, GIF and rotated videos are decoded by
    PyAV (:mod:`dance_style.readers`), said in one log line each. Frames
    are decoded at the size the pipeline's first ``Resize`` makes
    (:func:`dance_style.readers.decode_size`), and a video over ``limits``
    (:class:`dance_style.limits.InputLimits`; default: frames up to 8K) is
    refused from its header, with an ``error`` entry.
    Returns one dict per video: ``video``, ``reader``, ``predictions``
    (list of ``{'label', 'name', 'probability'}``, best first) or ``error``.
    """
    import torch
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope

    from .limits import InputLimits, TimeLimitExceeded, check_time
    from .readers import UnreadableVideo, choose_reader, resize_after_decode

    check_rgb_config(model.cfg)
    init_default_scope(model.cfg.get('default_scope', 'mmaction'))
    steps = model.cfg.test_dataloader.dataset.pipeline
    resize = resize_after_decode(steps)
    limits = limits or InputLimits()
    pipelines = {}
    logger = MMLogger.get_current_instance()
    results = []
    for video in videos:
        entry: Dict = {'video': video}
        try:
            choice = choose_reader(video, limits, resize)
        except UnreadableVideo as error:
            entry['error'] = str(error)
            results.append(entry)
            continue
        entry['reader'] = choice.reader
        if choice.reason:
            logger.info(f'{osp.basename(video)}: {choice.reason}')
        if choice.reader not in pipelines:
            pipelines[choice.reader] = Compose(
                pipeline_for(steps, choice.reader))
        # the data pipeline (decoding) apart from the model, as
        # inference_recognizer runs them: only a decoder's failure is the
        # file's fault, a model or device error stays an error
        try:
            data = pipelines[choice.reader](dict(
                filename=video, label=-1, start_index=0, modality='RGB',
                decode_size=choice.size, input_limits=limits))
        except TimeLimitExceeded:
            raise
        except Exception as error:  # noqa: BLE001  decoders raise anything
            first = (str(error).strip().splitlines() or [''])[0][:160]
            entry['error'] = (f'{osp.basename(video)}: decoding failed part-way'
                              f' ({type(error).__name__}: {first}); re-encode '
                              'it: ' + _reencode(video))
            results.append(entry)
            continue
        check_time()
        with torch.no_grad():
            sample = model.test_step(pseudo_collate([data]))[0]
        entry['predictions'] = top_k_of(sample.pred_score, top_k, class_names)
        results.append(entry)
    return results


def _reencode(video: str) -> str:
    from .readers import reencode_command
    return reencode_command(video)


def format_predictions(results: List[Dict],
                       width: Optional[int] = 24) -> str:
    """Human-readable lines: the video, then its top-k with probabilities."""
    lines = []
    for entry in results:
        lines.append(entry['video'])
        if 'error' in entry:
            lines.append(f'  error: {entry["error"]}')
            continue
        for rank, pred in enumerate(entry['predictions'], start=1):
            lines.append(f'  {rank}. {pred["name"]:<{width}} '
                         f'{100 * pred["probability"]:5.1f} %')
    return '\n'.join(lines)
