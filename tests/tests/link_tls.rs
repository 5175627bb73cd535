//! TLS: the link speaks TLS (rustls) to a mosquitto that wants a user name and password;
//! the right password gets alerts through, a wrong one and a broker certificate from an
//! unknown CA are refused with errors that say what to fix.

mod link_support;

use link_support::{
    Mosquitto, agent_config_text, free_port, make_pki, password_file, run_link_test,
};

fn tls_broker(dir: &std::path::Path) -> (Mosquitto, link_support::Pki) {
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

fn config_file(dir: &std::path::Path, port: u16, name: &str, extra: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        agent_config_text(port, &dir.join(format!("{name}-outbox")), extra),
    )
    .unwrap();
    path
}

#[test]
fn tls_with_the_right_password_delivers_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let (broker, pki) = tls_broker(dir.path());
    let config = config_file(
        dir.path(),
        broker.port,
        "agent",
        &format!(
            "username = \"samos-east\"\npassword = \"right horse battery\"\n[mqtt.tls]\nca_file = \"{}\"\n",
            pki.ca.display()
        ),
    );
    let (ok, stdout, stderr) = run_link_test(
        &config,
        &["--count", "20", "--rate", "0", "--timeout", "30"],
    );
    assert!(ok, "{stdout}\n{stderr}\n{}", broker.log());
    assert!(
        stdout.contains("20 alerts raised, 20 acknowledged"),
        "{stdout}"
    );
}

#[test]
fn a_wrong_password_is_refused_with_an_error_that_names_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (broker, pki) = tls_broker(dir.path());
    let config = config_file(
        dir.path(),
        broker.port,
        "agent",
        &format!(
            "username = \"samos-east\"\npassword = \"wrong\"\n[mqtt.tls]\nca_file = \"{}\"\n",
            pki.ca.display()
        ),
    );
    let (ok, stdout, stderr) = run_link_test(&config, &["--count", "1", "--timeout", "3"]);
    assert!(!ok, "a wrong password gets nothing through: {stdout}");
    assert!(
        stderr.contains("the broker refused the connection"),
        "{stderr}"
    );
    assert!(
        stderr.contains("check mqtt.username and mqtt.password"),
        "{stderr}"
    );
    assert!(stderr.contains("timed out"), "{stderr}");
}

#[test]
fn a_broker_certificate_from_an_unknown_ca_is_refused_with_an_error_about_the_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let (broker, _) = tls_broker(dir.path());
    let other = make_pki(dir.path(), "elsewhere");
    let config = config_file(
        dir.path(),
        broker.port,
        "agent",
        &format!(
            "username = \"samos-east\"\npassword = \"right horse battery\"\n[mqtt.tls]\nca_file = \"{}\"\n",
            other.ca.display()
        ),
    );
    let (ok, stdout, stderr) = run_link_test(&config, &["--count", "1", "--timeout", "3"]);
    assert!(!ok, "an untrusted broker gets nothing: {stdout}");
    assert!(
        stderr.contains("TLS: invalid peer certificate: UnknownIssuer"),
        "{stderr}"
    );
    assert!(stderr.contains("mqtt.tls.ca_file"), "{stderr}");
}
