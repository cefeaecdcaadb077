"""Importing this module loads what extraction needs (``etl.extract.extract.preload``): named in
a fork server's preload list, its forked processes share it."""

from etl.extract.extract import preload

preload()
