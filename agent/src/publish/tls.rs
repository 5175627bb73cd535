//! TLS to the broker: a rustls client configuration on the ring provider, built from the PEM
//! files of `[mqtt.tls]`, with errors that name the key at fault.

use crate::config::{ConfigError, MqttConfig, invalid};
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::sync::Arc;

fn read(key: &str, path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| invalid(key, format!("cannot read {}: {e}", path.display())))
}

fn certificates(key: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let pem = read(key, path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            invalid(
                key,
                format!("{} is not a PEM certificate file: {e}", path.display()),
            )
        })?;
    if certs.is_empty() {
        return Err(invalid(
            key,
            format!(
                "{} holds no certificate (expected PEM \"BEGIN CERTIFICATE\" blocks)",
                path.display()
            ),
        ));
    }
    Ok(certs)
}

/// The rustls client configuration for `[mqtt.tls]`, or `None` without TLS.
pub fn client_config(mqtt: &MqttConfig) -> Result<Option<Arc<rustls::ClientConfig>>, ConfigError> {
    let Some(tls) = &mqtt.tls else {
        return Ok(None);
    };
    let mut roots = RootCertStore::empty();
    for (i, cert) in certificates("mqtt.tls.ca_file", &tls.ca_file)?
        .into_iter()
        .enumerate()
    {
        roots.add(cert).map_err(|e| {
            invalid(
                "mqtt.tls.ca_file",
                format!(
                    "certificate {} of {} is not a usable CA certificate: {e}",
                    i + 1,
                    tls.ca_file.display()
                ),
            )
        })?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid("mqtt.tls", format!("no TLS version available: {e}")))?
        .with_root_certificates(roots);
    let config = match (&tls.cert_file, &tls.key_file) {
        (None, None) => builder.with_no_client_auth(),
        (Some(_), None) => {
            return Err(invalid(
                "mqtt.tls.key_file",
                "missing: mqtt.tls.cert_file needs its private key",
            ));
        }
        (None, Some(_)) => {
            return Err(invalid(
                "mqtt.tls.cert_file",
                "missing: mqtt.tls.key_file is given without its certificate",
            ));
        }
        (Some(cert_file), Some(key_file)) => {
            let chain = certificates("mqtt.tls.cert_file", cert_file)?;
            let pem = read("mqtt.tls.key_file", key_file)?;
            let key = PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
                invalid(
                    "mqtt.tls.key_file",
                    format!(
                        "{} holds no PEM private key (PKCS#8, PKCS#1 or SEC1): {e}",
                        key_file.display()
                    ),
                )
            })?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                invalid(
                    "mqtt.tls.key_file",
                    format!(
                        "{} cannot be used with the certificate of {}: {e}",
                        key_file.display(),
                        cert_file.display()
                    ),
                )
            })?
        }
    };
    Ok(Some(Arc::new(config)))
}
