"""Measured speed, always as stock MMAction2 (or no pruning) against ours
in the same run: ``tools/benchmark.py --what train|infer|data|normalise|
pruning|timeline|serve`` (:mod:`.command`), one module per measurement;
and every config side by side, ``tools/compare_models.py``
(:mod:`.compare`). Results are JSON; docs/performance.md keeps the
figures. Nothing here is timed in a test.
"""
