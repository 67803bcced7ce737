"""The built-in demo: a server and a client profile on loopback, joined by a lossy relay.

``relay`` (lossy UDP relay) and ``traffic`` (echo target, traffic generator) import no Qt;
``controller`` wires them to two transient profiles run by the normal tunnel controllers,
so the demo exercises exactly the code paths a real profile uses.
"""
