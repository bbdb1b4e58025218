"""The home page maps the course to the pages."""

from conftest import assert_no_exception, page_text, run_page


def test_home_page_maps_the_course():
    at = run_page("home.py")
    assert_no_exception(at)
    text = page_text(at)
    assert "Sequence Playground" in text
    for topic in ("trend, seasonal and remainder", "backpropagation through time",
                  "named-entity recognition", "parallel vs autoregressive decoding"):
        assert topic in text
    assert "Decomposition" in text and "Not in the playground yet." in text
