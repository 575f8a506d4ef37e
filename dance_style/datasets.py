"""The dance19 datasets: mmaction2's VideoDataset (RGB clips) and RawframeDataset
(the optical flow of the flow stream) with checked input."""
import os.path as osp
from typing import List

from . import compat

# A dataloader worker started with 'spawn' imports this module when it
# unpickles the dataset, and nothing else of ours: the install fixes (the
# ColorJitter repair in particular) must reach it from here.
compat.apply()

from mmaction.datasets import RawframeDataset, VideoDataset  # noqa: E402
from mmaction.registry import DATASETS  # noqa: E402

from .classes import NUM_CLASSES  # noqa: E402
from .errors import DanceStyleError  # noqa: E402

# How the user creates the files this dataset reads; quoted in error messages.
HOW_TO_MAKE_DATA = (
    'Build the dataset from Kinetics-700-2020 and/or Let\'s Dance with\n'
    '    python data_prep/build_dataset.py --kinetics-root K700_DIR '
    '--letsdance-root LETSDANCE_DIR --out data/dance19\n'
    'or run the demo on synthetic data (make demo), or point the run at a '
    'dataset folder with --data-root DIR (lists in DIR/annotations).')


HOW_TO_MAKE_FLOW = (
    'Extract the optical flow of the dataset with\n'
    '    python data_prep/extract_flow.py --root DATA_ROOT\n'
    'which writes DATA_ROOT/flow/ and annotations/dance19_flow_{split}.txt.')


def parse_label(text: str, where: str, num_classes: int) -> int:
    """An annotation line's label, checked to lie in 0..num_classes-1."""
    try:
        label = int(text)
    except ValueError:
        raise DanceStyleError(
            f'{where}: label {text!r} is not an integer; labels '
            f'are 0..{num_classes - 1} in the order of '
            'annotations/label_map.txt') from None
    if not 0 <= label < num_classes:
        raise DanceStyleError(
            f'{where}: label {label} is outside 0..{num_classes - 1}'
            f' ({num_classes} classes, annotations/label_map.txt). '
            'Fix the annotation file, or set model.cls_head.num_classes '
            'and the dataset num_classes together if you extended the '
            'label set on purpose.')
    return label


def refuse_rgb_flip(pipeline) -> None:
    """mmaction2's ``Flip`` gets stacked x/y flow wrong (it negates whole
    frames); a flow pipeline must use ``FlowFlip`` (dance_style.transforms)."""
    for step in pipeline:
        if isinstance(step, dict) and step.get('type') in (
                'Flip', 'mmaction.Flip'):
            raise DanceStyleError(
                'the flow pipeline uses Flip, which negates whole frames of '
                'stacked x/y optical flow in mmaction2 1.x; use '
                "dict(type='FlowFlip', ...) with the same arguments "
                '(dance_style.transforms.FlowFlip)')


class CheckedListMixin:
    """The annotation-file checks both dance19 datasets share.

    A subclass names its data prefix key (``video`` or ``img``), the path
    key of its entries and how to check one exists, what they are called in
    messages, how to make the data, and parses one line in ``_parse_line``.
    """

    prefix_key = 'video'
    root_name = 'video folder'
    path_key = 'filename'
    entries = 'videos'
    entry_exists = staticmethod(osp.isfile)
    how_to = HOW_TO_MAKE_DATA
    check_files = True

    def load_data_list(self) -> List[dict]:
        """Parse and validate the annotation file."""
        if not osp.isfile(self.ann_file):
            raise DanceStyleError(
                f'annotation file not found: {self.ann_file}\n' + self.how_to)
        root = self.data_prefix.get(self.prefix_key)
        if root and not osp.isdir(root):
            raise DanceStyleError(
                f'{self.root_name} not found: {root} '
                f'(data_prefix.{self.prefix_key})\n' + self.how_to)
        data_list = []
        with open(self.ann_file, encoding='utf-8') as handle:
            for line_no, line in enumerate(handle, start=1):
                if line.strip():
                    data_list.append(self._parse_line(line, line_no, root))
        if not data_list:
            raise DanceStyleError(
                f'annotation file {self.ann_file} lists no clips.\n'
                + self.how_to)
        if self.check_files:
            self._check_entries_exist(data_list)
        return data_list

    def _parse_line(self, line: str, line_no: int, root) -> dict:
        raise NotImplementedError

    def _check_entries_exist(self, data_list: List[dict]) -> None:
        missing = [d[self.path_key] for d in data_list
                   if not self.entry_exists(d[self.path_key])]
        if missing:
            shown = '\n    '.join(missing[:5])
            raise DanceStyleError(
                f'{len(missing)} of {len(data_list)} {self.entries} listed in '
                f'{self.ann_file} do not exist, e.g.:\n    {shown}\n'
                f'Check data_prefix.{self.prefix_key} (the folder the paths '
                'are relative to), or make the data again:\n' + self.how_to)


