"""atheris harness for targets.check_crypt; usage: python fuzz/fuzz_crypt.py -max_total_time=60"""

from _harness import main

if __name__ == "__main__":
    main("crypt")
