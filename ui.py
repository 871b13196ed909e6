"""newsrag's web UI: `python ui.py` here, or `rag ui` anywhere. The app itself is rag/web/app.py."""

from rag.web import main

if __name__ == "__main__":
    main()
