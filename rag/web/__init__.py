"""The web UI (Gradio) over the public `rag` API: app.py builds and serves it, render.py makes
its HTML. `rag ui` and `python ui.py` call main()."""

from .app import build, main

__all__ = ["build", "main"]
