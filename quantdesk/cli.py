"""Command line: ``quantdesk serve``, ``quantdesk broker-sim``, ``quantdesk migrate``.

Start-up failures (unreachable database, port in use) end the process with one line
on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import logging.config
import socket
import sys
from collections.abc import Callable, Sequence

from quantdesk.logs import log_config


class StartupError(Exception):
    """A reason the process cannot start, worded for the person who started it."""


def _short_reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _migrate(database_url: str) -> None:
    from quantdesk.store.db import create_db_engine, migrate, redacted_url

    try:
        engine = create_db_engine(database_url)
        try:
            migrate(engine)
        finally:
            engine.dispose()
    except Exception as exc:
        raise StartupError(
            f"cannot use database {redacted_url(database_url)}: {_short_reason(exc)}"
        ) from exc


def _listening_socket(host: str, port: int, fd: int | None) -> socket.socket:
    if fd is not None:
        sock = socket.socket(fileno=fd)
    else:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        sock.listen(2048)
    sock.set_inheritable(False)
    return sock


def _run(app_factory: Callable[[], object], args: argparse.Namespace, level: str) -> None:
    import uvicorn

    sock = _listening_socket(args.host, args.port, args.fd)
    config = uvicorn.Config(
        app_factory(), log_config=log_config(level), lifespan="on", timeout_graceful_shutdown=3
    )
    server = uvicorn.Server(config)
    host, port = sock.getsockname()[:2]
    logging.getLogger("quantdesk").info("listening on http://%s:%s", host, port)
    server.run(sockets=[sock])


def cmd_serve(args: argparse.Namespace) -> None:
    from quantdesk.settings import Settings

    settings = Settings()
    logging.config.dictConfig(log_config(settings.log_level))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.operator_key is None:
        logging.getLogger("quantdesk").warning(
            "QUANTDESK_OPERATOR_KEY is not set: operator endpoints refuse every call"
        )
    _migrate(settings.resolved_database_url())

    def factory() -> object:
        from quantdesk.app import create_app

        return create_app(settings)

    _run(factory, args, settings.log_level)


def cmd_broker_sim(args: argparse.Namespace) -> None:
    from quantdesk.broker_sim.app import create_broker_app
    from quantdesk.broker_sim.settings import BrokerSimSettings

    settings = BrokerSimSettings()
    logging.config.dictConfig(log_config("info"))
    _run(lambda: create_broker_app(settings), args, "info")


def cmd_migrate(_: argparse.Namespace) -> None:
    from quantdesk.settings import Settings

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    _migrate(settings.resolved_database_url())
    print("database is at the latest migration")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quantdesk", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, default_port, text in (
        ("serve", cmd_serve, 8000, "run the QuantDesk platform (migrates first)"),
        ("broker-sim", cmd_broker_sim, 8100, "run the simulated brokerage"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=default_port)
        p.add_argument(
            "--fd",
            type=int,
            default=None,
            help="serve on an already listening socket inherited as this descriptor "
            "(as handed over by a process manager or the test harness)",
        )
        p.set_defaults(func=func)
    m = sub.add_parser("migrate", help="apply database migrations up to the latest")
    m.set_defaults(func=cmd_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except StartupError as exc:
        print(f"quantdesk {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
