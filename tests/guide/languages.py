"""Test ids for languages: `-k lang_pt_BR` selects one language's cases."""


def lang_id(code: str) -> str:
    return "lang_" + code.replace("-", "_")
