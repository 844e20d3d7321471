"""The parts of a quick page turn (issue 16) that need no running app: which keys may go
straight to the bindings, whether a screen's widgets cover it, a line cut to its width."""

from __future__ import annotations

from textual import events, on
from textual.geometry import Region
from textual.widget import Widget

from reader.ui.typeahead import straight_to_bindings
from reader.ui.widgets.rows import covered
from reader.ui.widgets.status_line import fitted


class Plain(Widget):
    pass


class WithKeyMethod(Widget):
    def key_space(self) -> None:
        pass


class WithOnKey(Widget):
    def on_key(self, event: events.Key) -> None:
        pass


class WithHandler(Widget):
    @on(events.Key)
    def handled(self, event: events.Key) -> None:
        pass


class Below(Plain):  # takes keys through nothing of its own, but its parent might
    pass


def test_a_key_no_widget_takes_goes_straight_to_the_bindings() -> None:
    space = events.Key("space", " ")
    assert straight_to_bindings(space, Plain())
    assert not straight_to_bindings(space, WithKeyMethod())
    assert straight_to_bindings(events.Key("x", "x"), WithKeyMethod())  # key_space is not x's
    assert not straight_to_bindings(space, WithOnKey())
    assert not straight_to_bindings(space, WithHandler())
    assert not straight_to_bindings(events.Paste("text"), Plain())


def test_a_parent_that_takes_keys_keeps_them_from_the_bindings() -> None:
    child, parent = Below(), WithOnKey()
    child._attach(parent)
    assert not straight_to_bindings(events.Key("space", " "), child)


def test_a_screen_is_covered_only_when_every_cell_is() -> None:
    screen = object()
    title, page, status = object(), object(), object()
    whole = Region(0, 0, 100, 30)
    widgets = {
        title: (Region(0, 0, 100, 1), whole),
        page: (Region(0, 1, 100, 28), whole),
        status: (Region(0, 29, 100, 1), whole),
        screen: (whole, whole),
    }
    assert covered(screen, widgets, whole)  # type: ignore[arg-type]
    widgets[status] = (Region(0, 29, 99, 1), whole)  # one cell left bare
    assert not covered(screen, widgets, whole)  # type: ignore[arg-type]
    widgets[status] = (Region(0, 29, 100, 1), Region(0, 0, 100, 29))  # clipped away
    assert not covered(screen, widgets, whole)  # type: ignore[arg-type]
    left, right = object(), object()  # side by side, overlapping
    widgets = {left: (Region(0, 0, 60, 30), whole), right: (Region(50, 0, 50, 30), whole)}
    assert covered(screen, widgets, whole)  # type: ignore[arg-type]


def test_a_line_too_long_ends_in_an_ellipsis_within_its_width() -> None:
    assert fitted("Chapter 1", 20) == "Chapter 1"
    assert fitted("Chapter 1: Dead Air", 10) == "Chapter 1…"
    assert fitted("日本語の章", 5) == "日本…"  # two cells a character: 4 cells and the "…"
    assert fitted("anything", 0) == ""
