"""atheris harness for targets.check_qpp; usage: python fuzz/fuzz_qpp.py -max_total_time=60"""

from _harness import main

if __name__ == "__main__":
    main("qpp")
