"""`manage.py altcraft_sandbox`: serve the local Altcraft look-alike until Ctrl-C."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandParser

from segbuilder.altcraft.sandbox import DOCS_TOKEN, SandboxServer


class Command(BaseCommand):
    help = (
        "Serve a local Altcraft look-alike (segments/add, segments/get, segments/list, "
        "databases/list, resources/list) until Ctrl-C. Point ALTCRAFT_API_URL at the "
        "printed URL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
        parser.add_argument(
            "--token",
            default=DOCS_TOKEN,
            help="the API token requests must carry (default: the docs' example token)",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="do not log each request's method and result"
        )

    def handle(
        self, *args: object, host: str, port: int, token: str, quiet: bool, **options: object
    ) -> None:
        self._set_up_logging(quiet=quiet)
        server = SandboxServer(host=host, port=port, token=token)
        self.stdout.write(f"Altcraft sandbox at {server.url}")
        # The token is only shown when it is the public one from the docs.
        if token == DOCS_TOKEN:
            self.stdout.write(f"Token: {DOCS_TOKEN} (the Altcraft docs' example token)")
        else:
            self.stdout.write("Token: the one given with --token (not shown)")
        self.stdout.write("Quit with Ctrl-C.")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Sandbox stopped.")

    def _set_up_logging(self, *, quiet: bool) -> None:
        # The sandbox logs one line per request (method and result, never the
        # body or token); show them on the console unless --quiet.
        sandbox_logger = logging.getLogger("segbuilder.altcraft.sandbox")
        sandbox_logger.setLevel(logging.WARNING if quiet else logging.INFO)
        if not quiet and not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
