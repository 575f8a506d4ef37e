"""Readable segments from a timeline's window scores.

Merging consecutive windows with the same top style (``min_seconds=0``,
``unsure_below=0``, ``switch_penalty=0``) reads every flicker of the top
style as a change of style: on a real 70 s video of one dancer the web page
showed 15 segments, most of them 1-5 s long, alternating between two
styles. Three rules make segments a person can read:

* **switch penalty** (hysteresis): the windows' labels are the sequence
  that best agrees with their scores when every change of label costs
  ``switch_penalty`` (:func:`steady_labels`); a stretch of windows becomes
  a segment of another style only when it favours that style by more than
  the cost, so one flickering window changes nothing, while a long stretch
  of a new style does, however it starts;
* **unsure**: a window whose top probability is below ``unsure_below`` is
  labelled ``unsure`` (label :data:`UNSURE`) instead of a style (with a
  switch penalty, ``unsure`` is one more label, of that probability);
* **minimum length**: a segment shorter than ``min_seconds`` is given to
  the neighbouring style that the scores of its own windows favour (the
  neighbour with the higher mean probability over them), the shortest
  first, until none is left that has a style beside it. A segment is never
  given to ``unsure``: a short confident stretch between unsure ones
  stays, and a single segment stays whatever its length.

All are settings of the timeline, chosen on validation videos
(``tools/tune_timeline.py``), never on the video being read.
"""
from typing import List, Sequence, Tuple

import numpy as np

UNSURE = -1  # the label of the windows below the probability threshold
UNSURE_NAME = 'unsure'


def window_labels(scores: np.ndarray, unsure_below: float = 0.0
                  ) -> np.ndarray:
    """Each window's top label, or :data:`UNSURE` where its top probability
    is below ``unsure_below``."""
    labels = scores.argmax(1).astype(int)
    if unsure_below > 0:
        labels[scores.max(1) < unsure_below] = UNSURE
    return labels


def steady_labels(scores: np.ndarray, seconds: np.ndarray,
                  switch_penalty: float, unsure_below: float = 0.0
                  ) -> np.ndarray:
    """The windows' labels that maximise the sum over windows of
    ``seconds`` x log(probability of the window's label), less
    ``switch_penalty`` for every change of label (a Viterbi pass over a
    chain whose only transition cost is the penalty).

    ``seconds``: the time each window stands for (:func:`window_spans`), so
    that the penalty is in log-probability-seconds and means the same at
    any stride. Where ``unsure_below`` > 0, :data:`UNSURE` is one more
    label whose probability is ``unsure_below`` in every window. With no
    penalty this is :func:`window_labels`. Written out because it is 15
    lines of numpy: no pinned dependency has it (librosa's viterbi would
    bring an audio stack along).
    """
    if switch_penalty <= 0:
        return window_labels(scores, unsure_below)
    states = scores
    if unsure_below > 0:
        states = np.concatenate(
            [scores, np.full((len(scores), 1), unsure_below)], axis=1)
    gain = (np.asarray(seconds, dtype=np.float64)[:, None] *
            np.log(np.maximum(states, 1e-12)))
    n, k = gain.shape
    total = gain[0].copy()  # the best path's gain ending in each label
    came_from = np.empty((n, k), dtype=int)
    for i in range(1, n):
        best = int(np.argmax(total))
        switch = total[best] - switch_penalty
        move = switch > total  # a tie stays: no change without a gain
        came_from[i] = np.where(move, best, np.arange(k))
        total = np.where(move, switch, total) + gain[i]
    labels = np.empty(n, dtype=int)
    labels[-1] = int(np.argmax(total))
    for i in range(n - 1, 0, -1):
        labels[i - 1] = came_from[i, labels[i]]
    labels[labels == scores.shape[1]] = UNSURE
    return labels


def runs(labels: Sequence[int]) -> List[Tuple[int, int]]:
    """``(first, last)`` window indices of each run of one label."""
    out: List[Tuple[int, int]] = []
    for i, label in enumerate(labels):
        if out and labels[out[-1][0]] == label:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


def absorb_short(labels: np.ndarray, scores: np.ndarray,
                 spans: np.ndarray, min_seconds: float) -> np.ndarray:
    """``labels`` with every run shorter than ``min_seconds`` (its windows'
    ``spans``, begin and end in seconds) relabelled to a neighbour's
    label, the shortest run first (module docstring)."""
    labels = labels.copy()
    if min_seconds <= 0:
        return labels
    while True:
        found = runs(labels)
        short = []  # (length, run index, labels it may take)
        for index, (first, last) in enumerate(found):
            length = spans[last, 1] - spans[first, 0]
            if length >= min_seconds:
                continue
            neighbours = {int(labels[found[j][0]])
                          for j in (index - 1, index + 1)
                          if 0 <= j < len(found)}
            targets = neighbours - {UNSURE}
            if targets:
                short.append((length, index, targets))
        if not short:
            return labels
        _, index, targets = min(short, key=lambda row: row[:2])
        first, last = found[index]
        favour = scores[first:last + 1].mean(0)
        labels[first:last + 1] = max(sorted(targets),
                                     key=lambda n: favour[n])


def window_spans(starts: Sequence[float], window_seconds: float,
                 duration: float) -> np.ndarray:
    """The time each window stands for: from the midpoint between its
    centre and the previous one's to the midpoint with the next one's; the
    first from 0, the last to ``duration``."""
    centres = np.minimum(np.asarray(starts, float) + window_seconds / 2,
                         duration)
    mids = (centres[1:] + centres[:-1]) / 2
    begin = np.concatenate([[0.0], mids])
    end = np.concatenate([mids, [duration]])
    return np.stack([begin, end], axis=1)


def segments(labels: np.ndarray, scores: np.ndarray, spans: np.ndarray,
             class_names: Sequence[str]) -> List[dict]:
    """``start``, ``end`` (s), ``label``, ``style`` and ``probability``
    (the mean over its windows of the style's probability; of the top
    probability for ``unsure``) of each run of ``labels``."""
    out = []
    for first, last in runs(labels):
        label = int(labels[first])
        window = scores[first:last + 1]
        probs = window.max(1) if label == UNSURE else window[:, label]
        out.append(dict(
            start=round(float(spans[first, 0]), 3),
            end=round(float(spans[last, 1]), 3), label=label,
            style=UNSURE_NAME if label == UNSURE else class_names[label],
            probability=float(np.mean(probs))))
    return out
