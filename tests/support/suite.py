"""Facts of the suite's shared fixtures (tests/conftest.py), which the
tests assert against."""
from pathlib import Path

from dance_style.resources import REPO_ROOT as REPO
from dance_style.resources import split_lists_dir

TINY_CONFIG = REPO / 'tests' / 'configs' / 'tiny_nl_synthetic.py'

# Three of the 19 synthetic choreographies that differ most in motion (see
# dance_style/synthetic/choreography.py): a whole-body spin, travel round a
# circle, fast shaking of the lower legs. The "easy 3-class subset".
EASY_CLASSES = (1, 14, 17)  # breakdancing, square dancing, tap dancing
TINY_EPOCHS = 10  # tests/configs/tiny_nl_synthetic.py's max_epochs
# tools/test.py on the easy dataset's clips with 2 test clips instead of the
# config's 8: the clips are 32 frames, one 16x2 window, and SampleFrames
# starts 4 of 8 clips at frame 0 and 4 at frame 1, so 2 clips are the same
# two views once each: the same scores (a dump compared, 2026-12-02) for a
# quarter of the work. tools/predict.py keeps the 8: on longer clips they
# are 8 different windows.
TWO_TEST_VIEWS = 'test_dataloader.dataset.pipeline.1.num_clips=2'


def train_subset(dataset: Path, out: Path, per_class: int = 8) -> Path:
    """The first ``per_class`` training clips of each class of ``dataset``,
    as a list file at ``out``: for tests of bookkeeping, not learning."""
    per_label = {}
    for line in (split_lists_dir(dataset) / 'dance19_train.txt'
                 ).read_text().splitlines():
        per_label.setdefault(line.rsplit(' ', 1)[1], []).append(line)
    out.write_text(''.join(f'{line}\n' for group in per_label.values()
                           for line in group[:per_class]))
    return out
