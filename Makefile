# Two commands matter: `make demo` (set up + the main job) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo two-stream test clean-demo

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

test: $(STAMP)
	$(PY) -m pytest

clean-demo:
	rm -rf work_dirs/demo work_dirs/two_stream data/synthetic_raw data/synthetic_dance19
