#!/usr/bin/env python
"""Django's command-line utility; `zhizao` (the console script) is the same entry point."""

from zhizao.__main__ import main

if __name__ == "__main__":
    main()
