"""Wire formats, one module each, registered by name in `DIALECTS`."""

