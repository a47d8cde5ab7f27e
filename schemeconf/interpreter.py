"""The front door: evaluate a configuration file or expression.

    interp = Interpreter(load_path=[Path("my-modules")])
    value = interp.load_file(Path("my-os.scm"))      # value of the last form
    value = interp.eval_string("(+ 1 2)")

Like `guix system`, a file is loaded into a fresh user module that already
imports (gnu system), (gnu services) and (gnu system shadow).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import builtins, derived, discovery, filelike, match, modules, records, syntax_rules  # noqa: F401  (registration)
from .budget import Clock, memory_exceeded_at
from .datum import Pair, from_list, sym
from .errors import ConfigError, EvalLimit, SchemeError
from .modules import Loader, Module, interface_from_spec, run_forms
from .reader import read_all, read_file
from .source import SourceFile, Span
from .vocabulary import vocabulary_for

USER_MODULE_IMPORTS = [("gnu", "system"), ("gnu", "services"), ("gnu", "system", "shadow")]

DEFAULT_TIME_LIMIT = 300.0  # seconds per load_file/eval_string; real configurations take a few
_STACK_BYTES = 512 * 1024 * 1024
_RECURSION_LIMIT = 60_000


class Interpreter:
    """TIME_LIMIT (seconds, None: no limit) bounds each `load_file`/`eval_string`."""

    def __init__(self, load_path: list[Path] | None = None, *, default_imports=USER_MODULE_IMPORTS,
                 time_limit: float | None = DEFAULT_TIME_LIMIT):
        self.loader = Loader(list(load_path or []), vocabulary_for)
        self.default_imports = default_imports
        self.time_limit = time_limit
        self._counter = 0
        # Where the last top-level form of the last loaded file starts: the place
        # to report a file whose value is not an operating system or image.
        self.last_form_span: Span | None = None
        # The module the last loaded file was evaluated in.
        self.last_module: Module | None = None

    def host_inputs(self) -> tuple[list[str], list[str]]:
        """What the configuration read from the host so far: (sorted absolute paths
        of the files it read, local-file, include and modules outside pyguix's own
        Scheme; sorted names of the environment variables it read with getenv)."""
        return sorted(self.loader.host_files), sorted(self.loader.host_env)

    def user_module(self) -> Module:
        """A fresh `(guile-user)` module with Guix's default imports."""
        self._counter += 1
        module = Module(("guile-user", str(self._counter)), self.loader)
        for name in self.default_imports:
            module.use(interface_from_spec(_name_datum(name), self.loader, None))
        return module

    def load_file(self, path: Path, module: Module | None = None) -> Any:
        def run() -> Any:
            self.loader.note_host_file(path)
            source, forms = read_file(path, cache=True)
            self.loader.sources[source.name] = source
            if not forms:
                raise ConfigError("the file is empty: it must end with an operating-system, image or image-type",
                                  Span(source, 1, 1), "see the samples/ directory for complete configurations")
            last = forms[-1]
            self.last_form_span = last.span if type(last) is Pair and last.span else forms.spans[-1]
            self.last_module = module or self.user_module()
            return run_forms(forms, self.last_module)

        return self._run(run)

    def eval_string(self, text: str, name: str = "<expression>", module: Module | None = None) -> Any:
        def run() -> Any:
            source = SourceFile(name, text)
            forms = read_all(text, source)
            return run_forms(forms, module or self.user_module())

        return self._run(run)

    def _run(self, fn: Callable[[], Any]) -> Any:
        saved = Clock.start(self.time_limit)
        try:
            return run_deep(fn)
        finally:
            Clock.restore(saved)

    def module(self, name: tuple[str, ...]) -> Module:
        return run_deep(lambda: self.loader.load(name))


def _name_datum(name: tuple[str, ...]):
    return from_list([sym(n) for n in name])


def run_deep(fn: Callable[[], Any]) -> Any:
    """Run FN in a thread with a large stack, so deep (non-tail) recursion works
    as in Guile, and runaway recursion becomes a clean error instead of a crash."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = fn()
        except RecursionError:
            result["error"] = EvalLimit(
                "recursion too deep (runaway recursion?)", None,
                "a procedure keeps calling itself without reaching its base case",
            )
        except MemoryError:
            result["error"] = memory_exceeded_at(None)
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = e

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size()
    sys.setrecursionlimit(_RECURSION_LIMIT)
    threading.stack_size(_STACK_BYTES)
    try:
        thread = threading.Thread(target=target, name="scheme", daemon=True)
        thread.start()
    finally:
        threading.stack_size(old_size)
    try:
        while thread.is_alive():
            thread.join(0.1)
    finally:
        sys.setrecursionlimit(old_limit)
    if "error" in result:
        error = result["error"]
        if isinstance(error, EvalLimit):
            # Its Python traceback is tens of thousands of frames deep: useless
            # and very slow to format.
            raise error.with_traceback(None)
        raise error
    return result.get("value")


__all__ = ["Interpreter", "SchemeError", "run_deep"]
