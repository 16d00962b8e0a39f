"""The bare reference page: three elements (a text box, a button, a line of text), nothing of the app."""

import streamlit as st


def bare_page() -> None:
    query = st.text_input("Search")
    clicks = st.session_state.setdefault("clicks", 0)
    if st.button("+1 hour"):
        st.session_state.clicks = clicks = clicks + 1
    st.write(f"Bare page ready · {query or 'no search'} · {clicks} clicks")


if __name__ == "__main__":  # as a script of its own (AppTest, streamlit run)
    bare_page()
