"""Coverage-guided fuzzing of kcpcore's sans-I/O decoders (atheris / libFuzzer).

``targets.py`` holds one pure ``check_*(data: bytes)`` function per decoder; the ``fuzz_*.py``
scripts wrap them for atheris, and ``tests/fuzz`` replays the saved crashing inputs through the
same functions, so a regression test and the fuzzer can never disagree about what a crash is.
See ``fuzz/README.md`` for how to run them.
"""
