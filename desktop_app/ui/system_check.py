"""Can the window start on this machine? Asked before Qt loads, because Qt's own answer is an abort.

On Linux, Qt's X11 platform plugin (xcb) needs about twenty system libraries that a fresh
desktop or server install may lack. When one is missing Qt prints a misleading hint
("xcb-cursor0 or libxcb-cursor0 is needed", even when that one is present) and aborts with
a core dump; without any display it aborts too. `window_problem()` finds these cases first
and returns one sentence naming what is missing and the Debian/Ubuntu line that installs it.
Wayland sessions and other platforms (QT_QPA_PLATFORM=offscreen, wayland, …) are not
blocked; macOS and Windows wheels carry what they need. No Qt import here.

The lists are the NEEDED entries (`readelf -d`) of PySide6's libQt6Gui.so.6 (every
platform) and of plugins/platforms/libqxcb.so with libQt6XcbQpa.so.6 (X11 only), less what
PySide6 ships itself (ICU, Qt) and the C/C++ runtime; checked on Debian 12 with PySide6 6.11
(`dpkg -S` for the installed ones, `dpkg -c` of the downloaded packages for the others).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# soname → Debian/Ubuntu package. Needed to import QtGui at all, whatever the platform.
QT_GUI_LIBRARIES = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11.so.6": "libx11-6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
}
# Needed by the X11 platform plugin (xcb), the default on Linux desktops.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}

NO_DISPLAY = ("no display: run it on a desktop session, or use the mldesk CLI / set "
              "QT_QPA_PLATFORM=offscreen for a headless screenshot.")


def loadable(soname: str) -> bool:
    """Whether the dynamic loader finds `soname` (and what it needs) as Qt will ask for it."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def x_display_reachable(display: str) -> bool:
    """Whether an X connection to `display` opens (what Qt's xcb plugin does first, and aborts on)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.restype = ctypes.c_int
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)  # never NULL: an error object at worst
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def apt_packages(sonames) -> list[str]:
    """The Debian/Ubuntu packages that provide `sonames`, each once, in order."""
    table = {**QT_GUI_LIBRARIES, **XCB_LIBRARIES}
    return list(dict.fromkeys(table[s] for s in sonames))


def uses_xcb(environ: Mapping[str, str]) -> bool:
    """Whether Qt will pick its X11 plugin: QT_QPA_PLATFORM unset or xcb, and not a Wayland session
    (where Qt tries Wayland first)."""
    chosen = environ.get("QT_QPA_PLATFORM", "").strip().lower()
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    wayland_session = environ.get("XDG_SESSION_TYPE", "").lower() == "wayland" or not environ.get("DISPLAY")
    return not (environ.get("WAYLAND_DISPLAY") and wayland_session)


def window_problem(environ: Mapping[str, str] | None = None, platform: str | None = None,
                   finder: Callable[[str], bool] = loadable,
                   reachable: Callable[[str], bool] = x_display_reachable) -> str | None:
    """One sentence saying why the window cannot start here, or None when it can (as far as we can tell).

    `finder(soname)` says whether a library loads, `reachable(display)` whether an X display
    answers (tests give fake ones).
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    xcb = uses_xcb(environ)
    if xcb and not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return NO_DISPLAY
    wanted = list(QT_GUI_LIBRARIES) + (list(XCB_LIBRARIES) if xcb else [])
    missing = [soname for soname in wanted if not finder(soname)]
    if not missing:
        display = environ.get("DISPLAY", "")
        if xcb and display and not reachable(display):
            return (f"cannot connect to the display {display} (DISPLAY): run it on a desktop session or check "
                    "DISPLAY and X forwarding, or use the mldesk CLI / set QT_QPA_PLATFORM=offscreen for a "
                    "headless screenshot.")
        return None
    what = "the window" if all(s in QT_GUI_LIBRARIES for s in missing) else "the window on X11 (Qt's xcb platform)"
    return (f"the system {'library' if len(missing) == 1 else 'libraries'} {', '.join(missing)} that "
            f"{what} needs {'is' if len(missing) == 1 else 'are'} missing — on Debian or Ubuntu install "
            f"{'it' if len(missing) == 1 else 'them'} with: sudo apt-get install {' '.join(apt_packages(missing))} "
            "(the mldesk CLI works without them).")
