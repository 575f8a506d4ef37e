# Two commands matter: `make demo` (set up + the main job) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo two-stream test test-fast test-avx2 clean-demo

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
# --no-loadscope-reorder keeps tests/support/slow.py's order (files with the
# most slow tests first); --durations=15 lists the slowest steps, where to
# look when the suite grows
PYTEST := $(PY) -m pytest -n auto --dist loadfile --no-loadscope-reorder \
	--durations=15
test: $(STAMP)
	$(PYTEST)

# The fast lane for development: everything but the tests marked slow
# (those that train, sweep or run whole pipelines); its time: docs/development.md.
test-fast: $(STAMP)
	$(PYTEST) -m "not slow"

# The numerics subset again with oneDNN limited to AVX2, the kernel path of
# CPUs without AVX-512 that the developers' AMD EPYC (AVX512-BF16) never
# takes: the bf16 check, a short training stopped by a NaN, the backbones'
# forward and backward passes. CI runs it before make test. The tests marked
# kernel_free (an injected NaN, a record's fields) check code that takes
# no other path under AVX2, and stay out.
NUMERICS_TESTS := tests/test_precision.py tests/test_resnet3d.py \
	tests/test_inception_i3d.py
test-avx2: $(STAMP)
	ONEDNN_MAX_CPU_ISA=AVX2 $(PYTEST) -m "not kernel_free" $(NUMERICS_TESTS)

clean-demo:
	rm -rf work_dirs/demo work_dirs/two_stream data/synthetic_raw data/synthetic_dance19
