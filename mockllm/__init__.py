"""mockllm: a mock LLM streaming server for frontend work."""

__version__ = "0.1.0"
