"""Run one function over many tasks: in-process or in worker processes,
with a progress bar, results handed back as they finish."""
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, List


def _init_worker() -> None:
    # one process per core already; OpenCV's own pool would oversubscribe
    import cv2
    cv2.setNumThreads(1)


def run_tasks(function: Callable[[dict], dict], tasks: List[dict],
              on_result: Callable[[dict], None], workers: int = 1,
              desc: str = '', progress: bool = True) -> None:
    """Call ``function(task)`` for every task and ``on_result`` with each
    result, in completion order.

    ``function`` must be a module-level function taking and returning plain
    data (picklable). With ``workers > 1`` tasks run in spawned processes
    (safe next to torch's threads; each pays the package import once), in a
    ``ProcessPoolExecutor``, so a worker that dies raises here instead of
    hanging the run; pending tasks are cancelled on any error or Ctrl-C.
    """
    from tqdm import tqdm
    bar = tqdm(total=len(tasks), desc=desc, unit='clip', disable=not progress)
    try:
        if workers <= 1 or len(tasks) <= 1:
            for task in tasks:
                on_result(function(task))
                bar.update()
            return
        with ProcessPoolExecutor(min(workers, len(tasks)),
                                 mp_context=mp.get_context('spawn'),
                                 initializer=_init_worker) as pool:
            futures = [pool.submit(function, task) for task in tasks]
            try:
                for future in as_completed(futures):
                    on_result(future.result())
                    bar.update()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        bar.close()

