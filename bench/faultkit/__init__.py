"""The fault-test harness behind ``bench/faults`` (see bench/README.md)."""
