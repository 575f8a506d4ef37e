"""What a model was trained on, as predict, the timeline and the web page
say it.

A named checkpoint's metafile entry says it (``trained_on``). A checkpoint
of tools/train.py carries its config in ``meta['cfg']``, whose
``training_data`` (set by the dataset base configs) names the data; a
checkpoint without either is described by the config it is used with. A
model trained on the embedded synthetic dataset gets a plain warning: its
stick figures teach motion patterns of their own, and its answers on real
video mean nothing.
"""
import os.path as osp
from typing import Optional

SYNTHETIC_WARNING = (
    'this model was trained on the embedded synthetic dataset (stick '
    'figures), not on dance videos: its answers on real video mean nothing. '
    'For real footage use a model trained on dance19, or the zero-training '
    'Kinetics model (README, "Classify a dance video now").')


def _training_data(config_text: str) -> Optional[dict]:
    from mmengine.config import Config
    try:
        cfg = Config.fromstring(config_text, '.py')
    except Exception:  # an old or foreign config text: say nothing from it
        return None
    data = cfg.get('training_data')
    return dict(data) if data else None


def describe(cfg, meta: dict, entry, checkpoint: str) -> dict:
    """``checkpoint``, ``trained_on``, ``synthetic`` and, for a synthetic
    model, ``warning``: what the tools show with a model's answers."""
    if entry is not None:
        return dict(checkpoint=entry.name, trained_on=entry.trained_on,
                    synthetic=False)
    data = _training_data(meta['cfg']) if isinstance(
        meta.get('cfg'), str) else None
    if data is None:
        data = cfg.get('training_data')
        data = dict(data) if data else None
    about = dict(checkpoint=osp.basename(str(checkpoint)),
                 trained_on=data['name'] if data else
                 'not recorded in the checkpoint or its config',
                 synthetic=bool(data and data.get('synthetic')))
    if about['synthetic']:
        about['warning'] = SYNTHETIC_WARNING
    return about


def format_about(about: dict) -> str:
    """Lines for text output: the model, then the warning if any."""
    lines = [f'model: {about["checkpoint"]}, trained on '
             f'{about["trained_on"]}']
    if about.get('warning'):
        lines.append(f'WARNING: {about["warning"]}')
    return '\n'.join(lines)
