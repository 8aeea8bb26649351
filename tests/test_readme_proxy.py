"""The "Proxy and drift" page's commands (docs/proxy-and-drift.md), run as written.

Only the upstream changes: Callr's URL becomes a fake on loopback that disagrees with our
spec (no test sends traffic anywhere else), the port a free one, and the harness waits
for the proxy to listen before the next line (a user types them one by one).
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
from pathlib import Path

from callr_mock.contract.spec import load_spec

from tests.fake_upstream import FakeUpstream

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "proxy-and-drift.md"


def readme_blocks() -> list[str]:
    """The page's bash blocks (the proxy, spec diff commands), in order."""
    return re.findall(r"```bash\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_proxy_commands_of_the_readme_run(tmp_path: Path) -> None:
    block = readme_blocks()[0]
    assert "https://api.callr.com/v2.0" in block
    port = str(_free_port())
    with FakeUpstream() as fake:
        text = block.replace("https://api.callr.com/v2.0", fake.url + "/v2.0")
        lines = text.replace("4011", port).splitlines()
        wait = f"until curl -s -o /dev/null http://127.0.0.1:{port}/_mock/drift; do sleep 0.1; done"
        # the proxy never outlives the script, even when a line fails
        script = "\n".join(["set -e", "trap 'kill %1 2>/dev/null || true' EXIT", lines[0], wait])
        script = "\n".join([script, *lines[1:], "wait"])
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": _path(), "CALLR_API_KEY": "users-real-key", "HOME": str(tmp_path)},
        )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # curl prints no newline: the ping answer and the report share a line
    report, _ = json.JSONDecoder().raw_decode(out[out.index('{"spec"') :])
    assert report["exchanges"] == 1
    assert report["findings"][0]["pointer"] == "body/time"  # the fake's date without fraction
    assert "1 exchange(s), 1 finding(s)" in out  # the summary printed on stop
    assert "| `ping` | response 200 `body/time` | pattern |" in out  # markdown, from disk
    recorded = "".join(p.read_text() for p in (tmp_path / "callr-exchanges").glob("*.json"))
    assert "users-real-key" not in recorded
    assert fake.received[0].headers["x-api-key"] == "users-real-key"


def test_the_spec_diff_commands_of_the_readme_run(tmp_path: Path) -> None:
    block = readme_blocks()[1]
    theirs = load_spec()
    theirs["components"]["schemas"]["ScenarioCreate"]["required"] = ["name"]  # was confirmed
    (tmp_path / "openapi.json").write_text(json.dumps(theirs))
    (tmp_path / "spec").mkdir()
    shutil.copy(ROOT / "spec" / "callr-v2.yaml", tmp_path / "spec" / "callr-v2.yaml")
    for line in block.strip().splitlines():
        result = subprocess.run(
            ["bash", "-c", line],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": _path(), "HOME": str(tmp_path)},
        )
        assert result.returncode == 1, (line, result.stderr)
    assert "required-removed" in (tmp_path / "spec-diff.md").read_text()


def _path() -> str:
    import os
    import sys

    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
