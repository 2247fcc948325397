#!/usr/bin/env python3
"""Django's command-line utility for the segment builder."""
import sys


def main() -> None:
    from segbuilder.startup import settings_or_exit

    settings_or_exit()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
