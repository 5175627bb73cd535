//! Prints the busy-strait scenario (1,000 vessels, an hour) as TOML, for `bordersim`:
//!
//! ```text
//! cargo run --release -p borderfuse-sim --example busy_strait > busy_strait.toml
//! time target/release/bordersim generate --scenario busy_strait.toml --out /tmp/strait
//! ```
//!
//! An optional argument sets the seed (default 1).

use anyhow::Context;

fn main() -> anyhow::Result<()> {
    let seed = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .with_context(|| format!("seed {arg:?} is not a number"))?,
        None => 1,
    };
    print!("{}", borderfuse_sim::strait::busy_strait(seed).to_toml()?);
    Ok(())
}
