import datetime

import pytest
import time_machine

# The day the inbox, landing and notification tests live on: due dates and the year being
# reported follow from it.
TODAY = datetime.datetime(2026, 12, 8, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield
