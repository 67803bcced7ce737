"""atheris harness for targets.check_aead; usage: python fuzz/fuzz_aead.py -max_total_time=60"""

from _harness import main

if __name__ == "__main__":
    main("aead")
