"""Processes of launched servers: free ports, finding programs, their env, groups, signals."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from s3tester.servers import process
from s3tester.servers.process import (
    HOST,
    SigtermRaises,
    find_executable,
    free_ports,
    server_env,
    signal_group,
    with_parent_death_signal,
)
from s3tester.servers.profiles import LaunchSpec


def program(path: Path, executable: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755 if executable else 0o644)
    return path


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = free_ports(6)
    assert len(ports) == 6 and len(set(ports)) == 6
    assert all(1024 < p < 65536 for p in ports)
    with socket.socket() as sock:
        sock.bind((HOST, ports[0]))  # free right now: closed again after picking
    assert free_ports(0) == []


def test_a_path_is_taken_as_is_if_executable(tmp_path: Path) -> None:
    spec = LaunchSpec(command=["x"])
    exe = program(tmp_path / "run-me")
    assert find_executable(str(exe), spec, "v") == str(exe)
    plain = program(tmp_path / "not-me", executable=False)
    assert find_executable(str(plain), spec, "v") is None
    assert find_executable(str(tmp_path / "absent"), spec, "v") is None


def test_search_order_tools_bin_node_modules_venv_then_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools, on_path = tmp_path / "tools", tmp_path / "path"
    monkeypatch.setenv("S3TESTER_TOOLS_DIR", str(tools))
    monkeypatch.setenv("PATH", str(on_path))
    spec = LaunchSpec(command=["srv"])
    assert find_executable("srv", spec, "vend") is None
    via_path = program(on_path / "srv")
    assert find_executable("srv", spec, "vend") == str(via_path)
    node = program(tools / "vend" / "node_modules" / ".bin" / "srv")
    assert find_executable("srv", spec, "vend") == str(node)
    own = program(tools / "vend" / "bin" / "srv")
    assert find_executable("srv", spec, "vend") == str(own)
    program(tools / "other" / "bin" / "srv", executable=False)  # not executable: skipped
    assert find_executable("srv", LaunchSpec(command=["srv"], tools_subdir="other"), "vend") == str(via_path)
    venv_python = Path(sys.executable).parent / "python"
    program(on_path / "python")
    assert find_executable("python", spec, "vend") == str(venv_python)  # the venv before PATH


def test_server_env_drops_the_users_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "mine")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "my-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "my-token")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("KEEP_ME", "1")
    env = server_env({"EXTRA": "x", "KEEP_ME": "2"})
    assert not set(process.PRIVATE_ENV) & set(env)
    assert (env["AWS_REGION"], env["EXTRA"], env["KEEP_ME"]) == ("eu-west-1", "x", "2")
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "my-secret"  # ours is left alone
    assert server_env({"AWS_ACCESS_KEY_ID": "for-the-server"})["AWS_ACCESS_KEY_ID"] == "for-the-server"



def test_launch_command_expands_resolves_and_sets_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("S3TESTER_TOOLS_DIR", str(tmp_path / "tools"))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "my-secret")
    srv = program(tmp_path / "tools" / "vend" / "bin" / "srv")
    spec = LaunchSpec(command=["srv", "-p", "{port}"], env={"SECRET": "{cred.main.secret_key}"})

    def expand(text: str, secrets: bool) -> str:
        return text.replace("{port}", "9000").replace("{cred.main.secret_key}", "s3cr3t" if secrets else "?")

    found = process.launch_command(spec.command, spec, "vend", tmp_path, expand)
    assert found is not None
    argv, keywords = found
    assert argv == [str(srv), "-p", "9000"]
    assert keywords["cwd"] == tmp_path and keywords["stdin"] == subprocess.DEVNULL
    assert keywords["env"]["SECRET"] == "s3cr3t" and "AWS_SECRET_ACCESS_KEY" not in keywords["env"]
    assert process.launch_command(["s3tester-no-such-tool"], spec, "vend", tmp_path, expand) is None

@pytest.mark.skipif(sys.platform != "linux" or not shutil.which("setpriv"), reason="needs Linux and setpriv")
def test_parent_death_signal_wraps_with_setpriv_on_any_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any thread: `spawn` forks from a thread that lives as long as the process."""
    monkeypatch.delenv("S3TESTER_NO_PDEATHSIG", raising=False)
    assert with_parent_death_signal(["srv", "-p", "1"]) == [
        shutil.which("setpriv"), "--pdeathsig", "TERM", "--", "srv", "-p", "1"
    ]
    from_worker: list[list[str]] = []
    worker = threading.Thread(target=lambda: from_worker.append(with_parent_death_signal(["srv"])))
    worker.start()
    worker.join()
    assert from_worker == [[shutil.which("setpriv"), "--pdeathsig", "TERM", "--", "srv"]]
    monkeypatch.setenv("S3TESTER_NO_PDEATHSIG", "1")
    assert with_parent_death_signal(["srv"]) == ["srv"]


