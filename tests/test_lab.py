"""`workshop lab`: the learner's copy of the notebooks, a real JupyterLab on it (loopback, a token,
this Python as its kernel), stopped without leftovers, and a notebook run in headless Chromium."""

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import nbformat
import psutil  # installed with ipykernel
import pytest

from workshop.cli import main
from tests.conftest import terminal_signals
from workshop.errors import WorkshopError
from workshop.lessons.literate import KERNEL
from workshop.notebook_server import copy_notebooks, start
from workshop.tensorboard.server import LOOPBACK
from workshop.paths import logs_dir

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def write_notebook(path: Path, markdown: str, code: str) -> Path:
    """A two-cell notebook with the kernel spec the generated lessons carry (so no kernel dialog)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown),
                                                   nbformat.v4.new_code_cell(code)],
                                            metadata={"kernelspec": KERNEL}), path)
    return path


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project root of its own (WORKSHOP_HOME) whose notebooks/ holds a.ipynb."""
    root = tmp_path / "project"
    write_notebook(root / "notebooks" / "a.ipynb", "# Lesson A", "x = 1 + 1\nx")
    monkeypatch.setenv("WORKSHOP_HOME", str(root))
    return root


def test_copy_keeps_the_learners_edits_and_reset_replaces_them(project, capsys):
    source = project / "notebooks" / "a.ipynb"
    folder = copy_notebooks()
    assert folder == project / "lab" and (folder / "a.ipynb").read_bytes() == source.read_bytes()
    assert capsys.readouterr().out == ""  # nothing of the learner's was there

    write_notebook(folder / "a.ipynb", "# my notes", "x = 2")  # the learner's edit
    write_notebook(folder / "mine.ipynb", "# my own notebook", "pass")
    write_notebook(project / "notebooks" / "b.ipynb", "# Lesson B", "y = 3")  # a new lesson arrives
    copy_notebooks()
    out = capsys.readouterr().out
    assert "kept your copies of a.ipynb" in out and "--reset" in out and "b.ipynb" not in out
    assert "my notes" in (folder / "a.ipynb").read_text()
    assert (folder / "b.ipynb").read_bytes() == (project / "notebooks" / "b.ipynb").read_bytes()

    copy_notebooks(reset=True)
    assert "replacing your copies of a.ipynb" in capsys.readouterr().out
    assert (folder / "a.ipynb").read_bytes() == source.read_bytes()
    assert "my own notebook" in (folder / "mine.ipynb").read_text()  # not one of the package's: left alone


def test_copy_into_a_folder_of_ones_choice(project, tmp_path):
    folder = copy_notebooks(tmp_path / "elsewhere")
    assert sorted(p.name for p in folder.iterdir()) == ["a.ipynb"] and not (project / "lab").exists()


