"""User text shown by the pages: escaped so that it is never markup, HTML or a link."""

from playground.ui import escape_markdown

JOINER = "\u2060"


def test_markdown_and_html_are_escaped():
    assert escape_markdown("**bold** _x_ [a](b) <a href='x'>CLICK</a>") == (
        r"\*\*bold\*\* \_x\_ \[a\]\(b\) \<a href='x'\>CLICK\</a\>")


def test_urls_and_addresses_cannot_become_links():
    # Markdown's autolinks are found after escapes are resolved; a word joiner breaks them.
    text = escape_markdown("see http://evil.example/x, HTTPS://X.org, www.evil.example or me@evil.example")
    assert "http" + JOINER in text and "HTTPS" + JOINER in text and "www" + JOINER in text
    assert JOINER + "@" in text
    assert text.replace(JOINER, "").replace("\\", "") == (
        "see http://evil.example/x, HTTPS://X.org, www.evil.example or me@evil.example")


def test_plain_words_are_left_alone():
    assert escape_markdown("Air passengers 1949") == "Air passengers 1949"
    assert escape_markdown("wwwx httpd") == "wwwx httpd"