def test_parent_death_signal_is_skipped_without_linux_or_setpriv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("S3TESTER_NO_PDEATHSIG", raising=False)
    monkeypatch.setattr(process.shutil, "which", lambda name: None)
    assert with_parent_death_signal(["srv"]) == ["srv"]
    monkeypatch.setattr(process.shutil, "which", lambda name: "/usr/bin/setpriv")
    monkeypatch.setattr(process.sys, "platform", "darwin")
    assert with_parent_death_signal(["srv"]) == ["srv"]


def test_sigterm_raises_system_exit_143_while_active() -> None:
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        pytest.skip("SIGTERM already has a handler here")
    guard = SigtermRaises()
    with guard:
        assert guard.active and signal.getsignal(signal.SIGTERM) == SigtermRaises._raise
        with pytest.raises(SystemExit) as info:
            os.kill(os.getpid(), signal.SIGTERM)
        assert info.value.code == 143
        guard.stopping()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    assert not guard.active and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_sigterm_leaves_an_applications_own_handler_alone() -> None:
    def own(signum: int, frame: object) -> None:
        pass

    previous = signal.signal(signal.SIGTERM, own)
    try:
        with SigtermRaises() as guard:
            assert not guard.active
            guard.stopping()
            assert signal.getsignal(signal.SIGTERM) is own
        assert signal.getsignal(signal.SIGTERM) is own
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_signal_group_reaches_the_group_and_ignores_a_gone_one() -> None:
    proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        signal_group(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    signal_group(proc.pid, signal.SIGKILL)  # reaped: no such group, and no error
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)


def _child_dies_with_a_sigkilled_parent(script: str, settle: float, why: str) -> None:
    """Run `script` (it prints its child's pid, then sleeps); after `settle` seconds the child
    must be alive; once the parent is SIGKILLed, it must be gone within 10 s."""
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        time.sleep(settle)
        assert _alive(child), why
        parent.kill()
        parent.wait(10)
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "the child outlived its SIGKILLed parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(sys.platform != "linux" or shutil.which("setpriv") is None, reason="parent-death signal: Linux + setpriv")
def test_a_server_spawned_from_a_worker_thread_dies_with_a_sigkilled_parent(tmp_path: Path) -> None:
    """The worker thread that started it ends first: the server lives on; then the parent
    is SIGKILLed: the server goes too (no orphan)."""
    script = (
        "import threading, time\n"
        "from s3tester.servers.process import spawn\n"
        "box = []\n"
        "t = threading.Thread(target=lambda: box.append(spawn(['sleep', '60'], start_new_session=True)))\n"
        "t.start(); t.join()\n"
        "print(box[0].pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    _child_dies_with_a_sigkilled_parent(script, settle=0.5, why="the server died with the worker thread that started it")


@pytest.mark.skipif(sys.platform != "linux", reason="prctl(PR_SET_PDEATHSIG)")
def test_s3tester_dies_with_its_parent_when_asked(tmp_path: Path) -> None:
    """S3T_DIE_WITH_PARENT=1 (set by the test suite): a killed parent takes s3tester along."""
    script = (
        "import os, subprocess, sys, time\n"
        "env = dict(os.environ, S3T_DIE_WITH_PARENT='1')\n"
        "child = subprocess.Popen([sys.executable, '-c', 'from s3tester.servers.process import die_with_parent; "
        "import time; assert die_with_parent(); time.sleep(60)'], env=env)\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    _child_dies_with_a_sigkilled_parent(script, settle=1.0, why="s3tester died before its parent")
