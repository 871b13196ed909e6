"""Run by CI with the python of a fresh venv that has only the built wheel installed, from a
directory outside the checkout: the package must answer, brief and serve the web UI on its own
(templates and sample articles inside it)."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

rag = str(Path(sys.executable).with_name("rag"))
data = tempfile.mkdtemp(prefix="newsrag-wheel-")
env = os.environ | {"RAG_DATA_DIR": data, "COLUMNS": "120"}

asked = subprocess.run([rag, "ask", "What did Kirby say?", "--json"], env=env, capture_output=True, text=True, check=True)
answer = json.loads(asked.stdout)
assert not answer["abstained"] and "marriage of convenience" in answer["text"], answer["text"]
assert "sample articles" in asked.stderr and "/site-packages/rag/samples" in answer["citations"][0]["path"]

brief = subprocess.run([rag, "brief", "--json"], env=env, capture_output=True, text=True, check=True)
assert json.loads(brief.stdout)["text"].startswith("# Briefing")

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
server = subprocess.Popen([rag, "ui", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
try:
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            assert server.poll() is None and time.time() < deadline, "rag ui did not start"
            time.sleep(0.5)
    from gradio_client import Client

    result = Client(url, verbose=False).predict("What did Blinken say?", api_name="/chat")
    assert result["citations"] and "Blinken" in result["text"], result["text"]
finally:
    server.terminate()
    server.wait(timeout=30)
print("wheel smoke test: rag ask, rag brief and rag ui answered from the installed wheel")
