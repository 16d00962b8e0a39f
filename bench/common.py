"""What every benchmark shares: a figure and its target, timing helpers, the machine, a served app.

Figures are measured in the run that reports them; ratios compare against a baseline measured in the
same run, because these machines are shared and their load moves.
"""

from __future__ import annotations

import contextlib
import os
import platform
import signal
import socket
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
BARE_APP = ROOT / "bench" / "bare" / "streamlit_app.py"
BARE_PAGE = ROOT / "bench" / "bare" / "page.py"
BARE_READY = "Bare page ready"  # the text the bare app shows once its script has run
PYTHON = ROOT / ".venv" / "bin" / "python"
DATA = ROOT / "bench" / ".data"


@dataclass
class Figure:
    """One measured figure, its target in words and whether it met it ("(reported)" figures always do)."""

    name: str
    value: float
    unit: str
    target: str
    passed: bool


def timed(run: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    """Wall-clock milliseconds of each call after a warm-up."""
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> dict[str, str]:
    import streamlit

    return {
        "machine": platform.machine(),
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
        "platform": platform.platform(),
        "load average at start (1, 5, 15 min)": load_average(),
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """`streamlit run <script>` on a free loopback port, its output in `log`."""

    name: str
    script: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, env: dict[str, str]) -> None:
        command = [
            str(PYTHON), "-m", "streamlit", "run", str(self.script),
            "--server.port", str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_healthy(self, timeout: float = 60) -> float:
        """Seconds until /_stcore/health answers ok."""
        assert self.process is not None
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited:\n{self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} server not healthy after {timeout} s:\n{self.log.read_text()[-2000:]}")

    def rss_bytes(self) -> int:
        """The server process's resident memory now (Linux /proc)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS in /proc status")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s; always bounded."""
        if self.process is not None:
            terminate(self.process, 10, self.process.kill)


def terminate(process: subprocess.Popen[bytes], grace_s: float, kill: Callable[[], None]) -> None:
    """SIGTERM, then `kill` if it has not ended after `grace_s`; always bounded, quiet if it already ended."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
