"""The `zhizao` console script: Django's management commands under the project's name."""

import os
import secrets
import sys

# Commands that only read the code (models, migrations, system checks) sign nothing, so a fresh
# checkout may run them without a SECRET_KEY; serving and every command that writes still need
# one (settings refuse to start without it when DEBUG is off).
CODE_ONLY_COMMANDS = {"makemigrations", "check", "showmigrations", "help"}


def main() -> None:
    # An empty value (as some shells and hooks export it) counts as unset.
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        os.environ["DJANGO_SETTINGS_MODULE"] = "zhizao.settings"
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command in CODE_ONLY_COMMANDS and not os.environ.get("SECRET_KEY"):
        # A throwaway key of this process only: nothing signed with it outlives the command.
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
