"""output: write_atomic replaces a file by rename and leaves nothing behind on failure; check_writable."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from s3tester.errors import EXIT_CONFIG, ConfigError
from s3tester.output import check_writable, write_atomic


def test_write_atomic_creates_parents_and_writes_utf8(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "results.json"
    write_atomic(target, "héllo ✓\n")
    assert target.read_bytes() == "héllo ✓\n".encode()
    assert [p.name for p in target.parent.iterdir()] == ["results.json"]


def test_write_atomic_replaces_by_rename_not_in_place(tmp_path: Path) -> None:
    """A reader holding the old file keeps seeing it whole: the new one is a new inode."""
    target = tmp_path / "golden.json"
    write_atomic(str(target), "old\n")
    old_inode = target.stat().st_ino
    with target.open(encoding="utf-8") as reader:
        write_atomic(target, "new and longer\n")
        assert reader.read() == "old\n"
    assert target.read_text(encoding="utf-8") == "new and longer\n"
    assert target.stat().st_ino != old_inode
    assert [p.name for p in tmp_path.iterdir()] == ["golden.json"]


def test_write_atomic_gives_the_file_the_umask_mode(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_atomic(tmp_path / "r.json", "{}\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    write_atomic(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "half written \udcff")  # a lone surrogate cannot be encoded
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]
    with pytest.raises(UnicodeEncodeError):
        write_atomic(tmp_path / "fresh.json", "\udcff")
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_check_writable_accepts_nothing_and_new_paths(tmp_path: Path) -> None:
    check_writable("--results", None)
    check_writable("--results", "-")
    with pytest.raises(ConfigError, match="empty"):
        check_writable("--results", "")
    check_writable("--results", str(tmp_path / "new" / "deeper" / "r.json"))
    (tmp_path / "r.json").write_text("old")
    check_writable("--results", str(tmp_path / "r.json"))
    assert not (tmp_path / "new").exists()  # checking creates nothing


def test_check_writable_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        check_writable("--output", str(tmp_path))
    assert str(info.value) == f"Invalid value for --output: '{tmp_path}' is a directory"
    assert info.value.exit_code == EXIT_CONFIG


def test_check_writable_refuses_a_path_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "sub" / "r.json"
    with pytest.raises(ConfigError) as info:
        check_writable("--results", str(target))
    assert str(info.value) == f"Invalid value for --results: cannot write '{target}': '{tmp_path / 'file'}' is not a directory"


def _unwritable_dir(tmp_path: Path) -> Path:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if not os.access(locked, os.W_OK):
        return locked
    locked.chmod(0o700)  # root writes anywhere: use a read-only mount if there is one
    for candidate in (Path("/proc/sys"), Path("/sys/fs")):
        if candidate.is_dir() and not os.access(candidate, os.W_OK | os.X_OK):
            return candidate
    pytest.skip("no directory this user cannot write")


def test_check_writable_refuses_an_unwritable_directory(tmp_path: Path) -> None:
    locked = _unwritable_dir(tmp_path)
    target = locked / "r.json"
    try:
        with pytest.raises(ConfigError) as info:
            check_writable("--results", str(target))
    finally:
        if locked.is_relative_to(tmp_path):
            locked.chmod(0o700)
    assert str(info.value) == f"Invalid value for --results: cannot write '{target}': '{locked}' is not writable"


# -- never replace what is not a regular file ----------------------------------------------

def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"


def test_a_device_is_streamed_to_not_replaced(tmp_path: Path) -> None:
    write_atomic("/dev/null", "anything\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    check_writable("--output", "/dev/null")


def test_a_fifo_is_streamed_to(tmp_path: Path) -> None:
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "through the pipe\n")
    reader.join(10)
    assert got == [b"through the pipe\n"] and stat.S_ISFIFO(fifo.stat().st_mode)


def test_dash_is_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_atomic("-", "to stdout\n")
    assert capsys.readouterr().out == "to stdout\n"
    check_writable("--output", "-")


def test_a_directory_is_refused_by_write_atomic_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        write_atomic(tmp_path, "x")


def test_a_socket_is_refused(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(ConfigError, match="not a regular file"):
            check_writable("--output", str(path))


def test_the_environment_variable_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"--results \(from S3TESTER_RESULTS\)"):
        check_writable("--results", str(tmp_path), env="S3TESTER_RESULTS")


def test_temporaries_are_backup_file_names(tmp_path: Path) -> None:
    from s3tester.output import temp_name

    name = temp_name(tmp_path / "v1.0.json").name
    assert name.startswith(".v1.0.json.") and name.endswith("~") and not name.endswith((".json", ".tmp"))


def test_outputs_must_differ_from_each_other_and_from_inputs(tmp_path: Path) -> None:
    from s3tester.output import check_distinct

    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "a.yaml").write_text("groups: []\n")
    out = str(tmp_path / "x.json")
    with pytest.raises(ConfigError, match="also the --output"):
        check_distinct({"--output": out, "--results": out})
    with pytest.raises(ConfigError, match="would overwrite the suite"):
        check_distinct({"--output": str(suite / "a.yaml")}, [("suite", str(suite))])
    single = tmp_path / "config.yaml"
    single.write_text("groups: []\n")
    with pytest.raises(ConfigError, match="would overwrite the suite"):
        check_distinct({"--output": str(single)}, [("suite", str(single))])
    check_distinct({"--output": "-", "--results": "-"})
    check_distinct({"--output": "/dev/null", "--results": "/dev/null"})
    check_distinct({"--output": out, "--results": str(tmp_path / "r.json")}, [("suite", str(suite))])
