"""Make ``dance_style`` importable when a stage script runs from a checkout
(``python data_prep/x.py`` puts data_prep/, not the repo root, on sys.path)."""
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
