# Two commands matter: `make demo` (set up + the main job) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo two-stream test test-fast clean-demo

# Re-run the install only when the pins change.
$(STAMP): requirements.txt pyproject.toml tools/setup_env.sh
	tools/setup_env.sh $(VENV)
	@touch $(STAMP)

install: $(STAMP)

# The main job on the embedded synthetic dataset (tools/demo.py --help).
demo: $(STAMP)
	$(PY) tools/demo.py

# Two-Stream I3D (RGB + optical flow) on the same synthetic data.
two-stream: $(STAMP)
	$(PY) tools/demo.py two-stream

# Every test, on every core (at most 4 workers, tests/conftest.py); each
# file runs on one worker. CI runs this.
# --no-loadscope-reorder keeps tests/conftest.py's order (longest files first)
PYTEST := $(PY) -m pytest -n auto --dist loadfile --no-loadscope-reorder
test: $(STAMP)
	$(PYTEST)

# The fast lane for development: everything but the tests marked slow
# (those that train, sweep or run whole pipelines); under 3 minutes.
test-fast: $(STAMP)
	$(PYTEST) -m "not slow"

clean-demo:
	rm -rf work_dirs/demo work_dirs/two_stream data/synthetic_raw data/synthetic_dance19
