"""atheris harness for targets.check_kcp; usage: python fuzz/fuzz_kcp.py -max_total_time=60"""

from _harness import main

if __name__ == "__main__":
    main("kcp")
