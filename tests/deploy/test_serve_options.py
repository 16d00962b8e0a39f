"""deploy/serve.sh refuses a bad option with a plain message and exit code 2, before it starts or installs
anything (no PostgreSQL, HAProxy or replica is needed for these)."""

from __future__ import annotations

import subprocess

import pytest

from tests.journeys.helpers import REPO


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--replicas", "0"], "--replicas must be a whole number from 1 to 8, not '0'"),
        (["--replicas", "9"], "--replicas must be a whole number from 1 to 8, not '9'"),
        (["--replicas", "two"], "--replicas must be a whole number from 1 to 8, not 'two'"),
        (["--port", "80"], "ports must be whole numbers from 1024 to 65000, not '80'"),
        (["--first-port", "8601; rm -rf /"], "ports must be whole numbers from 1024 to 65000"),
        (["--app", "no/such/app.py"], "no app file 'no/such/app.py'"),
        (["--replicas"], "--replicas needs a value"),
        (["--verbose"], "unknown option --verbose"),
    ],
)
def test_a_bad_option_is_refused_before_anything_starts(arguments: list[str], message: str) -> None:
    done = subprocess.run(
        ["bash", "deploy/serve.sh", *arguments], cwd=REPO, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2, done
    assert message in done.stderr and done.stdout == ""


def test_help_names_every_option() -> None:
    done = subprocess.run(["bash", "deploy/serve.sh", "--help"], cwd=REPO, capture_output=True, text=True, check=True)
    for option in ("--replicas", "--port", "--first-port", "--app", "--db-url", "--run-dir"):
        assert option in done.stdout
