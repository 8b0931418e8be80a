"""The visit chart: body map, tools, legend, inspector and list of marks (``open_visit_chart``)."""

from massage_chart.ui.chart.window import VisitChartWindow, open_visit_chart

__all__ = ["VisitChartWindow", "open_visit_chart"]
