"""The app's pages, listed once in content/pages.json: name, file, icon, menu section and title.

The entry point builds its menu from them, `guide.ui.state.go` opens them, and the tests and the
bench read their titles and URLs from here. No Streamlit here: a page is plain data.
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from guide.content import load, text


class Page(BaseModel):
    """One page of the app; its `name` is also its URL path (`/my_orders`) and its menu label's key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z_]+$")
    file: str = Field(pattern=r"^pages/[a-z_]+\.py$")  # relative to the entry point
    icon: str = Field(pattern=r"^:material/[a-z_]+:$")
    section: str = Field(pattern=r"^[a-z_]+$")  # the menu section, labelled text("nav", section)
    title_section: str = Field(pattern=r"^[a-z_]+$")  # the page's st.title is text(title_section, "title")
    sandbox_clock: bool = True  # False: a training case runs on its own clock, so the sidebar shows none
    hidden: bool = False  # True: reached by a link only (a certificate's check), never listed in the menu

    @property
    def label(self) -> str:
        """The page's name in the menu; a hidden page is in no menu, so its title stands in."""
        return self.title if self.hidden else text("nav", self.name)

    @property
    def title(self) -> str:
        """The page's own title, as its header shows it."""
        return text(self.title_section, "title")


@cache
def pages() -> dict[str, Page]:
    """Every page by name, in menu order; a repeated name or a missing text fails here, at start-up."""
    listed = [Page.model_validate(raw) for raw in load("pages.json")]
    found = {page.name: page for page in listed}
    if len(found) != len(listed):
        raise ValueError("pages.json lists a page name twice")
    for page in listed:
        needed = [("nav", page.section), (page.title_section, "title"), *([] if page.hidden else [("nav", page.name)])]
        for section, key in needed:
            try:
                text(section, key)
            except KeyError:
                raise ValueError(f"pages.json: page {page.name!r} needs the text {section}.{key}") from None
    return found


def menu() -> dict[str, list[Page]]:
    """The pages by menu section, sections and pages in the order pages.json lists them; hidden ones too, as
    the app must register them (st.Page visibility "hidden") for their links to open."""
    sections: dict[str, list[Page]] = {}
    for page in pages().values():
        sections.setdefault(page.section, []).append(page)
    return sections


def shows_sandbox_clock(url_path: str) -> bool:
    """Does the page at this URL path show the sandbox's clock (the hidden root page does)?"""
    page = pages().get(url_path)
    return page is None or page.sandbox_clock
