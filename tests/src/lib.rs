//! borderfuse's end-to-end tests live in `tests/tests/`: each runs real pieces together
//! (pseudo-terminal serial ports, the agent, a real MQTT broker, a subscriber).
