"""Cancel Coach: the entry point. Sets up the visit and the sidebar, then runs the chosen page."""

import streamlit as st

from guide.content import text
from guide.navigation import Page, menu, shows_sandbox_clock
from guide.ui.a11y import install
from guide.ui.language import settle_language
from guide.ui.sidebar import sidebar
from guide.ui.state import follow_class_link, hand_over, home, visit

st.set_page_config(page_icon=":material/remove_shopping_cart:", layout="wide")  # each page names its own tab


def page(entry: Page) -> st.Page:
    # A hidden page (the certificate check) opens from its link only, never from the menu.
    return st.Page(
        entry.file,
        title=entry.label,
        icon=entry.icon,
        url_path=entry.name,
        visibility="hidden" if entry.hidden else "visible",
    )


def all_pages(language: str) -> dict[str, list[st.Page]]:
    """The menu's pages in `language`, built once a session and language (each st.Page resolves its file's path):
    a session's runs take turns, and st.navigation marks the page it returns on the object, so the objects are
    not shared wider."""
    built: dict[str, list[st.Page]] | None = st.session_state.get(PAGES, {}).get(language)
    if built is None:
        built = {text("nav", section): [page(entry) for entry in entries] for section, entries in menu().items()}
        # The root URL: a hidden default page at the head of the first section, that opens the walkthrough.
        root = st.Page(home, title=text("app", "title"), default=True, visibility="hidden")
        next(iter(built.values())).insert(0, root)
        st.session_state[PAGES] = {language: built}
    return built


PAGES = "app_pages"
navigation = st.navigation(all_pages(settle_language()))
install(navigation.url_path)  # focus and names for keyboard and screen-reader users
here = visit(fresh=True)
follow_class_link(navigation.url_path)  # a class link opens Training from any page
sidebar(here, clock=shows_sandbox_clock(navigation.url_path))  # a training case keeps its own clock
hand_over(here)
navigation.run()
