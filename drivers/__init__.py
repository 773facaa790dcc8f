"""Device drivers: connection strings, the shared device base (states, errors,
statistics, status callbacks), one module per device kind, and simulators that speak
each device's real protocol over a real transport (drivers.simulators). Qt-free."""
