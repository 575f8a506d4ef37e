"""The web page of ``tools/serve.py``: upload a video, see its styles."""
