"""The home page maps the course to the pages."""

from tests.conftest import assert_no_exception, page_text, run_page


def test_home_page_maps_the_course():
    at = run_page("home.py")
    assert_no_exception(at)
    text = page_text(at)
    assert "Sequence Playground" in text
    for topic in ("trend, seasonal and remainder", "backpropagation through time",
                  "named-entity recognition", "parallel vs autoregressive decoding"):
        assert topic in text
    assert "Not in the playground yet." not in text  # every topic of the course has its page


def test_each_topic_points_to_the_page_that_shows_it():
    at = run_page("home.py")
    texts = [m.value for m in at.markdown]
    cards = {}  # card title -> its bullet list, which is the next markdown after the title
    for i, text in enumerate(texts[:-1]):
        if text.startswith(("**", "→ **")) and texts[i + 1].startswith("- "):
            cards[text.strip("→ *")] = texts[i + 1]
    assert "x⟨t⟩" in cards["RNN cell"]  # the RNN cell page introduces the notation
    assert "x⟨t⟩" not in cards["Decomposition"] and "notation" not in cards["Decomposition"]
    assert "is anything left in the remainder?" in cards["Decomposition"]
