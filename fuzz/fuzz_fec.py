"""atheris harness for targets.check_fec; usage: python fuzz/fuzz_fec.py -max_total_time=60"""

from _harness import main

if __name__ == "__main__":
    main("fec")
