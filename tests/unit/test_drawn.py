"""A cached figure is converted to plotly JSON once, and Streamlit draws exactly the figure it came from."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from streamlit.testing.v1 import AppTest

from playground.figures.style import PRESENTER_FONT_SIZE, Drawn


def figure() -> go.Figure:
    fig = go.Figure([go.Scatter(x=np.arange(50), y=np.sin(np.arange(50)), line=dict(width=2), name="sine"),
                     go.Heatmap(z=np.arange(12.0).reshape(3, 4))])
    return fig.update_layout(height=320, title="a figure")


def chart_spec(fig) -> dict:
    def script(fig):
        import streamlit as st

        st.plotly_chart(fig, theme=None)

    at = AppTest.from_function(script, args=(fig,)).run()
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_streamlit_draws_the_same_json_from_the_drawn_figure():
    assert chart_spec(Drawn.of(figure())) == chart_spec(figure())
    assert pio.to_json(Drawn.of(figure()).to_dict(), validate=False) == pio.to_json(figure().to_dict(), validate=False)


def test_the_presenter_look_is_larger_and_leaves_the_cached_figure_alone():
    drawn = Drawn.of(figure())
    presenting = drawn.for_presenting()
    assert presenting.to_dict()["layout"]["font"]["size"] == PRESENTER_FONT_SIZE
    assert presenting.to_dict()["data"][0]["line"]["width"] == 3
    assert drawn.to_dict()["data"][0]["line"]["width"] == 2 and "font" not in drawn.to_dict()["layout"]
    assert drawn.for_presenting() is presenting  # made once
    assert Drawn.of(drawn) is drawn