def test_missing_notebooks_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORKSHOP_HOME", str(tmp_path / "bare"))
    with pytest.raises(WorkshopError, match=r"python -m workshop\.lessons\.literate"):
        copy_notebooks()
    assert main(["lab", "--no-browser"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("workshop: error: no notebooks in ") and err.count("\n") == 1, err
    assert not (tmp_path / "bare" / "lab").exists()


def request(lab, path, data=None):
    """The JSON answer of JupyterLab's REST API at `path` (a POST when there is `data`), with the token."""
    headers = {"Authorization": f"token {lab.token}"}
    with urllib.request.urlopen(urllib.request.Request(lab.url + path, data=data, headers=headers), timeout=30) as r:
        return json.load(r)


def command_line(process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:  # it has ended meanwhile (a zombie has no command line)
        return []


def left_behind(pid, children) -> list:
    """What a stopped server left: live child processes, and its runtime file (a clean stop removes it)."""
    from jupyter_core.paths import jupyter_runtime_dir
    _, alive = psutil.wait_procs(children, timeout=10)
    return alive + [f for f in Path(jupyter_runtime_dir()).glob(f"jpserver-{pid}.json")]


@pytest.mark.slow
def test_server_serves_the_working_copy_on_loopback_with_a_token_only(project):
    with start(copy_notebooks(), port=0) as lab:  # port 0: a free one
        lab.wait_ready()
        server = psutil.Process(lab.process.pid)
        assert lab.url.startswith("http://127.0.0.1:") and len(lab.token) >= 32
        assert {c.laddr.ip for c in server.net_connections("inet") if c.status == psutil.CONN_LISTEN} == {LOOPBACK}
        assert lab.token not in " ".join(server.cmdline())  # `ps` shows the command line to every user

        assert [item["name"] for item in request(lab, "api/contents")["content"]] == ["a.ipynb"]
        with urllib.request.urlopen(lab.link("api/contents"), timeout=10) as r:  # the token in the URL works too
            assert r.status == 200
        for refused in (lab.url + "api/contents", lab.url + "api/contents?token=wrong"):
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(refused, timeout=10)
            assert answer.value.code == 403
    assert lab.process.poll() is not None and left_behind(server.pid, [server]) == []


@pytest.mark.slow
def test_lab_command_prints_the_link_runs_this_python_and_stops_cleanly_on_ctrl_c(project, tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "workshop", "lab", "--dir", str(tmp_path / "mine"),
                                "--port", "0", "--no-browser"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True,
                               preexec_fn=terminal_signals)
    try:
        first = process.stdout.readline()
        assert first.startswith("JupyterLab at http://127.0.0.1:") and "/lab?token=" in first, first
        link = first.split()[2]
        with urllib.request.urlopen(link, timeout=10) as page:  # the printed link opens the lab
            assert page.status == 200 and b"JupyterLab" in page.read()
        server = psutil.Process(process.pid).children()[0]
        lab = SimpleNamespace(url=link.split("lab?")[0], token=link.split("token=")[1])
        assert request(lab, "api/kernelspecs")["default"] == "python3"
        assert request(lab, "api/kernels", data=json.dumps({"name": "python3"}).encode())["name"] == "python3"
        children = [server, *server.children(recursive=True)]
        kernels = [p for p in children if "ipykernel_launcher" in command_line(p)]
        assert len(kernels) == 1 and Path(kernels[0].cmdline()[0]) == Path(sys.executable)  # this Python
        # %tensorboard in a notebook runs the `tensorboard` program: the kernel finds this venv's first
        assert kernels[0].environ()["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: to the whole process group
        assert process.wait(timeout=30) == 0
        assert "JupyterLab stopped" in process.stdout.read()
        assert left_behind(server.pid, children) == []  # the server, its kernel, its runtime file
        assert (tmp_path / "mine" / "a.ipynb").is_file() and not (project / "lab").exists()
    finally:
        if process.poll() is None:  # it failed: end the command and its JupyterLab (one process group)
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.browser
def test_a_notebook_opens_and_runs_in_a_real_browser(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright
    folder = tmp_path / "lab"
    write_notebook(folder / "hello.ipynb", "# Hello from the workshop", "total = sum(range(10))\ntotal")
    shot = tmp_path / "jupyterlab.png"
    with start(folder, port=0) as lab, sync_playwright() as p:
        lab.wait_ready()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(60_000)  # a bound for a busy machine: it takes a few seconds
            page.goto(lab.link("lab/tree/hello.ipynb"))
            page.locator(".jp-Notebook .jp-RenderedMarkdown h1", has_text="Hello from the workshop").wait_for()
            # JupyterLab renders a notebook's cells one after the other: the second may follow the first a moment later
            expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(2, timeout=30_000)
            page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for()  # its kernel is up
            output = page.locator(".jp-OutputArea-output", has_text="45")
            for attempt in range(3):  # a key pressed while a busy machine's JupyterLab still settles can be lost
                page.locator(".jp-Notebook .jp-CodeCell").first.click()
                page.keyboard.press("Shift+Enter")  # run the code cell on the kernel
                try:
                    output.first.wait_for(timeout=20_000)
                    break
                except PlaywrightTimeout:
                    if attempt == 2:
                        raise
            page.screenshot(path=str(shot))
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000
    copy = logs_dir() / "screenshots" / "jupyterlab.png"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, copy)
