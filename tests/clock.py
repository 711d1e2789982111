"""The day every test runs on (the project's "today"), in the platform's time zone. A test that
needs another day travels there itself: time_machine.travel nests."""

import datetime
from zoneinfo import ZoneInfo

TODAY = datetime.datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
