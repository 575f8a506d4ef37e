"""Hyper-parameter search with Optuna (``tools/sweep.py``).

``space`` reads the search-space file, ``study`` runs trials (real training
runs through :func:`dance_style.train.train`), ``hook`` reports each
epoch's validation accuracy for pruning, ``storage`` opens the study's
database, ``workers`` starts parallel worker processes and ``report``
writes the best config, tables and plots.

Optuna itself is imported only inside functions: ``import dance_style``
(every config's custom_imports) must stay light.
"""
