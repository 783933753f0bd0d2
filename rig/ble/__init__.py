"""The shoe on Bluetooth LE: the Running Speed and Cadence service over Bumble, and a phone app to watch it."""
