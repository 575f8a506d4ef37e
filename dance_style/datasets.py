"""The dance19 video dataset: mmaction2's VideoDataset with checked input."""
import os.path as osp
from typing import List

from mmaction.datasets import VideoDataset
from mmaction.registry import DATASETS

from .classes import NUM_CLASSES
from .errors import DanceStyleError

# How the user creates the files this dataset reads; quoted in error messages.
HOW_TO_MAKE_DATA = (
    'Build the dataset from Kinetics-700-2020 and/or Let\'s Dance with\n'
    '    python data_prep/build_dataset.py --kinetics-root K700_DIR '
    '--letsdance-root LETSDANCE_DIR --out data/dance19\n'
    'or run the demo on synthetic data (make demo), or pass --cfg-options '
    'with the right train_dataloader.dataset.ann_file / data_prefix.video.')


@DATASETS.register_module()
class DanceVideoDataset(VideoDataset):
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

    def load_data_list(self) -> List[dict]:
        """Parse and validate the annotation file."""
        if not osp.isfile(self.ann_file):
            raise DanceStyleError(
                f'annotation file not found: {self.ann_file}\n'
                + HOW_TO_MAKE_DATA)
        video_root = self.data_prefix.get('video')
        if video_root and not osp.isdir(video_root):
            raise DanceStyleError(
                f'video folder not found: {video_root} (data_prefix.video)\n'
                + HOW_TO_MAKE_DATA)
        data_list = []
        with open(self.ann_file, encoding='utf-8') as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                data_list.append(self._parse_line(line, line_no, video_root))
        if not data_list:
            raise DanceStyleError(
                f'annotation file {self.ann_file} lists no clips.\n'
                + HOW_TO_MAKE_DATA)
        if self.check_files:
            self._check_videos_exist(data_list)
        return data_list

    def _parse_line(self, line: str, line_no: int, video_root) -> dict:
        where = f'{self.ann_file}, line {line_no}'
        parts = line.strip().rsplit(None, 1)
        if len(parts) != 2:
            raise DanceStyleError(
                f'{where}: expected "<video path> <label>", got '
                f'{line.strip()!r}')
        filename, label_text = parts
        try:
            label = int(label_text)
        except ValueError:
            raise DanceStyleError(
                f'{where}: label {label_text!r} is not an integer; labels '
                f'are 0..{self.num_classes - 1} in the order of '
                'annotations/label_map.txt') from None
        if not 0 <= label < self.num_classes:
            raise DanceStyleError(
                f'{where}: label {label} is outside 0..{self.num_classes - 1}'
                f' ({self.num_classes} classes, annotations/label_map.txt). '
                'Fix the annotation file, or set model.cls_head.num_classes '
                'and the dataset num_classes together if you extended the '
                'label set on purpose.')
        if video_root:
            filename = osp.join(video_root, filename)
        return dict(filename=filename, label=label)

    def _check_videos_exist(self, data_list: List[dict]) -> None:
        missing = [d['filename'] for d in data_list
                   if not osp.isfile(d['filename'])]
        if missing:
            shown = '\n    '.join(missing[:5])
            raise DanceStyleError(
                f'{len(missing)} of {len(data_list)} videos listed in '
                f'{self.ann_file} do not exist, e.g.:\n    {shown}\n'
                'Check data_prefix.video (the folder the paths are relative '
                'to), or rebuild the annotation files.')
