"""The wheel holds everything: installed in a fresh venv outside the checkout, Studio serves
its pages with their assets (map colours, story scroll, CSS) from `studio.wsgi:app`.

Slow (builds a wheel, makes a venv): run in CI. Dependencies are not downloaded: the fresh
venv sees this venv's site-packages through a `.pth` line (which does not load the editable
install's hooks), and the wheel is installed with `--no-deps --no-index`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "packaging test password 42"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("pkg")
    # build from a copy: setuptools' build/ folder in the checkout could slip stale files
    # into later wheels, and the test should not write into the checkout
    source = base / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "*.egg-info", "__pycache__", "instance", ".cache",
            ".hypothesis", ".pytest_cache", "tests",
        ),
    )
    wheels = base / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("studio-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # this venv's dependencies, as a plain path (its .pth files, e.g. the editable
    # install pointing at the checkout, are not processed)
    Path(purelib, "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = base / "elsewhere"  # not the checkout: `./studio` cannot shadow the install
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "STUDIO_"))}
    env.update(
        STUDIO_INSTANCE=str(base / "instance"),
        STUDIO_SECRET_KEY="k" * 48,
        STUDIO_ADMIN_EMAIL="admin@example.org",
        STUDIO_ADMIN_PASSWORD=PASSWORD,
    )
    subprocess.run(
        [str(venv / "bin" / "studio"), "init"], cwd=elsewhere, env=env, check=True,
        capture_output=True,
    )
    return {"venv": venv, "python": python, "cwd": elsewhere, "wheel": wheel, "env": env}


CHECK = r"""
import json, re, sys
import studio
from studio.wsgi import app

client = app.test_client()
page = client.get("/login").get_data(as_text=True)
token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
signed = client.post("/login", data={"email": "admin@example.org", "password": sys.argv[1],
                                     "csrf_token": token})
index = client.get("/", headers={"Sec-Fetch-Site": "same-origin"}).get_data(as_text=True)
urls = sorted(set(re.findall(r'"(/assets/[^"?]+)(?:\?[^"]*)?"', index)))
served = {u: client.get(u).get_data() .decode("utf-8") for u in urls}
print(json.dumps({"file": studio.__file__, "signed": signed.status_code, "urls": urls,
                  "served": served}))
"""


def test_wheel_holds_the_assets_and_the_wsgi_entry(installed: dict[str, Any]) -> None:
    import zipfile

    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for asset in (ROOT / "studio" / "assets").iterdir():
        assert f"studio/assets/{asset.name}" in names
    assert {"studio/wsgi.py", "studio/templates/login.html", "studio/pages/home.py"} <= names


def test_installed_app_serves_its_assets_from_any_folder(installed: dict[str, Any]) -> None:
    out = subprocess.run(
        [str(installed["python"]), "-c", CHECK, PASSWORD],
        cwd=installed["cwd"],
        env=installed["env"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["file"].startswith(str(installed["venv"]))  # the installed copy, not ROOT
    assert result["signed"] == 302
    for name in ("studio_maps.js", "story_scroll.js", "studio.css"):
        url = f"/assets/{name}"
        assert url in result["urls"], result["urls"]
        assert result["served"][url] == (ROOT / "studio" / "assets" / name).read_text()
    assert "window.studioMaps" in result["served"]["/assets/studio_maps.js"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_studio_wsgi_app_from_any_folder(installed: dict[str, Any]) -> None:
    probe = subprocess.run([str(installed["python"]), "-c", "import gunicorn"], check=False)
    if probe.returncode:
        pytest.skip("gunicorn is not installed (pip install gunicorn)")
    port = _free_port()
    proc = subprocess.Popen(
        [str(installed["python"]), "-m", "gunicorn", "--workers", "1", "--bind",
         f"127.0.0.1:{port}", "studio.wsgi:app"],
        cwd=installed["cwd"],
        env=installed["env"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/assets/studio_maps.js") as r:
            body = r.read().decode()
        assert body == (ROOT / "studio" / "assets" / "studio_maps.js").read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as r:
            assert re.search(r'name="csrf_token"', r.read().decode())
    finally:
        proc.terminate()
        proc.wait(timeout=20)
