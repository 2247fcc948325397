"""What `make run` checks before it starts anything, each problem said in one
line naming what to change: the settings (as manage.py reads them) and the
ports. `wait-sandbox` waits for the sandbox to answer (or says it did not).

    python scripts/preflight.py ports PORT [SANDBOX_PORT]
    python scripts/preflight.py wait-sandbox SANDBOX_PORT PID
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from segbuilder.startup import settings_or_exit  # noqa: E402

SANDBOX_SECONDS = 20


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def check_ports(ports: dict[str, str]) -> None:
    for variable, value in ports.items():
        if not value.isdigit() or not 1 <= int(value) <= 65535:
            sys.exit(f"{variable} must be a port number from 1 to 65535, not {value!r}.")
        if not port_is_free(int(value)):
            sys.exit(f"Port {value} is taken by another program: stop it, or set {variable} "
                     f"to a free port (e.g. {variable}={int(value) + 1} make run).")


def wait_for_sandbox(port: int, pid: int) -> None:
    deadline = time.monotonic() + SANDBOX_SECONDS
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit(f"The sandbox Altcraft did not start on port {port} (see its message above).")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"The sandbox Altcraft did not answer on port {port} within {SANDBOX_SECONDS} s.")


def main(argv: list[str]) -> None:
    if argv[:1] == ["ports"]:
        settings_or_exit()
        names = ("PORT", "SANDBOX_PORT")
        check_ports(dict(zip(names, argv[1:], strict=False)))
    elif argv[:1] == ["wait-sandbox"] and len(argv) == 3:
        wait_for_sandbox(int(argv[1]), int(argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
