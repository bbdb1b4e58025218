"""ui.kept: settings survive reruns, belong to one dataset when they depend on it, and say when they reset."""

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def _page():
    return AppTest.from_file(str(ROOT / "tests" / "pages" / "scripts" / "kept_settings.py")).run()


def test_a_data_setting_starts_from_the_new_data_default_with_a_notice():
    at = _page()
    assert at.slider(key="h").value == 3
    at.slider(key="h").set_value(8).run()
    at.slider(key="width").set_value(7).run()
    assert at.slider(key="h").value == 8
    at.session_state["which"] = "B"
    at.run()
    assert at.slider(key="h").value == 3  # the 8 was chosen for data A
    assert at.slider(key="width").value == 7  # a setting that does not depend on the data is kept
    assert [t.value for t in at.toast] == ["Horizon: 8 was set for other data; 3 for these."]
    at.run()
    assert not at.toast  # said once
    at.slider(key="h").set_value(4).run()
    at.session_state["which"] = "A"
    at.run()
    assert at.slider(key="h").value == 8  # back on data A, its own value is back
    at.session_state["which"] = "B"
    at.run()
    assert at.slider(key="h").value == 4


def test_a_default_that_changes_with_the_data_is_not_announced():
    at = _page()
    at.session_state["which"] = "B"
    at.run()
    assert at.slider(key="h").value == 3 and not at.toast  # the user never chose a horizon


def test_a_preset_value_without_an_owner_is_used():
    # values arriving from outside (a test, a link) have no owner yet: they are taken as they are
    at = AppTest.from_file(str(ROOT / "tests" / "pages" / "scripts" / "kept_settings.py"))
    at.session_state["_kept_h"] = 9
    at.run()
    assert at.slider(key="h").value == 9


def test_a_value_set_from_outside_mid_session_takes_effect_for_the_data_shown():
    at = _page()
    at.slider(key="h").set_value(8).run()
    at.session_state["_kept_h"] = 6
    at.run()
    assert at.slider(key="h").value == 6
    at.session_state["which"] = "B"
    at.run()
    at.session_state["which"] = "A"
    at.run()
    assert at.slider(key="h").value == 6  # it was kept for data A


def test_settings_are_one_entry_of_the_session_state():
    """Streamlit reads every session-state key for every keyed widget it draws (filtered_state): a key per
    kept value, per dataset, per owner made that 1 ms per widget with a class's worth of settings."""
    at = _page()
    at.session_state["_kept_width"] = 4
    at.slider(key="h").set_value(8).run()
    at.session_state["which"] = "B"
    at.run()
    keys = set(at.session_state._state._state._keys())  # (AppTest's proxy has no key listing)
    assert {k for k in keys if k.startswith("_kept")} == {"_kept"}
    assert at.session_state["_kept"]["_kept_h@A"] == 8 and at.session_state["_kept"]["_kept_width"] == 4


def _linked(**params):
    at = AppTest.from_file(str(ROOT / "tests" / "pages" / "scripts" / "kept_settings.py"))
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_a_link_opens_the_same_view_and_follows_changes():
    at = _linked(h="7", width="4")
    assert at.slider(key="h").value == 7 and at.slider(key="width").value == 4
    at.run()
    assert at.slider(key="h").value == 7  # kept on every rerun, not only the first
    at.slider(key="width").set_value(9).run()
    assert at.query_params["width"] == "9"  # the URL follows the widget


def test_a_link_value_that_does_not_fit_falls_back_with_a_notice():
    at = _linked(h="70", width="lots")
    assert not at.exception
    assert at.slider(key="h").value == 3 and at.slider(key="width").value == 2
    notices = [t.value for t in at.toast]
    assert "Horizon: the link's '70' does not fit here; back to 3." in notices
    assert "Width: the link's 'lots' does not fit here; back to 2." in notices


def _page_from_link(page: str, **params):
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_a_link_opens_the_dataset_and_settings_it_names():
    at = _page_from_link("forecasting.py", dataset="Nile annual flow (1871–1970)", fc_horizon="7", fc_train_pct="70")
    assert not at.exception
    assert at.selectbox(key="dataset").value == "nile"
    assert at.slider(key="fc_horizon").value == 7 and at.slider(key="fc_train_pct").value == 70
    at.run()  # and they stay on the next rerun
    assert at.slider(key="fc_horizon").value == 7 and at.selectbox(key="dataset").value == "nile"


def test_a_reload_of_an_uploaded_view_says_to_upload_again_and_keeps_the_rest():
    at = _page_from_link("forecasting.py", dataset="⬆ Upload your own CSV…", fc_train_pct="70")
    assert not at.exception
    assert any("asked for an uploaded file" in w.value for w in at.warning)
    assert at.selectbox(key="dataset").value == "upload"
    assert at.file_uploader  # the uploader is there, waiting for the file
