"""atheris harness for targets.check_smux; usage: python fuzz/fuzz_smux.py -max_total_time=60"""

from _harness import main

if __name__ == "__main__":
    main("smux")
