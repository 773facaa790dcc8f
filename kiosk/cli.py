"""`kiosk` command line: run the terminal, the reference central service, queue tools
and the scenario runner. GUI modules are imported only by the commands that need them."""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import KioskConfig


def _config(args: argparse.Namespace) -> KioskConfig:
    from .config import load_config  # see main: after the collector is off for `run`

    return load_config(getattr(args, "config", None))


def cmd_run(args: argparse.Namespace) -> int:
    from .launcher import run_kiosk

    return run_kiosk(_config(args), simulate=args.simulate, windowed=args.windowed)


def cmd_central(args: argparse.Namespace) -> int:
    from central import cli as central_cli

    return central_cli.main(args)


def cmd_queue_status(args: argparse.Namespace) -> int:
    from .app import KioskCore

    core = KioskCore(_config(args)).start(background_sync=False, open_devices=False)
    try:
        core.probe_central()
        status = core.queue_status()
    finally:
        core.stop()
    if args.json:
        import json  # here: `kiosk run` at boot has no use for it

        print(json.dumps(status, ensure_ascii=False))
    else:
        for key, value in status.items():
            print(f"{key}: {value}")
    return 0


def cmd_queue_sync(args: argparse.Namespace) -> int:
    from .app import KioskCore

    core = KioskCore(_config(args)).start(background_sync=False, open_devices=False)
    try:
        if not core.probe_central():  # an empty queue still proves the link, or not
            print("central service unreachable at " + ", ".join(core.config.central.urls),
                  file=sys.stderr)
            return 1
        report = core.drain_queue(timeout_s=args.timeout)
    finally:
        core.stop()
    print(f"sent {report.sent}, accepted {report.accepted}, duplicate {report.duplicate}, "
          f"rejected {report.rejected}, remaining {report.remaining}")
    if report.error:
        what = ("refused by the central service" if "CentralRejected" in report.error
                else "central service unreachable")
        print(f"{what}: {report.error}", file=sys.stderr)
        return 1
    return 0


def cmd_scenario(args: argparse.Namespace) -> int:
    from .scenario.runner import run_scenarios

    return run_scenarios([Path(p) for p in args.files],
                         screenshots=Path(args.screenshots) if args.screenshots else None,
                         central_url=args.central,
                         artifacts=Path(args.artifacts) if args.artifacts else None,
                         child_process=True if args.child_process else None)


def build_parser(only_run: bool = False) -> argparse.ArgumentParser:
    """The full parser; `only_run` builds just `kiosk run`, which systemd starts at
    boot, without loading every other command's module (cold start)."""
    parser = argparse.ArgumentParser(prog="kiosk", description="Self-service tax terminal")
    parser.add_argument("--log-json", action="store_true", help="log JSON lines to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", help="TOML config file (default: $KIOSK_CONFIG)")
        return p

    run = with_config(sub.add_parser("run", help="start the kiosk"))
    run.add_argument("--simulate", action="store_true",
                     help="start device simulators and a local central service with it")
    run.add_argument("--windowed", action="store_true", help="a normal window (development)")
    run.set_defaults(func=cmd_run)
    if only_run:
        return parser

    from central import cli as central_cli

    central = sub.add_parser("central", help="run the reference central tax service")
    central_cli.add_arguments(central)
    central.set_defaults(func=cmd_central)

    queue = sub.add_parser("queue", help="the offline queue")
    qsub = queue.add_subparsers(dest="queue_command", required=True)
    status = with_config(qsub.add_parser("status", help="queue depth and sync state"))
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_queue_status)
    sync = with_config(qsub.add_parser("sync", help="one full sync pass"))
    sync.add_argument("--timeout", type=float, default=120.0)
    sync.set_defaults(func=cmd_queue_sync)

    from .commands import command_modules

    for module in command_modules():
        if hasattr(module, "register_queue"):
            module.register_queue(qsub, with_config)
        if hasattr(module, "register"):
            module.register(sub, with_config)

    scenario = sub.add_parser("scenario", help="run scenario files against the real UI")
    scenario.add_argument("files", nargs="+")
    scenario.add_argument("--screenshots", help="directory for screenshot steps")
    scenario.add_argument("--central", help="use this central service instead of a fresh one")
    scenario.add_argument("--artifacts", metavar="DIR",
                          help="keep everything printed, in print order: "
                               "DIR/<scenario>/<NNN>-receipt.txt and <NNN>-a4.pdf")
    scenario.add_argument("--child-process", action="store_true",
                          help="run the kiosk of every scenario as a child process (by "
                               "default only scenarios that use kiosk_restart do)")
    scenario.set_defaults(func=cmd_scenario)
    return parser


def main(argv: list[str] | None = None) -> int:
    # First, before anything opens a file: everything the kiosk writes (queue, inbox
    # with staff PIN hashes, journals, keys, logs) is owner-only. Nothing it writes is
    # meant for another user: print jobs go to CUPS through `lp`, which reads them as
    # this user. The stores also create their files 0600 themselves (second line).
    os.umask(0o077)
    given = sys.argv[1:] if argv is None else argv
    words = [w for w in given if not w.startswith("-")]
    only_run = bool(words) and words[0] == "run" and "--help" not in given
    if only_run:
        # `kiosk run` as systemd starts it: what the process builds until its first
        # paint (modules, config, window) lives as long as it does, so the cyclic
        # collector's passes over it free nothing (~2.5 ms before PySide alone). The
        # launcher turns it back on after the first paint (cold start, #9).
        gc.disable()
    args = build_parser(only_run=only_run).parse_args(argv)
    from . import log
    from .config import ConfigError  # here, so that `run` loads them with gc off

    log.setup(json_lines=args.log_json)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        # Imported here: the module is loaded anyway if one of its errors was raised.
        from offline_queue.crypto import KeyStoreError
        from offline_queue.outbox import OutboxError

        if not isinstance(exc, (OutboxError, KeyStoreError)):
            raise
        # A queue that cannot be opened (failed migration, damaged file) or keys not
        # where key_source says (credentials not passed by the unit): refuse to start
        # with the reason, exit 3 like `kiosk run` does.
        print(f"kiosk: cannot start: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
