//! TLS: the link speaks TLS (rustls) to a mosquitto that wants a user name and password;
//! the right password gets alerts through, a wrong one and a broker certificate from an
//! unknown CA are refused with errors that say what to fix.

mod link_support;

use link_support::{
    Mosquitto, agent_config_file, assert_delivers, assert_refused, free_port, make_pki,
    password_file,
};
use std::path::{Path, PathBuf};

fn tls_broker(dir: &Path) -> (Mosquitto, link_support::Pki) {
    let pki = make_pki(dir, "border");
    let passwd = password_file(dir, "samos-east", "right horse battery");
    let port = free_port();
    let broker = Mosquitto::start(
        dir,
        "broker",
        port,
        &format!(
            "allow_anonymous false\npassword_file {}\ncafile {}\ncertfile {}\nkeyfile {}\n",
            passwd.display(),
            pki.ca.display(),
            pki.server_cert.display(),
            pki.server_key.display()
        ),
    );
    (broker, pki)
}

/// An agent config for user samos-east with `password`, trusting the CA in `ca`.
fn tls_config(dir: &Path, broker: &Mosquitto, password: &str, ca: &Path) -> PathBuf {
    agent_config_file(
        dir,
        broker.port,
        "agent",
        &format!(
            "username = \"samos-east\"\npassword = \"{password}\"\n[mqtt.tls]\nca_file = \"{}\"\n",
            ca.display()
        ),
    )
}

#[test]
fn tls_with_the_right_password_delivers_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let (broker, pki) = tls_broker(dir.path());
    let config = tls_config(dir.path(), &broker, "right horse battery", &pki.ca);
    assert_delivers(&config, &broker);
}

#[test]
fn a_wrong_password_is_refused_with_an_error_that_names_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (broker, pki) = tls_broker(dir.path());
    let config = tls_config(dir.path(), &broker, "wrong", &pki.ca);
    assert_refused(
        &config,
        "a wrong password gets nothing through",
        &[
            "the broker refused the connection",
            "check mqtt.username and mqtt.password",
            "timed out",
        ],
    );
}

#[test]
fn a_broker_certificate_from_an_unknown_ca_is_refused_with_an_error_about_the_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let (broker, _) = tls_broker(dir.path());
    let other = make_pki(dir.path(), "elsewhere");
    let config = tls_config(dir.path(), &broker, "right horse battery", &other.ca);
    assert_refused(
        &config,
        "an untrusted broker gets nothing",
        &[
            "TLS: invalid peer certificate: UnknownIssuer",
            "mqtt.tls.ca_file",
        ],
    );
}
