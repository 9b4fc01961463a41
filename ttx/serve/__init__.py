"""Serving seat consoles to browsers: seat-code sign-in, one server-side console process a signed-in tab (textual-serve)."""
