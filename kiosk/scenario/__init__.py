"""`kiosk scenario`: drive the real UI offscreen, step by step, against simulators."""
