"""What changes the state of calls and applications, one module per workflow area."""
