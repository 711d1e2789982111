"""The `zhizao` console script: Django's management commands under the project's name."""

import os
import sys


def main() -> None:
    # An empty value (as some shells and hooks export it) counts as unset.
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        os.environ["DJANGO_SETTINGS_MODULE"] = "zhizao.settings"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
