"""Include flags for //third_party:pango_cairo (pkg-config --cflags pangocairo).

Directories under /usr/include, which the toolchain already treats as system
headers; glibconfig.h (under /usr/lib) comes from @glib_config instead.
"""

PANGO_CAIRO_COPTS = [
    "-isystem/usr/include/pango-1.0",
    "-isystem/usr/include/glib-2.0",
    "-isystem/usr/include/harfbuzz",
    "-isystem/usr/include/freetype2",
    "-isystem/usr/include/cairo",
]
