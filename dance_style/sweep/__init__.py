"""Hyper-parameter search with Optuna (``tools/sweep.py``).

``command`` is the sweep command (flags, workers, report), ``space`` reads
the search-space file, ``study`` runs trials (real training runs through
:func:`dance_style.train.train`), ``hook`` reports each epoch's validation
accuracy for pruning, ``storage`` opens the study's database, ``workers``
starts parallel worker processes and ``report`` writes the best config,
tables and plots.

Optuna itself is imported only inside functions: ``hook`` is registered by
every config's custom_imports (``dance_style.register``), which must not
need the optional ``sweep`` extra.
"""
