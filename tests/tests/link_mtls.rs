//! mTLS: a mosquitto that wants a client certificate from its CA; the post's certificate
//! gets alerts through, a certificate from another CA is refused with an error that points
//! at the post's certificate.

mod link_support;

use link_support::{
    Mosquitto, Pki, agent_config_file, assert_delivers, assert_refused, free_port, make_pki,
};
use std::path::{Path, PathBuf};

fn mtls_broker(dir: &Path) -> (Mosquitto, Pki) {
    let pki = make_pki(dir, "border");
    let port = free_port();
    let broker = Mosquitto::start(
        dir,
        "broker",
        port,
        &format!(
            "cafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate true\nuse_identity_as_username true\n",
            pki.ca.display(),
            pki.server_cert.display(),
            pki.server_key.display()
        ),
    );
    (broker, pki)
}

fn config_file(dir: &Path, port: u16, ca: &Path, cert: &Path, key: &Path) -> PathBuf {
    let tls = format!(
        "[mqtt.tls]\nca_file = \"{}\"\ncert_file = \"{}\"\nkey_file = \"{}\"\n",
        ca.display(),
        cert.display(),
        key.display()
    );
    agent_config_file(dir, port, "agent", &tls)
}

#[test]
fn the_posts_client_certificate_gets_alerts_through() {
    let dir = tempfile::tempdir().unwrap();
    let (broker, pki) = mtls_broker(dir.path());
    let config = config_file(
        dir.path(),
        broker.port,
        &pki.ca,
        &pki.client_cert,
        &pki.client_key,
    );
    assert_delivers(&config, &broker);
}

#[test]
fn a_client_certificate_from_another_ca_is_refused_with_an_error_about_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (broker, pki) = mtls_broker(dir.path());
    let other = make_pki(dir.path(), "elsewhere");
    let config = config_file(
        dir.path(),
        broker.port,
        &pki.ca,
        &other.client_cert,
        &other.client_key,
    );
    assert_refused(
        &config,
        "a stranger's certificate gets nothing through",
        &["TLS: received fatal alert", "mqtt.tls.cert_file"],
    );
}
