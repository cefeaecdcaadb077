"""The command line as a user meets it: ``news-archive --version``, a description on every
command, help on every option, logging options before or after the command, UTC logs."""

from __future__ import annotations

import argparse
import re
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pytest

from jobs import cli
from tests.conftest import SEEDS


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_command_has_a_description_and_every_option_has_help() -> None:
    parser = cli._parser()
    commands = _commands(parser)
    assert set(commands) == {"backfill", "scrape", "reprocess", "extract", "compact", "schedule", "status"}
    for name, command in [("news-archive", parser), *commands.items()]:
        assert command.description and len(command.description.splitlines()) == 1, name
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(choice.help for choice in action._choices_actions)
                continue
            hidden = action.help == argparse.SUPPRESS and action.dest == "every"  # a test-only option
            assert action.help and (hidden or action.help != argparse.SUPPRESS), (name, action.dest)
        options = {flag for action in command._actions for flag in action.option_strings}
        assert {"-v", "--verbose", "-q", "--quiet", "--log-level", "--log-file"} <= options, name


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["scrape"], "name it with --state"),
        (["backfill", "--source", "site", "--since", "2024-01-01"], "name it with --state"),
        (["schedule"], "name it with --state"),
    ],
)
def test_crawls_into_an_s3_archive_need_a_local_state_file(
    argv: list[str],
    reason: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A crawl into S3, or a scheduler of crawls, needs --state (SQLite on a local disk)."""
    monkeypatch.chdir(tmp_path)
    assert cli.main([*argv, "--data", "s3://bucket/archive"]) == 2
    assert reason in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # no local "s3:" directory made


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"news-archive {metadata.version('news-archive')}"


def test_the_console_script_is_installed() -> None:
    (script,) = [e for e in metadata.entry_points(group="console_scripts") if e.name == "news-archive"]
    assert script.value == "jobs.cli:main"


@pytest.mark.parametrize(
    "argv",
    [
        ["-v", "compact", "--data", "D"],
        ["compact", "-v", "--data", "D"],
        ["compact", "--data", "D", "--verbose"],
    ],
)
def test_logging_options_work_before_and_after_the_command(argv: list[str]) -> None:
    args = cli._parser().parse_args(argv, namespace=argparse.Namespace(**cli.LOG_DEFAULTS))
    assert args.verbose is True and args.data == "D" and args.command == "compact"


def test_an_option_before_the_command_is_not_reset_by_the_command() -> None:
    argv = ["--log-level", "warning", "--log-file", "x.log", "status", "-q"]
    args = cli._parser().parse_args(argv, namespace=argparse.Namespace(**cli.LOG_DEFAULTS))
    assert (args.log_level, args.log_file, args.quiet, args.verbose) == ("WARNING", "x.log", True, False)


def _backfill(data: Path, *extra: str) -> int:
    return cli.main(
        ["backfill", str(SEEDS / "000_2a54357175af2b52.txt"), "--data", str(data), "--no-progress", *extra]
    )


def test_log_file_on_any_job_in_utc_with_the_zone_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Kathmandu")  # UTC+05:45: a local time would be far off
    time.tzset()
    try:
        log = tmp_path / "logs" / "backfill.log"
        assert _backfill(tmp_path / "data", "--log-file", str(log)) == 0
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines and all(
        re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING) ", x) for x in lines
    )
    logged = datetime.strptime(lines[-1][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - logged).total_seconds()) < 120
    assert any("dedup index: 0 archived articles loaded" in x for x in lines)
    assert not any("memory:" in x or "cpu:" in x for x in lines)  # benchmark figures are DEBUG


def test_quiet_and_log_level(tmp_path: Path) -> None:
    quiet, debug = tmp_path / "quiet.log", tmp_path / "debug.log"
    assert _backfill(tmp_path / "data", "-q", "--log-file", str(quiet)) == 0
    assert quiet.read_text(encoding="utf-8") == ""  # nothing at WARNING or above in a clean run
    assert (
        cli.main(["--log-level", "debug", "--log-file", str(debug), "compact", "--data", str(tmp_path)]) == 0
    )
    assert _backfill(tmp_path / "data", "--log-level", "DEBUG", "--log-file", str(debug)) == 0
    assert re.search(r"Z DEBUG etl\.pipeline: cpu: ", debug.read_text(encoding="utf-8"))
