"""Run an iterator in a thread, a bounded number of items ahead of its
consumer: the timeline's decoder works while the model scores the last
window (FFmpeg's decoding and scaling release the GIL, as torch's operators
do).

The standard library's ``concurrent.futures`` maps over a known list and
``queue.Queue`` alone does not stop the producer, pass on its exception or
close what it reads; this class does those three, and nothing else.
"""
import queue
import threading
from typing import Iterable, Iterator, TypeVar

T = TypeVar('T')

_ITEM, _END, _ERROR = 'item', 'end', 'error'
_POLL_S = 0.1  # how soon a stopped producer notices while the queue is full


class ReadAhead(Iterator[T]):
    """Iterate ``items`` in a thread, at most ``max_items`` ahead.

    The producer's exception is raised to the consumer at the point it
    occurred in the sequence, as the same object. :meth:`close` (also on
    ``with`` exit) stops the producer, waits for it, and closes ``items``
    in the producer's thread, so a file the iterator holds is closed when
    ``close`` returns. Memory: ``max_items`` items in the queue, plus the
    one the producer is making.
    """

    def __init__(self, items: Iterable[T], max_items: int):
        if max_items < 1:
            raise ValueError(f'max_items must be at least 1, not {max_items}')
        self._queue: queue.Queue = queue.Queue(maxsize=max_items)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._produce,
                                        args=(iter(items), ),
                                        name='read-ahead', daemon=True)
        self._thread.start()

    def _put(self, entry) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, items: Iterator[T]) -> None:
        try:
            for item in items:
                if not self._put((_ITEM, item)):
                    return
            self._put((_END, None))
        except BaseException as error:  # the consumer raises it
            self._put((_ERROR, error))
        finally:
            close = getattr(items, 'close', None)
            if close is not None:
                close()

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        kind, value = self._queue.get()
        if kind == _ITEM:
            return value
        self._done = True
        self._thread.join()
        if kind == _ERROR:
            raise value
        raise StopIteration

    def close(self) -> None:
        """Stop the producer and wait until it has closed its iterator."""
        self._done = True
        self._stop.set()
        while self._thread.is_alive():
            try:  # make room, so a producer blocked on a full queue sees it
                self._queue.get(timeout=_POLL_S)
            except queue.Empty:
                pass
        self._thread.join()

    def __enter__(self) -> 'ReadAhead[T]':
        return self

    def __exit__(self, *exc) -> None:
        self.close()
