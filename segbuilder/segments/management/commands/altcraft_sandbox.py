"""`manage.py altcraft_sandbox`: serve the local Altcraft look-alike until Ctrl-C."""

from __future__ import annotations

import logging
import signal

from django.core.management.base import BaseCommand, CommandError, CommandParser

from segbuilder.altcraft.sandbox import DEFAULT_DELAY, DOCS_TOKEN, Fault, SandboxServer

FAULT_HELP = {
    Fault.REFUSE: "nothing listens: connections are refused",
    Fault.TIMEOUT: "read each request and never answer",
    Fault.SLOW: "answer normally after --slow seconds",
    Fault.TRICKLE: "answer normally, one byte every --slow seconds",
    Fault.RESET: "read each request, then reset the connection",
    Fault.HTTP_500: "an HTML 500 error page",
    Fault.HTTP_502: "an HTML 502 Bad Gateway page",
    Fault.HTML_200: "an HTML page with HTTP 200",
    Fault.INVALID_JSON: "HTTP 200 with broken JSON",
    Fault.INVALID_XML: "HTTP 200 with broken XML",
    Fault.ERROR_400: "Altcraft error 400 Incorrect request",
    Fault.ERROR_401: "Altcraft error 401 API token required",
    Fault.ERROR_402: "Altcraft error 402 Tariff limit reached",
    Fault.ERROR_403: "Altcraft error 403 Access denied",
    Fault.XXE: "XML whose DTD declares an entity read from file:///etc/passwd",
}


class Command(BaseCommand):
    help = (
        "Serve a local Altcraft look-alike (segments/add, segments/get, segments/list, "
        "databases/list, resources/list) until Ctrl-C. Point ALTCRAFT_API_URL at the "
        "printed URL. --fault makes it misbehave, to show what users see when Altcraft "
        "or the network fails."
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
            "--data-file",
            metavar="PATH",
            help="keep the segments in this JSON file across restarts (default: in memory)",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="do not log each request's method and result"
        )
        faults = "; ".join(f"{fault}: {text}" for fault, text in FAULT_HELP.items())
        parser.add_argument(
            "--fault", choices=[fault.value for fault in Fault], help=f"misbehave: {faults}"
        )
        parser.add_argument(
            "--slow",
            type=float,
            metavar="SECONDS",
            help=f"delay of the slow and trickle faults (default {DEFAULT_DELAY:g}); "
            "alone, it means --fault slow",
        )
        parser.add_argument(
            "--method",
            action="append",
            dest="methods",
            metavar="METHOD",
            help="apply the fault to this method only (e.g. segments/add); may be repeated",
        )
        parser.add_argument(
            "--times", type=int, metavar="N", help="apply the fault to the next N requests only"
        )
        parser.add_argument(
            "--http-status",
            type=int,
            metavar="STATUS",
            help="HTTP status of an error-4xx fault's answer (default: the error code; "
            "200 puts the error in the envelope only)",
        )
        parser.add_argument(
            "--process",
            action="store_true",
            help="handle each request as usual before misbehaving (a segment is created, "
            "its answer lost)",
        )

    def handle(
        self,
        *args: object,
        host: str,
        port: int,
        token: str,
        quiet: bool,
        fault: str | None,
        slow: float | None,
        methods: list[str] | None,
        times: int | None,
        http_status: int | None,
        process: bool,
        data_file: str | None,
        **options: object,
    ) -> None:
        self._stop_on_signals()
        self._set_up_logging(quiet=quiet)
        if fault is None and slow is not None:
            fault = Fault.SLOW
        server = SandboxServer(host=host, port=port, token=token, data_file=data_file)
        if fault is not None:
            try:
                server.set_fault(
                    fault,
                    methods=methods,
                    times=times,
                    delay=DEFAULT_DELAY if slow is None else slow,
                    status=http_status,
                    process=process,
                )
            except ValueError as error:
                server.stop()
                raise CommandError(str(error)) from None
        # Ctrl-C may come while the banner is still being written.
        try:
            self._banner(server, token=token, fault=fault, methods=methods, times=times,
                         data_file=data_file)
            server.serve_forever()
        except KeyboardInterrupt:
            server.stop()
            self.stdout.write("Sandbox stopped.")

    @staticmethod
    def _stop_on_signals() -> None:
        """Ctrl-C and SIGTERM both stop it cleanly. Set here because a process
        started in the background of a script (`&`) inherits SIGINT ignored,
        and Python then installs no KeyboardInterrupt for it."""

        def interrupt(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)

    def _banner(
        self,
        server: SandboxServer,
        *,
        token: str,
        fault: str | None,
        methods: list[str] | None,
        times: int | None,
        data_file: str | None,
    ) -> None:
        self.stdout.write(f"Altcraft sandbox at {server.url}")
        # The token is only shown when it is the public one from the docs.
        if token == DOCS_TOKEN:
            self.stdout.write(f"Token: {DOCS_TOKEN} (the Altcraft docs' example token)")
        else:
            self.stdout.write("Token: the one given with --token (not shown)")
        if fault is not None:
            self.stdout.write(f"Fault: {fault} ({self._fault_scope(methods, times)})")
        self.stdout.write(f"Segments kept in {data_file}" if data_file
                          else "Segments kept in memory (lost when it stops)")
        self.stdout.write("Quit with Ctrl-C.")
        self.stdout.flush()

    @staticmethod
    def _fault_scope(methods: list[str] | None, times: int | None) -> str:
        which = ", ".join(methods) if methods else "every method"
        return f"{which}, next {times} requests" if times else f"{which}, until stopped"

    def _set_up_logging(self, *, quiet: bool) -> None:
        # The sandbox logs one line per request (method and result, never the
        # body or token); show them on the console unless --quiet.
        sandbox_logger = logging.getLogger("segbuilder.altcraft.sandbox")
        sandbox_logger.setLevel(logging.WARNING if quiet else logging.INFO)
        if not quiet and not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
