"""Qt objects that own engines and profiles; views talk to these, never to kcpcore internals."""
