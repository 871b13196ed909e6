"""The web UI (Gradio) over the `rag` API: app.py builds and serves it from its tabs (ask_tab.py,
library_tab.py; the briefing's view in briefing_view.py), render.py makes the answers' and
sources' HTML, session.py/conversations.py keep conversations per browser, endpoints.py the
endpoints a user adds, requests.py what every event does with a request. `rag ui` and
`python ui.py` call main()."""

from .app import build, main

__all__ = ["build", "main"]
