"""`quorum serve` really listens on 127.0.0.1:QUORUM_PORT and answers /healthz."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests import services


def test_serve_listens_on_loopback_port(tmp_path: Path):
    port = services.free_port()
    env = {
        **os.environ,
        "QUORUM_INSTANCE_PATH": str(tmp_path),
        "QUORUM_PORT": str(port),
        "QUORUM_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "QUORUM_REDIS_URL": "",
    }
    quorum = str(Path(sys.executable).parent / "quorum")
    subprocess.run([quorum, "db", "upgrade"], env=env, check=True, capture_output=True)
    server = subprocess.Popen([quorum, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert json.load(response) == {"status": "ok"}
                    break
            except OSError:
                assert time.monotonic() < deadline, "quorum serve did not answer within 30 s"
                assert server.poll() is None, "quorum serve exited"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=10)
