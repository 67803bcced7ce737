"""atheris harness for targets.check_snappy; usage: python fuzz/fuzz_snappy.py -max_total_time=60"""

from _harness import main

if __name__ == "__main__":
    main("snappy")
