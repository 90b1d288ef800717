"""Settings package: ``base`` (development defaults), ``test`` and ``production``."""
