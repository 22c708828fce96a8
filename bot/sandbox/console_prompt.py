"""The console on a terminal: prompt_toolkit's prompt, with Tab completion, history and arrivals above it.

prompt_toolkit rather than readline: its prompt is awaited on the event loop the emulator and the bot
run on, so a DM that arrives while the person types is printed above the prompt (patch_stdout) and
the line being typed is redrawn; its completer is async, so Tab can send the bot an autocomplete
interaction on that same loop. readline blocks a thread and would garble both.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.patch_stdout import patch_stdout

from .console_complete import suggest

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .console import Console


class SlashCompleter(Completer):
    """Completions for the line before the cursor, as the console's current persona and locale."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        return []  # every completion may ask the bot: only the async path answers

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncIterator[Completion]:
        for found in await suggest(self.console.asker(), document.text_before_cursor):
            yield Completion(found.text, start_position=-found.replace, display=found.shown, display_meta=found.meta)


async def prompt_loop(console: Console, *, input: Input | None = None, output: Output | None = None) -> None:
    """Read lines with a prompt until :quit or Ctrl-D; Ctrl-C drops the line being typed."""
    session: PromptSession[str] = PromptSession(
        completer=SlashCompleter(console),
        complete_while_typing=False,  # only on Tab: each completion may be an interaction with the bot
        history=InMemoryHistory(),
        input=input,
        output=output,
    )
    # On the real terminal, everything printed goes above the prompt; a test gives its own input/output.
    patched = patch_stdout(raw=True) if output is None else contextlib.nullcontext()
    with patched:
        if output is None:
            console.out = sys.stdout
        while True:
            try:
                text = await session.prompt_async(f"{console.current}> ")
            except KeyboardInterrupt:
                continue
            except EOFError:
                return
            if not await console.handle(text):
                return
