"""The README is a manual: every command in it works as written, its Design section names
every module, and commit hashes appear only in the "Measured at" notes of its tables."""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from jobs import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def commands() -> list[list[str]]:
    """Each command line of the README's ``sh`` blocks as argv: comments and shell redirections
    dropped, a crontab line reduced to its command, commands of other programs left out."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            argv = shlex.split(line, comments=True)
            while "&&" in argv:
                argv = argv[argv.index("&&") + 1 :]
            for i, token in enumerate(argv):
                if token in (">", ">>", "|") or token.startswith("2>"):
                    argv = argv[:i]
                    break
            if argv and (argv[0] == "make" or argv[0].startswith(".venv/bin/")):
                found.append(argv)
    return found


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, re.S)


def test_the_readme_shows_the_commands_a_user_needs() -> None:
    shown = {" ".join(argv[:2]) for argv in commands()}
    assert {"make backfill", "make test", "make scrape", "make schedule", "make demo"} <= shown
    programs = {argv[0] for argv in commands()}
    assert programs == {"make", ".venv/bin/news-archive", ".venv/bin/python"}
    subcommands = {argv[1] for argv in commands() if argv[0].endswith("news-archive")}
    assert {"backfill", "extract", "compact", "scrape", "reprocess", "status"} <= subcommands


def test_every_command_parses() -> None:
    targets = set(re.findall(r"^([\w.-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    for argv in commands():
        if argv[0] == "make":
            assert all(t in targets for t in argv[1:] if "=" not in t), argv
        elif argv[0].endswith("news-archive"):
            try:
                cli._parser().parse_args(argv[1:], namespace=argparse.Namespace(**cli.LOG_DEFAULTS))
            except SystemExit as exc:  # --help and --version exit, with 0
                assert exc.code == 0 and {"--help", "--version"} & set(argv), argv
        else:
            assert argv[1] == "-c", argv
            compile(argv[2], "README", "exec")
    for code in python_blocks():
        compile(code, "README", "exec")


def _cheap(argv: list[str]) -> bool:
    """Runs in seconds without a network, a demo archive or a terminal: these the test runs."""
    if argv[0] == ".venv/bin/python":
        return True
    if not argv[0].endswith("news-archive"):
        return False
    return "--help" in argv or (
        argv[1] in ("extract", "backfill", "compact", "status") and "--source" not in argv
    )


@pytest.mark.slow
def test_the_cheap_commands_run_as_written(tmp_path: Path) -> None:
    """In a directory with the seeds and an archive made by ``news-archive backfill seeds``."""
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    runs = [argv for argv in commands() if _cheap(argv)]
    assert len(runs) >= 8
    first = [str(BIN / "news-archive"), "backfill", "seeds"]
    for argv in [first, *runs]:
        argv = [
            str(BIN / argv[0].removeprefix(".venv/bin/")) if argv[0].startswith(".venv") else argv[0],
            *argv[1:],
        ]
        result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, (argv, result.stdout[-1000:], result.stderr[-2000:])
        if argv[0].endswith("python"):
            assert "articles" in result.stdout and "example-news.test" in result.stdout  # a seed site
    assert (tmp_path / "status.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "coverage.png").read_bytes()[:4] == b"\x89PNG"
    for code in python_blocks():
        result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]


def test_the_design_section_names_every_module() -> None:
    design = README[README.index("## Design") :]
    for package in ("etl", "jobs"):
        for module in sorted((ROOT / package).rglob("*.py")):
            if module.stem not in ("__init__", "__main__"):
                assert f"`{module.stem}`" in design, (
                    f"{module.relative_to(ROOT)} is not in the README's Design section"
                )


def test_commit_hashes_only_in_the_measured_at_notes() -> None:
    for paragraph in README.split("\n\n"):
        hashes = re.findall(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b", paragraph)
        assert not hashes or "Measured at" in paragraph, hashes
    assert len(re.findall(r"Measured at [0-9a-f]{7}", README)) == 2  # the quality and performance tables
