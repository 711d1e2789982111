"""Demo data steps: the apps that add demo data of their own register a step here, and
`zhizao demo` runs the steps in order once it has written the demo enterprises and their reports.

Core knows no app: the enterprises app's command calls `run_demo_steps`, and an app registers its
step from its AppConfig.ready() (the same pattern as the background tasks in `core.tasks`), so
that an app lower in the table never imports one above it.

A step is called as `step(seed=…, years=…, stdout=…)`: `seed` is the demo's random seed (a step
derives all its draws from it, so the same seed gives the same data), `years` the range of years
the demo enterprises have reports for, and `stdout` a stream for progress lines (None when the
command runs quietly). It returns one summary line in Chinese, which the command prints. A step
must be idempotent: on a database that already holds its data it leaves it alone and says so. It
raises DemoStepError, with a Chinese message, when it cannot run.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO


class DemoStepError(Exception):
    """A demo step cannot run; the message says why, in Chinese."""


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    function: Callable[..., str | None]


REGISTRY: dict[str, DemoStep] = {}


def register_demo_step(name: str, order: int):
    """Register the decorated function as the demo step `name`; steps run by `order`, then name.
    Registering a name again replaces the step (a module imported twice registers once)."""

    def decorator(function: Callable[..., str | None]) -> Callable[..., str | None]:
        REGISTRY[name] = DemoStep(name=name, order=order, function=function)
        return function

    return decorator


def registered_steps() -> list[DemoStep]:
    return sorted(REGISTRY.values(), key=lambda step: (step.order, step.name))


def run_demo_steps(*, seed: int, years: range, stdout: TextIO | None = None) -> list[str]:
    """Run every registered step in order; returns their summary lines."""
    lines = []
    for step in registered_steps():
        summary = step.function(seed=seed, years=years, stdout=stdout)
        if summary:
            lines.append(summary)
    return lines
