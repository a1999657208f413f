#!/usr/bin/python3
"""Closes a program's windows the way their title bar's close button does, with no window manager
running (as under Xvfb): sends WM_DELETE_WINDOW to every window whose _NET_WM_PID is PID and that
takes that message. Usage: close-window.py PID (DISPLAY set). Needs python3-xlib (Debian's Python).
Exits 1 if no window matched."""
import sys

from Xlib import X, display
from Xlib.protocol import event

pid = int(sys.argv[1])
screen = display.Display()
protocols = screen.intern_atom("WM_PROTOCOLS")
delete = screen.intern_atom("WM_DELETE_WINDOW")
wm_pid = screen.intern_atom("_NET_WM_PID")


def windows(window):
    yield window
    try:
        children = window.query_tree().children
    except Exception:  # the window went away while we walked the tree
        return
    for child in children:
        yield from windows(child)


closed = 0
for window in windows(screen.screen().root):
    try:
        owner = window.get_full_property(wm_pid, X.AnyPropertyType)
        takes_delete = delete in (window.get_wm_protocols() or [])
    except Exception:
        continue
    if owner and owner.value and owner.value[0] == pid and takes_delete:
        message = event.ClientMessage(window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0]))
        window.send_event(message, event_mask=X.NoEventMask)
        closed += 1
screen.flush()
print(f"sent WM_DELETE_WINDOW to {closed} window(s) of pid {pid}")
sys.exit(0 if closed else 1)
