"""python -m rig: the same as the `rig` command."""

from rig.entry import main

raise SystemExit(main())
