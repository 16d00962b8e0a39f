"""Debian's Chromium as the browser journeys and the benchmarks launch it (never a downloaded browser).

The background-networking flags matter here: without them Chromium keeps trying hosts that this
closed network refuses.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
