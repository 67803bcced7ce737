"""atheris harness for targets.check_segment.

Usage: python fuzz/fuzz_segment.py -max_total_time=60
"""

from _harness import main

if __name__ == "__main__":
    main("segment")
