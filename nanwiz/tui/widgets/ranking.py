"""The live ranking: every cause (and the 'unknown cause' hypothesis) with its probability as a bar.

Rebuilt from the engine's `Ranking` after every answer and probe result; the highlighted
cause stays highlighted when the order changes, so a user reading one cause does not lose it.
Selecting a row asks for that cause's detail (`RankingPanel.CauseSelected`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from nanwiz.engine import Ranking, Scored
from nanwiz.tui.colors import color, on_theme_change, track
from nanwiz.tui.widgets.bar import Bar, pct


class CauseRow:
    """One ranked cause: its title on up to two lines (indented under the rank), then the bar.

    A renderable, not a widget, so that it wraps to the width the panel has at render time.
    """

    TITLE_LINES = 2

    def __init__(self, rank: int, scored: Scored, bar_style: Style):
        self.rank, self.scored, self.bar_style = rank, scored, bar_style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        number = f"{self.rank}. "
        style = "italic" if self.scored.is_unknown else ("bold" if self.rank == 1 else "")
        wrapped = list(Text(self.scored.title, style=style).wrap(console, max(8, width - len(number))))
        lines = wrapped[: self.TITLE_LINES]
        if len(wrapped) > self.TITLE_LINES:
            last = lines[-1]
            last.truncate(max(1, width - len(number) - 1))
            last.rstrip()
            last.append("…")
        for i, line in enumerate(lines):
            yield Text(number if i == 0 else " " * len(number), style="dim") + line
        line = Table.grid(expand=True, padding=(0, 1))
        line.add_column(ratio=1, no_wrap=True)
        line.add_column(width=6, justify="right", no_wrap=True)
        line.add_row(Bar(self.scored.probability, style=self.bar_style, track=self.bar_style),
                     Text(pct(self.scored.probability), style="bold" if self.rank == 1 else ""))
        yield line


class RankingPanel(OptionList):
    """Causes, most likely first, each a `CauseRow`.

    While the user browses the list (it has focus) the highlighted cause is kept when the order
    changes; otherwise the list shows the top.
    """

    @dataclass
    class CauseSelected(Message):
        cause_id: str

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ranking: Ranking | None = None

    def on_mount(self) -> None:
        self.border_title = "Most likely causes"
        on_theme_change(self, lambda: self.show(self.ranking))

    def show(self, ranking: Ranking | None) -> None:
        if ranking is None:
            return
        keep = self.highlighted_cause if self.has_focus else None
        self.ranking = ranking
        self.clear_options()
        self.add_options([Option(self._row(i, s), id=s.cause_id) for i, s in enumerate(ranking.causes, 1)])
        ids = [s.cause_id for s in ranking.causes]
        self.highlighted = ids.index(keep) if keep in ids else 0
        if keep is None:
            self.scroll_home(animate=False)
        self.border_subtitle = "enter: why & how to fix"

    @property
    def highlighted_cause(self) -> str | None:
        if self.highlighted is None or self.option_count == 0:
            return None
        return self.get_option_at_index(self.highlighted).id

    def _row(self, rank: int, scored: Scored) -> CauseRow:
        hue = color(self, "warning" if scored.is_unknown else "primary")
        return CauseRow(rank, scored, Style.parse(f"{hue} on {track(self)}"))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.CauseSelected(event.option.id))
