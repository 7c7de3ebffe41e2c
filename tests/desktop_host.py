#!/usr/bin/python3
"""The parts of a desktop around the app that a bare Xvfb lacks, for tests and benchmarks:

  host FILE          a StatusNotifier tray host on the session bus; each registered tray icon
                     is appended to FILE as "BUS-NAME OBJECT-PATH" (runs until killed)
  click FILE LABEL   clicks the menu item LABEL of the tray icon registered in FILE, through the
                     icon's exported menu (com.canonical.dbusmenu), as a tray host does
  close TITLE        asks each top-level X window named TITLE to close (WM_DELETE_WINDOW), as
                     a window manager's close button does
  grab FILE          saves what the X screen shows as a PNG (no automation inside the app)

The app's own code runs unchanged: the real tray menu handler and the real close request.
"""
import ctypes
import ctypes.util
import sys
import time

WATCHER = "org.kde.StatusNotifierWatcher"


def host(out_path):
    import dbus
    import dbus.service
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()

    class Watcher(dbus.service.Object):
        def __init__(self):
            super().__init__(bus, "/StatusNotifierWatcher")
            self.items = []

        @dbus.service.method(WATCHER, in_signature="s", out_signature="", sender_keyword="sender")
        def RegisterStatusNotifierItem(self, service, sender=None):
            path = service if service.startswith("/") else "/StatusNotifierItem"
            name = sender if service.startswith("/") else service
            self.items.append(f"{name}{path}")
            with open(out_path, "a") as f:
                f.write(f"{name} {path}\n")
            self.StatusNotifierItemRegistered(f"{name}{path}")

        @dbus.service.method(WATCHER, in_signature="s", out_signature="")
        def RegisterStatusNotifierHost(self, service):
            pass

        @dbus.service.signal(WATCHER, signature="s")
        def StatusNotifierItemRegistered(self, item):
            pass

        @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
        def Get(self, iface, prop):
            return self.GetAll(iface)[prop]

        @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
        def GetAll(self, iface):
            return {
                "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
                "IsStatusNotifierHostRegistered": dbus.Boolean(True),
                "ProtocolVersion": dbus.Int32(0),
            }

    watcher = Watcher()
    name = dbus.service.BusName(WATCHER, bus)
    # The file appears once the name is owned: a test waits for it before starting the app.
    open(out_path, "a").close()
    GLib.MainLoop().run()
    del watcher, name


def click(reg_path, label):
    import dbus

    bus = dbus.SessionBus()
    deadline = time.time() + 20
    while True:
        lines = [l.split() for l in open(reg_path).read().splitlines() if l.strip()]
        if lines or time.time() > deadline:
            break
        time.sleep(0.05)
    if not lines:
        sys.exit("no tray icon registered")
    name, path = lines[-1]
    item = bus.get_object(name, path)
    menu_path = item.Get("org.kde.StatusNotifierItem", "Menu", dbus_interface=dbus.PROPERTIES_IFACE)
    menu = dbus.Interface(bus.get_object(name, menu_path), "com.canonical.dbusmenu")

    def find(node):
        ident, props, children = node
        if str(props.get("label", "")).replace("_", "") == label:
            return int(ident)
        for c in children:
            found = find(c)
            if found is not None:
                return found
        return None

    while True:
        _, layout = menu.GetLayout(0, -1, ["label"])
        ident = find(layout)
        if ident is not None or time.time() > deadline:
            break
        time.sleep(0.05)
    if ident is None:
        sys.exit(f"no tray menu item {label!r}")
    menu.Event(ident, "clicked", dbus.Int32(0, variant_level=1), dbus.UInt32(0))


class ClientMessage(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]


def close(title):
    x = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11"))
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XDefaultRootWindow.restype = ctypes.c_ulong
    x.XInternAtom.restype = ctypes.c_ulong
    x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong] + [ctypes.c_void_p] * 4
    x.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
    x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XFree.argtypes = [ctypes.c_void_p]
    d = x.XOpenDisplay(None)
    if not d:
        sys.exit("no X display")
    root = x.XDefaultRootWindow(d)
    r, p = ctypes.c_ulong(), ctypes.c_ulong()
    children, n = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    x.XQueryTree(d, root, ctypes.byref(r), ctypes.byref(p), ctypes.byref(children), ctypes.byref(n))
    protocols = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
    delete = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
    sent = 0
    for i in range(n.value):
        w = children[i]
        name = ctypes.c_char_p()
        if x.XFetchName(d, w, ctypes.byref(name)) and name.value:
            matches = name.value.decode(errors="replace") == title
            x.XFree(name)
            if matches:
                ev = XEvent()
                ev.xclient.type = 33  # ClientMessage
                ev.xclient.window = w
                ev.xclient.message_type = protocols
                ev.xclient.format = 32
                ev.xclient.data[0] = delete
                ev.xclient.data[1] = 0  # CurrentTime
                x.XSendEvent(d, w, 0, 0, ctypes.byref(ev))
                sent += 1
    x.XFlush(d)
    if children:
        x.XFree(children)
    if not sent:
        sys.exit(f"no window named {title!r}")


def grab(path):
    import gi

    gi.require_version("Gdk", "3.0")
    from gi.repository import Gdk

    root = Gdk.get_default_root_window()
    shot = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height())
    shot.savev(path, "png", [], [])


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"host": host, "click": click, "close": close, "grab": grab}[cmd](*args)
