//! Bridge: country A's broker forwards `borderfuse/v1/#` to country B's over a mosquitto
//! `connection` bridge; alerts raised at a post in A reach a subscriber on B.

mod link_support;

use link_support::{
    Mosquitto, Subscriber, agent_config_text, free_port, raised_ids, run_link_test,
};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_raised_at_a_post_in_country_a_reaches_a_subscriber_in_country_b() {
    let dir = tempfile::tempdir().unwrap();
    let port_b = free_port();
    let broker_b = Mosquitto::start(dir.path(), "country-b", port_b, "allow_anonymous true");
    let port_a = free_port();
    let broker_a = Mosquitto::start(
        dir.path(),
        "country-a",
        port_a,
        &format!(
            "allow_anonymous true\n\
             connection to-country-b\n\
             address 127.0.0.1:{port_b}\n\
             topic borderfuse/v1/# out 1\n\
             cleansession false\n\
             restart_timeout 1 2\n"
        ),
    );
    let subscriber_b = Subscriber::start(port_b, "country-b-operations", false, |_| {}).await;

    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        agent_config_text(port_a, &dir.path().join("outbox"), ""),
    )
    .unwrap();
    let (ok, stdout, stderr) = run_link_test(
        &config,
        &[
            "--count",
            "10",
            "--rate",
            "0",
            "--id-prefix",
            "from-a",
            "--print-ids",
            "--timeout",
            "30",
        ],
    );
    assert!(ok, "{stdout}\n{stderr}");
    let raised = raised_ids(&stdout);
    assert_eq!(raised.len(), 10);
    let got = subscriber_b
        .wait_for(&raised, Duration::from_secs(20))
        .await;
    assert!(
        raised.is_subset(&got),
        "B received {got:?}\nA's log:\n{}\nB's log:\n{}",
        broker_a.log(),
        broker_b.log()
    );
}
