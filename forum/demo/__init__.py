"""Demo content: `flask forum demo`. Facts from the old site; every sentence our own."""
from .loader import load

__all__ = ["load"]
