"""dispatchd: run GitHub Actions workflows on repository_dispatch events, anywhere."""

__version__ = "0.1.0"
