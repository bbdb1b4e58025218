"""Sequence Playground: the front door. Page config, the menu, and a background warm-up of slow imports."""

from playground import ui

ui.configure_page()
ui.warm_up("statsmodels.tsa.seasonal", "statsmodels.tsa.stattools", "plotly.subplots")
ui.navigation().run()
