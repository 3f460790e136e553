"""Wire formats, one module each, registered by name in `DIALECTS`."""

from . import openai
from .base import DIALECTS, Dialect, Incoming, RequestError

__all__ = ["DIALECTS", "Dialect", "Incoming", "RequestError", "openai"]
