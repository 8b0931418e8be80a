"""``python -m massage_chart``: the same as the ``massage-chart`` command."""

import sys

from massage_chart.cli import main

sys.exit(main())
