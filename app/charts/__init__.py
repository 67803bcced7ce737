"""The live charts: ``TimeSeriesPlot`` (one chart, QPainter) and ``ChartsPanel`` (four of them).

Drawn with QPainter rather than a plotting library because they share the Qt thread with the
tunnel engine: see ``app.charts.timeseries`` for what a redraw costs and why.
"""
