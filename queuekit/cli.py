"""The ``queuekit`` command: one entry point, one module per subcommand.

Exit codes are a contract for CI: 0 ok, 1 a policy/budget/verification failure, 2 invalid
input (the spec, a flag, a file). Bad input never shows a traceback; an unexpected internal
error prints one line (set ``QUEUEKIT_DEBUG=1`` for the traceback) and exits 3.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Subcommand modules, each with register(subparsers). cost/ and policies/ own their commands.
COMMAND_MODULES = (
    "queuekit.commands.validate",
    "queuekit.commands.plan",
    "cost.cli",
    "queuekit.commands.check",
    "queuekit.commands.local",
    "queuekit.commands.verify",
    "queuekit.commands.render",
)

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors too: keep that
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="queuekit", description="Queue topologies as code: plan, cost and check them offline.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("QUEUEKIT_DEBUG"):
            raise
        print(f"queuekit: internal error: {type(exc).__name__}: {exc} (set QUEUEKIT_DEBUG=1 for details)",
              file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
