"""The exercise engine: events, commands, the state fold, lifecycle and phase machines, clock, scheduler, controller."""