@DATASETS.register_module()
class DanceVideoDataset(CheckedListMixin, VideoDataset):
    """VideoDataset for annotation files ``<relative path> <label>``.

    Differences from mmaction2's ``VideoDataset``, all about bad input:

    * the label is split off at the *last* whitespace, so file names with
      spaces (Kinetics class folders such as ``tap dancing/``) work;
    * a missing annotation file or video folder, a malformed line, a label
      outside ``0..num_classes-1`` and missing video files raise
      :class:`DanceStyleError` naming the file, the line and the fix, before
      training starts instead of in a dataloader worker mid-epoch.

    Args:
        num_classes (int): Labels must lie in ``0..num_classes-1``.
            Defaults to 19, the study's label set.
        check_files (bool): Check that every listed video exists.
            Defaults to True (a stat per clip: ~10 ms for 10k clips).
        **kwargs: Passed to :class:`mmaction.datasets.VideoDataset`.
    """

    def __init__(self, *args, num_classes: int = NUM_CLASSES,
                 check_files: bool = True, **kwargs):
        self.check_files = check_files
        super().__init__(*args, num_classes=num_classes, **kwargs)

    def _parse_line(self, line: str, line_no: int, video_root) -> dict:
        where = f'{self.ann_file}, line {line_no}'
        parts = line.strip().rsplit(None, 1)
        if len(parts) != 2:
            raise DanceStyleError(
                f'{where}: expected "<video path> <label>", got '
                f'{line.strip()!r}')
        filename, label_text = parts
        label = parse_label(label_text, where, self.num_classes)
        if video_root:
            filename = osp.join(video_root, filename)
        return dict(filename=filename, label=label)


@DATASETS.register_module()
class DanceRawframeDataset(CheckedListMixin, RawframeDataset):
    """RawframeDataset for lists ``<frame folder> <frames> <label>``.

    The flow stream of Two-Stream I3D reads the optical flow that
    ``data_prep/extract_flow.py`` stores as mmaction2 rawframes
    (``modality='Flow'``, ``filename_tmpl='flow_{}_{:05d}.jpg'``). Unlike
    mmaction2's ``RawframeDataset``, which splits lines at every space:

    * the frame count and label are split off from the right, so folder
      names with spaces (Kinetics class names) work;
    * a missing list or folder, a malformed line, a non-positive frame count
      and a label outside ``0..num_classes-1`` raise
      :class:`DanceStyleError` naming the file, line and fix before
      training starts;
    * a flow pipeline with mmaction2's ``Flip`` is refused: it negates
      whole frames of stacked flow; ``FlowFlip`` negates x.

    Offsets and multi-label lines are not supported.

    Args:
        num_classes (int): Labels must lie in ``0..num_classes-1``.
            Defaults to 19, the study's label set.
        check_files (bool): Check that every listed folder exists.
            Defaults to True.
        **kwargs: Passed to :class:`mmaction.datasets.RawframeDataset`.
    """

    prefix_key = 'img'
    root_name = 'frame folder'
    path_key = 'frame_dir'
    entries = 'frame folders'
    entry_exists = staticmethod(osp.isdir)
    how_to = HOW_TO_MAKE_FLOW

    def __init__(self, *args, num_classes: int = NUM_CLASSES,
                 check_files: bool = True, **kwargs):
        self.check_files = check_files
        if kwargs.get('modality') == 'Flow':
            refuse_rgb_flip(kwargs.get('pipeline') or [])
        super().__init__(*args, num_classes=num_classes, **kwargs)

    def _parse_line(self, line: str, line_no: int, frame_root) -> dict:
        where = f'{self.ann_file}, line {line_no}'
        parts = line.strip().rsplit(None, 2)
        if len(parts) != 3:
            raise DanceStyleError(
                f'{where}: expected "<frame folder> <frames> <label>", got '
                f'{line.strip()!r}')
        folder, frames_text, label_text = parts
        if not frames_text.isdigit() or int(frames_text) < 1:
            raise DanceStyleError(
                f'{where}: the frame count {frames_text!r} is not a '
                'positive integer')
        label = parse_label(label_text, where, self.num_classes)
        if frame_root:
            folder = osp.join(frame_root, folder)
        return dict(frame_dir=folder, total_frames=int(frames_text),
                    label=label)
