//! Share: what leaves the post, and how a receiver trusts it.
//!
//! - [`sign`]: every alert payload is signed with the post's Ed25519 key. The payload object
//!   gains `"key_id"` (16 lower-case hex digits: the first 8 bytes of SHA-256 of the raw
//!   32-byte public key) and `"signature"` (standard base64, with padding, of the 64-byte
//!   Ed25519 signature over the UTF-8 bytes of the [canonical] form (RFC 8785) of
//!   the object without its `signature` member, `key_id` included). A receiver needs only
//!   the JSON and the sender's public key: [`verify`].
//! - [`policy`]: which partner gets which alert kinds and which fields on which topic,
//!   with plate numbers replaced by keyed hashes ([`plate`]) unless the partner is cleared
//!   for them. Nothing is shared that the configuration does not list.
//! - [`cli`]: the library side of `borderfuse-agent keygen` and `borderfuse-agent verify`.
//!
//! `schemas/README.md` at the repository root documents the payloads for receivers.

pub mod canonical;
pub mod cli;
pub mod plate;
pub mod policy;
pub mod sign;

pub use cli::{KeyPaths, KeygenError, VerifySummary, keygen, plate_keygen, verify_lines};
pub use plate::{PlateKey, normalise_plate};
pub use policy::{Outgoing, Policy, PolicyError, SetupError, SharingConfig, SigningConfig};
pub use sign::{
    KeyError, KeyId, Keyring, KeyringError, Signer, TrustedKey, VerifiedAlert, VerifyError, verify,
};

use std::fmt;

/// Every alert kind of DESIGN.md, as payloads and topics name them. A sharing policy may
/// list only these (or `"*"`).
pub const ALERT_KINDS: [&str; 9] = [
    "dark_target",
    "ais_gap",
    "ais_spoofing",
    "zone_entry",
    "loitering",
    "rendezvous",
    "plate_hotlist",
    "plate_clone",
    "repeat_crossing",
];

/// A border post: the country and post a signing key speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    country: String,
    post: String,
}

/// Why a country or post name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// Not two upper-case ASCII letters.
    #[error("{0:?} is not an ISO 3166-1 alpha-2 code (two upper-case letters)")]
    Country(String),
    /// Not 1-64 characters of `a-z`, `0-9`, `-` and `_`.
    #[error("{0:?} must be 1-64 characters of a-z, 0-9, '-' and '_'")]
    Post(String),
    /// Not of the form `CC/post`.
    #[error("{0:?} is not of the form COUNTRY/post, e.g. GR/samos-east")]
    Form(String),
}

impl Origin {
    /// The post `post` of country `country`, checked as the agent's config checks them
    /// (both are MQTT topic levels).
    pub fn new(country: &str, post: &str) -> Result<Origin, OriginError> {
        if !is_country(country) {
            return Err(OriginError::Country(country.to_owned()));
        }
        if !is_topic_name(post) {
            return Err(OriginError::Post(post.to_owned()));
        }
        Ok(Origin {
            country: country.to_owned(),
            post: post.to_owned(),
        })
    }

    /// Parses `CC/post` (how [`Origin`] displays).
    pub fn parse(text: &str) -> Result<Origin, OriginError> {
        let (country, post) = text
            .split_once('/')
            .ok_or_else(|| OriginError::Form(text.to_owned()))?;
        Origin::new(country, post)
    }

    /// ISO 3166-1 alpha-2 country code.
    pub fn country(&self) -> &str {
        &self.country
    }

    /// Post id.
    pub fn post(&self) -> &str {
        &self.post
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.country, self.post)
    }
}

/// Two upper-case ASCII letters.
fn is_country(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// 1-64 characters of `a-z`, `0-9`, `-` and `_`: safe as an MQTT topic level and a file name.
fn is_topic_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_displays_and_parses_as_country_slash_post() {
        let o = Origin::new("GR", "samos-east").unwrap();
        assert_eq!(o.to_string(), "GR/samos-east");
        assert_eq!(Origin::parse("GR/samos-east").unwrap(), o);
    }

    #[test]
    fn an_origin_refuses_names_that_are_not_topic_levels() {
        assert_eq!(
            Origin::new("Greece", "x"),
            Err(OriginError::Country("Greece".into()))
        );
        assert_eq!(
            Origin::new("GR", "samos/east"),
            Err(OriginError::Post("samos/east".into()))
        );
        assert_eq!(
            Origin::parse("GR-samos"),
            Err(OriginError::Form("GR-samos".into()))
        );
        assert!(Origin::new("GR", "").is_err());
        assert!(Origin::new("GR", "../etc").is_err());
    }

    #[test]
    fn the_agent_s_alert_kinds_are_among_the_shareable_kinds() {
        for kind in crate::detect::AlertKind::ALL {
            assert!(ALERT_KINDS.contains(&kind.as_str()), "{kind:?}");
        }
    }
}
