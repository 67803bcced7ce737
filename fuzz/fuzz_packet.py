"""atheris harness for targets.check_packet; usage: python fuzz/fuzz_packet.py -max_total_time=60"""

from _harness import main

if __name__ == "__main__":
    main("packet")
