# Two commands matter: `make demo` (set up + the main job) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo two-stream test clean-demo

# Re-run the install only when the pins change.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml tools/setup_env.sh
	tools/setup_env.sh $(VENV) requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	PYTHON=$(abspath $(PY)) tools/run_demo.sh

# Two-Stream I3D (RGB + optical flow) on the same synthetic data.
two-stream: $(STAMP)
	PYTHON=$(abspath $(PY)) tools/run_two_stream_demo.sh

test: $(STAMP)
	$(PY) -m pytest

clean-demo:
	rm -rf work_dirs/demo work_dirs/two_stream data/synthetic_raw data/synthetic_dance19
