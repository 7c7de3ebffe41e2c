#!/usr/bin/python3
"""The desktop e2e's drag source: a small GTK 3 window that offers PATHS as text/uri-list over
XDND, as a file manager does, and starts the drag when button 1 is pressed on it and moved.

Usage: drag_source.py X Y PATH...   (window at X,Y on the root window; there is no window
manager under Xvfb, so the position is taken as given)

Prints "ready X Y W H" (the window's frame on screen) once it is mapped, "fetched" each time a
drop target asks for the data, and "end dropped" or "end failed:<reason>" when the drag ends,
then exits. It stops itself after 120 seconds whatever happens.
"""

import sys
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

SIZE = 160
LIFETIME_SECS = 120


def say(line):
    print(line, flush=True)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    x, y = int(sys.argv[1]), int(sys.argv[2])
    uris = [Path(p).resolve().as_uri() for p in sys.argv[3:]]

    win = Gtk.Window(title="hoist-e2e drag source")
    win.set_decorated(False)
    win.set_default_size(SIZE, SIZE)
    win.move(x, y)
    box = Gtk.EventBox()
    box.add(Gtk.Label(label=f"{len(uris)} items"))
    win.add(box)

    box.drag_source_set(
        Gdk.ModifierType.BUTTON1_MASK,
        [Gtk.TargetEntry.new("text/uri-list", 0, 0)],
        Gdk.DragAction.COPY,
    )

    def data_get(_w, _ctx, data, _info, _time):
        data.set_uris(uris)
        say("fetched")

    failure = []

    def failed(_w, _ctx, result):
        failure.append(result.value_nick)
        # True: no "snap back" animation, which would only delay drag-end.
        return True

    def ended(_w, _ctx):
        # drag-failed, when it fires, comes before drag-end.
        say(f"end failed:{failure[0]}" if failure else "end dropped")
        GLib.idle_add(Gtk.main_quit)

    def mapped(_w, _event):
        origin = win.get_window().get_origin()
        alloc = win.get_allocation()
        say(f"ready {origin.x} {origin.y} {alloc.width} {alloc.height}")

    box.connect("drag-data-get", data_get)
    box.connect("drag-failed", failed)
    box.connect("drag-end", ended)
    win.connect("map-event", mapped)
    win.connect("destroy", Gtk.main_quit)
    GLib.timeout_add_seconds(LIFETIME_SECS, Gtk.main_quit)
    win.show_all()
    Gtk.main()


if __name__ == "__main__":
    main()
