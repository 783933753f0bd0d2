"""What the emulators need to look like the shoe's sensor chip (RTL model, emulator settings)."""
