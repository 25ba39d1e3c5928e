"""The README's commands work as printed: the shell lines run as a newcomer runs them after
the quick start, and every `auditbot ...` it mentions names a command and options that exist."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest

from bot.commands.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
SHELL_BLOCK = re.compile(r"^```(?:sh|bash|console)\n(.*?)^```", re.MULTILINE | re.DOTALL)
MENTION = re.compile(r"`auditbot ([^`]*)`")


def _shell_lines() -> list[str]:
    lines = [line for block in SHELL_BLOCK.findall(TEXT) for line in block.splitlines()]
    return [line.split(" #", 1)[0].strip() for line in lines if line.strip()]


def _command(words: list[str]) -> tuple[click.Command, list[str]]:
    """The subcommand a mention names, and the words after it."""
    assert isinstance(main, click.Group)
    command = main.commands.get(words[0])
    assert command is not None, f"README mentions `auditbot {words[0]}`, not a command"
    return command, words[1:]


def test_the_readme_mentions_commands_at_all() -> None:
    assert len(MENTION.findall(TEXT)) >= 20
    assert any(line.startswith(".venv/bin/auditbot ") for line in _shell_lines())


@pytest.mark.parametrize("mention", sorted(set(MENTION.findall(TEXT))))
def test_each_command_the_readme_mentions_exists_with_its_options(mention: str) -> None:
    words = [w.strip("[]") for w in mention.split()]
    if "COMMAND" in words:
        return  # the general form, `auditbot [--config PATH] COMMAND`
    command, rest = _command(words)
    known = {o for p in command.params for o in getattr(p, "opts", [])}
    known |= {o for p in main.params for o in getattr(p, "opts", [])}
    for word in rest:
        if word.startswith("--"):
            assert word in known, f"`auditbot {mention}`: {command.name} has no {word}"


def test_the_readme_shell_lines_run_as_printed(tmp_path: Path) -> None:
    """In a fresh folder beside the project's venv, as after the quick start."""
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    ran = 0
    for line in _shell_lines():
        if not line.startswith(".venv/bin/auditbot "):
            continue  # make, git and pytest lines are the quick start's and CI's own
        done = subprocess.run(
            shlex.split(line), capture_output=True, text=True, cwd=tmp_path, timeout=300
        )
        assert done.returncode == 0, (line, done.stdout[-2000:], done.stderr[-2000:])
        ran += 1
    assert ran >= 3
    outbox = tmp_path / "demo-workspace" / "mail" / "outbox"
    assert any(outbox.rglob("*")), "the demo's mail should be in its workspace"
