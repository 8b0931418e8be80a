"""The Settings window and its pages."""

from massage_chart.ui.settings.dialog import SettingsDialog

__all__ = ["SettingsDialog"]
