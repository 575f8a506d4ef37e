"""Make ``dance_style`` importable when a tool runs from a plain checkout.

``python tools/train.py`` puts ``tools/`` on sys.path, not the repo root;
with ``pip install -e .`` this is a no-op.
"""
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
