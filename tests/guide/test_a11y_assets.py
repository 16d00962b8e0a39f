"""The browser-side accessibility layer (guide/ui/assets/a11y.js) as Streamlit will serve it."""

from __future__ import annotations

import re
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "guide" / "ui" / "assets" / "a11y.js"


def test_the_script_survives_the_html_sanitiser() -> None:
    # st.html runs its HTML through DOMPurify, which drops a <script> whose text holds "<" then a letter, "/" or
    # "!" (it reads as markup): the whole layer would then silently not run.
    found = [line for line in SCRIPT.read_text("utf-8").splitlines() if re.search(r"<[\w/!]", line)]
    assert not found, f"a11y.js would be dropped by the sanitiser because of: {found}"
