//! The example config shipped in the repository stays valid.

#[test]
fn the_shipped_example_config_is_valid() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/agent.example.toml");
    let config = borderfuse_agent::config::Config::load(std::path::Path::new(path)).unwrap();
    assert_eq!(config.sources.len(), 2);
    assert_eq!(config.nmea_sources.len(), 1);
    assert_eq!(config.radars[0].node_id, 17);
}
