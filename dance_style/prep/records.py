"""The record of one source clip as it moves through the stages."""
import dataclasses
import json
from pathlib import Path
from typing import Iterable, List, Optional, Union

from ..fileio import write_text_atomic

# What became of a source clip. 'ok' ones are in the dataset; the others are
# listed in the manifest with a reason.
STATUSES = ('ok', 'missing', 'corrupt', 'too_short', 'unmapped', 'malformed',
            'duplicate')


@dataclasses.dataclass
class SourceClip:
    """One clip of a source dataset.

    Attributes:
        dataset: 'kinetics700' or 'letsdance'.
        clip_id: unique within the dataset (Kinetics:
            ``<youtube_id>_<start:06d>_<end:06d>``; Let's Dance:
            ``<video_id>_<start>``); also the output file's stem.
        group: what must not straddle splits: the source video (YouTube id
            for both datasets, so a video in both cannot leak either).
        original_label: the label as the source spells it.
        label: dance19 label 0..18, or None (unmapped, malformed).
        source: the video file, or the first frame of a frame sequence.
        frames: for frame sequences, every frame file in order.
        fps: the source's frame rate where the source does not say it
            (frame sequences); None for video files.
        fps_rule: why a frame sequence got its rate when its frame count
            did not give it (the manifest's ``fps_rule``).
        origin: where the record came from (CSV file and line, folder).
        status: one of STATUSES.
        reason: why, for anything but 'ok'.
        output: normalised video, relative to the dataset root.
        source_split: the split the source dataset put the clip in
            (Kinetics: 'train' or 'validate'; '' where the source has none,
            as Let's Dance). The leak-free protocol reads it.
        split: 'train', 'val' or 'test' once split.
        split_rule: why the clip is in its split when a protocol rule, not
            the seeded draw, put it there (the manifest's ``split_rule``).
        augmented: offline-augmented copies (relative paths), train only.
    """
    dataset: str
    clip_id: str
    group: str
    original_label: str
    label: Optional[int]
    source: str = ''
    frames: List[str] = dataclasses.field(default_factory=list)
    fps: Optional[float] = None
    fps_rule: str = ''
    origin: str = ''
    status: str = 'ok'
    reason: str = ''
    output: str = ''
    source_split: str = ''
    split: str = ''
    split_rule: str = ''
    augmented: List[str] = dataclasses.field(default_factory=list)

    @property
    def key(self) -> str:
        """Unique across datasets."""
        return f'{self.dataset}/{self.clip_id}'

    def fail(self, status: str, reason: str) -> 'SourceClip':
        """Mark as skipped (status must be in STATUSES)."""
        assert status in STATUSES and status != 'ok', status
        self.status, self.reason = status, reason
        return self


def save_records(path: Union[str, Path], records: Iterable[SourceClip]) -> None:
    """Write records as JSON lines, atomically (a stage's hand-over file)."""
    text = ''.join(json.dumps(dataclasses.asdict(r), ensure_ascii=False) + '\n'
                   for r in records)
    write_text_atomic(path, text)


def load_records(path: Union[str, Path]) -> List[SourceClip]:
    """Read a stage's hand-over file."""
    records = []
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            if line.strip():
                records.append(SourceClip(**json.loads(line)))
    return records
