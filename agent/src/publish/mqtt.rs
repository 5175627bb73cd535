//! The alert link: messages go into the disk-backed [outbox](super::outbox) and an MQTT 5
//! connection (rumqttc) empties it, QoS 1, removing each message only after the broker's
//! PUBACK said yes.
//!
//! Three parts:
//! - [`LinkHandle::send`], called by whoever makes messages: returns once they are fsynced
//!   in the outbox (or waits, counted and logged, while a full outbox refuses alerts);
//! - the *outbox thread*, which owns the [`Outbox`] and turns every request that arrived
//!   while it was busy into one commit (one write, one fsync: group commit), so many alerts
//!   share an fsync; removals of acknowledged messages ride along with the next commit of
//!   new messages, or go alone after 20 ms without one (a removal lost to a crash can only
//!   cause a duplicate, never a loss);
//! - the *connection task*, which keeps a copy of what the outbox holds, sends it in order,
//!   reads every PUBACK's reason code, and asks the outbox thread to remove what was
//!   acknowledged.
//!
//! After every (re)connection everything still in the outbox is sent again, in order: a
//! receiver may see an alert twice and recognises it by its id. A PUBACK whose reason code
//! is an error (≥ 0x80: 0x87 not authorised by an ACL, 0x97 quota exceeded, ...) is not a
//! delivery: it is logged and counted (`publish_refused`), the message stays in the outbox,
//! and its topic is held back (no later message on it is sent) until a retry after a
//! jittered exponential backoff. Messages already in flight when the refusal arrived may
//! overtake it; receivers order alerts by id and revision.
//!
//! Each connection is a fresh rumqttc event loop with a clean session: rumqttc's own memory
//! of unacknowledged packets is thrown away with it, since the outbox holds them. Between
//! connections the task waits a jittered exponential backoff (`mqtt.reconnect_min_ms` to
//! `mqtt.reconnect_max_ms`). The retained `.../status` says `online` after each connection;
//! the last will says `offline` if the agent dies, and a clean stop says it itself.

use super::Topics;
use super::outbox::{Class, Message, Outbox, OutboxError, Outcome, Refusal, Seq};
use crate::config::{Config, ConfigError};
use crate::metrics::{Metrics, RateLimit, add, inc, set};
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::{
    ConnectReturnCode, LastWillProperties, Packet, PubAck, PubAckReason, PublishProperties,
};
use rumqttc::v5::{AsyncClient, ConnectionError, Event, MqttOptions};
use rumqttc::{Outgoing, TlsConfiguration, Transport};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// The payload schema of the retained status messages.
pub const STATUS_SCHEMA: &str = "borderfuse.status/1";
/// Content type of every payload the link sends.
pub const CONTENT_TYPE: &str = "application/json";
/// The user property that carries a payload's schema version.
pub const SCHEMA_PROPERTY: &str = "schema";

/// Most requests the outbox thread folds into one commit.
const MAX_GROUP: usize = 4096;
/// How long acknowledged messages may wait for an append to share its fsync before their
/// removal is committed alone.
const REMOVAL_DELAY: Duration = Duration::from_millis(20);
/// How long a clean stop waits for the PUBACKs of messages in flight.
const STOP_WAIT: Duration = Duration::from_secs(2);

/// A message the broker acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// Its sequence number in the outbox.
    pub seq: Seq,
    /// Its id.
    pub id: String,
    /// Alert or track.
    pub class: Class,
}

/// Why the link could not start.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The outbox could not be opened.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// The TLS files or the password file of the config are unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The outbox thread could not be started.
    #[error("starting the outbox thread: {0}")]
    Thread(std::io::Error),
}

/// Why [`LinkHandle::send`] gave up; the messages not stored are handed back.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The link is stopping (or stopped) and these messages could not be stored before.
    #[error("the link is stopping: {} message(s) not stored", .0.len())]
    Stopping(Vec<Message>),
}

enum Command {
    Append {
        messages: Vec<Message>,
        reply: oneshot::Sender<AppendReply>,
    },
    Remove(Vec<Seq>),
    Close,
}

enum AppendReply {
    /// Stored, except these alerts, refused for lack of room (in order).
    Stored { refused: Vec<Message> },
    /// Nothing stored: the write failed.
    Failed {
        messages: Vec<Message>,
        error: String,
    },
}

enum Notice {
    Stored(Vec<(Seq, Arc<Message>)>),
    Shed(Vec<Seq>),
}

/// Gives messages to the link. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LinkHandle {
    commands: std::sync::mpsc::Sender<Command>,
    space: Arc<Notify>,
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Append { messages, .. } => write!(f, "Append({})", messages.len()),
            Command::Remove(s) => write!(f, "Remove({})", s.len()),
            Command::Close => write!(f, "Close"),
        }
    }
}

impl LinkHandle {
    /// Stores `messages` in the outbox, in order, and returns once they are durable (fsynced).
    ///
    /// Alerts refused because the outbox is full are counted (`outbox_alerts_refused`),
    /// logged, kept here and retried, in order, whenever acknowledgements free space (so the
    /// caller waits: back-pressure, not loss). Tracks that do not fit are shed, counted. A
    /// failed write (full disk, I/O error) is counted (`outbox_write_errors`), logged and
    /// retried with backoff. Gives up only when the link stops, handing back what was not
    /// stored.
    ///
    /// # Cancel safety
    /// Not cancel safe: messages of a cancelled call may or may not have been stored.
    pub async fn send(&self, mut messages: Vec<Message>) -> Result<(), SendError> {
        let mut retry = Duration::from_millis(100);
        let mut first_refusal = true;
        let mut log_limit = RateLimit::new(Duration::from_secs(10));
        let mut shutdown = self.shutdown.clone();
        while !messages.is_empty() {
            // Registered before the request, so that space freed meanwhile is not missed.
            let space = self.space.notified();
            tokio::pin!(space);
            space.as_mut().enable();
            let (reply, answer) = oneshot::channel();
            if let Err(std::sync::mpsc::SendError(Command::Append { messages, .. })) =
                self.commands.send(Command::Append { messages, reply })
            {
                return Err(SendError::Stopping(messages));
            }
            let Ok(answer) = answer.await else {
                // The outbox thread closed without answering: the link stopped.
                return Err(SendError::Stopping(Vec::new()));
            };
            let wait = match answer {
                AppendReply::Stored { refused } if refused.is_empty() => return Ok(()),
                AppendReply::Stored { refused } => {
                    if first_refusal {
                        add(&self.metrics.outbox_alerts_refused, refused.len() as u64);
                        first_refusal = false;
                    }
                    if let Some(more) = log_limit.check() {
                        tracing::error!(
                            waiting = refused.len(),
                            more,
                            "outbox full: alerts wait in memory until the broker acknowledges older messages"
                        );
                    }
                    messages = refused;
                    None
                }
                AppendReply::Failed {
                    messages: back,
                    error,
                } => {
                    if let Some(more) = log_limit.check() {
                        tracing::error!(%error, retry_in = ?retry, waiting = back.len(), more, "cannot write the outbox; retrying");
                    }
                    messages = back;
                    let delay = retry;
                    retry = (retry * 2).min(Duration::from_secs(5));
                    Some(delay)
                }
            };
            if *shutdown.borrow() {
                return Err(SendError::Stopping(messages));
            }
            tokio::select! {
                _ = &mut space, if wait.is_none() => {}
                // Also retry now and then, in case space came without a notice.
                _ = tokio::time::sleep(wait.unwrap_or(Duration::from_secs(1))) => {}
                _ = shutdown.changed() => return Err(SendError::Stopping(messages)),
            }
        }
        Ok(())
    }
}

/// A running link: the outbox thread and the connection task.
#[derive(Debug)]
pub struct Link {
    handle: LinkHandle,
    connection: JoinHandle<()>,
    actor: std::thread::JoinHandle<()>,
}

impl Link {
    /// Opens the outbox of `config` (replaying its log) and starts the link on the current
    /// tokio runtime. It stops when `shutdown` turns true. Deliveries are reported on
    /// `delivered` when given (the channel is unbounded: its reader must keep up; it is bounded
    /// in practice by the outbox's own limits).
    pub fn start(
        config: &Config,
        metrics: Arc<Metrics>,
        shutdown: watch::Receiver<bool>,
        delivered: Option<mpsc::UnboundedSender<Delivered>>,
    ) -> Result<Link, LinkError> {
        let options = mqtt_options(config)?;
        let (outbox, recovery) = Outbox::open(&config.outbox.dir, config.outbox.limits())?;
        add(&metrics.outbox_cut_bytes, recovery.cut_bytes);
        set(&metrics.outbox_pending, outbox.len() as u64);
        set(&metrics.outbox_file_bytes, outbox.file_bytes());
        if recovery.cut_bytes > 0 {
            tracing::warn!(
                dir = %config.outbox.dir.display(),
                cut_bytes = recovery.cut_bytes,
                reason = recovery.cut_reason.unwrap_or(""),
                "outbox log ended in a torn or corrupt record: cut (every complete record before it is kept)"
            );
        }
        if !outbox.is_empty() {
            tracing::info!(pending = outbox.len(), dir = %config.outbox.dir.display(), "outbox holds messages from before: sending them first");
        }
        let pending: BTreeMap<Seq, Arc<Message>> =
            outbox.pending().map(|(s, m)| (s, m.clone())).collect();

        let (commands, command_rx) = std::sync::mpsc::channel();
        let (notice_tx, notices) = mpsc::unbounded_channel();
        let space = Arc::new(Notify::new());
        let actor = {
            let space = space.clone();
            let metrics = metrics.clone();
            std::thread::Builder::new()
                .name("outbox".into())
                .spawn(move || outbox_thread(outbox, command_rx, notice_tx, space, metrics))
                .map_err(LinkError::Thread)?
        };
        let context = Context {
            options,
            topics: Topics::new(&config.post.country, &config.post.post),
            status_online: status_payload(config, "online"),
            status_offline: status_payload(config, "offline"),
            max_in_flight: usize::from(config.mqtt.max_in_flight),
            reconnect_min: Duration::from_millis(config.mqtt.reconnect_min_ms),
            reconnect_max: Duration::from_millis(config.mqtt.reconnect_max_ms),
            broker: format!("{}:{}", config.mqtt.host, config.mqtt.port),
            metrics: metrics.clone(),
            commands: commands.clone(),
            delivered,
        };
        let connection = tokio::spawn(connection_task(context, pending, notices, shutdown.clone()));
        Ok(Link {
            handle: LinkHandle {
                commands,
                space,
                metrics,
                shutdown,
            },
            connection,
            actor,
        })
    }

    /// A handle to send messages with.
    pub fn handle(&self) -> LinkHandle {
        self.handle.clone()
    }

    /// Waits for the connection task to end (after shutdown), then closes the outbox once
    /// every request already made is done. Call it after the holders of handles finished
    /// sending: later requests are refused.
    pub async fn join(self) {
        let _ = self.connection.await;
        let _ = self.handle.commands.send(Command::Close);
        let actor = self.actor;
        let _ = tokio::task::spawn_blocking(move || actor.join()).await;
    }
}

/// The rumqttc options of `config`: MQTT 5, clean start, last will, credentials, TLS.
pub fn mqtt_options(config: &Config) -> Result<MqttOptions, ConfigError> {
    let topics = Topics::new(&config.post.country, &config.post.post);
    let mut options = connection_options(config, config.client_id())?;
    options.set_last_will(rumqttc::v5::mqttbytes::v5::LastWill::new(
        topics.status(),
        status_payload(config, "offline"),
        QoS::AtLeastOnce,
        true,
        Some(LastWillProperties {
            delay_interval: None,
            payload_format_indicator: Some(1),
            message_expiry_interval: None,
            content_type: Some(CONTENT_TYPE.into()),
            response_topic: None,
            correlation_data: None,
            user_properties: vec![(SCHEMA_PROPERTY.into(), STATUS_SCHEMA.into())],
        }),
    ));
    Ok(options)
}

/// The rumqttc options of a connection to `config`'s broker as `client_id`: MQTT 5, clean
/// start, keep-alive, credentials, TLS; no last will (only the alert link's connection
/// speaks for the post's status). The hotlist subscriber connects with these too.
pub fn connection_options(config: &Config, client_id: String) -> Result<MqttOptions, ConfigError> {
    let m = &config.mqtt;
    let mut options = MqttOptions::new(client_id, m.host.clone(), m.port);
    options.set_keep_alive(Duration::from_secs(m.keep_alive_s));
    options.set_clean_start(true);
    options.set_connection_timeout(10);
    let mut network = rumqttc::NetworkOptions::new();
    // An alert is one small packet: send it now, not when Nagle's algorithm has waited for
    // the previous packet's TCP acknowledgement (tens of milliseconds).
    network.set_tcp_nodelay(true);
    network.set_connection_timeout(10);
    options.set_network_options(network);
    if let Some(user) = &m.username {
        options.set_credentials(user.clone(), config.mqtt_password()?.unwrap_or_default());
    }
    if let Some(tls) = super::tls::client_config(m)? {
        options.set_transport(Transport::Tls(TlsConfiguration::Rustls(tls)));
    }
    Ok(options)
}

fn status_payload(config: &Config, state: &str) -> Vec<u8> {
    json!({
        "schema": STATUS_SCHEMA,
        "state": state,
        "country": config.post.country,
        "post": config.post.post,
        "agent": concat!("borderfuse-agent ", env!("CARGO_PKG_VERSION")),
        "time": crate::detect::rfc3339(crate::ingest::now_utc_ms() as f64 / 1000.0),
    })
    .to_string()
    .into_bytes()
}

// ---- the outbox thread ----

fn outbox_thread(
    mut outbox: Outbox,
    commands: std::sync::mpsc::Receiver<Command>,
    notices: mpsc::UnboundedSender<Notice>,
    space: Arc<Notify>,
    metrics: Arc<Metrics>,
) {
    // Acknowledged messages waiting to be removed. Their removal is not urgent (a removal
    // lost in a crash only means a duplicate, recognised by its id), so it rides along with
    // the next append's fsync, or is committed alone once nothing else came for a while: an
    // alert then never waits behind a removal's fsync, and each alert costs about one fsync.
    let mut deferred_removals: Vec<Seq> = Vec::new();
    let mut log_limit = RateLimit::new(Duration::from_secs(10));
    // Blocks this thread only: the outbox's file I/O never stalls the async tasks.
    loop {
        let first = if deferred_removals.is_empty() {
            match commands.recv() {
                Ok(c) => Some(c),
                Err(_) => break,
            }
        } else {
            match commands.recv_timeout(REMOVAL_DELAY) {
                Ok(c) => Some(c),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
                // Everyone left: write the removals down, then stop.
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Some(Command::Close),
            }
        };
        let mut group: Vec<Command> = first.into_iter().collect();
        let idle = group.is_empty();
        while !idle && group.len() < MAX_GROUP {
            match commands.try_recv() {
                Ok(c) => group.push(c),
                Err(_) => break,
            }
        }
        let mut removals = std::mem::take(&mut deferred_removals);
        let mut messages = Vec::new();
        let mut replies = Vec::new();
        let mut close = false;
        for command in group {
            match command {
                Command::Append { messages: m, reply } => {
                    replies.push((reply, m.len()));
                    messages.extend(m);
                }
                Command::Remove(s) => removals.extend(s),
                Command::Close => close = true,
            }
        }
        let removals_due = idle || close || removals.len() >= MAX_GROUP;
        if messages.is_empty() && !removals_due {
            deferred_removals = removals;
        } else if !messages.is_empty() || !removals.is_empty() {
            match outbox.commit(&removals, messages) {
                Ok(committed) => {
                    let mut outcomes = committed.outcomes.into_iter();
                    let mut stored = Vec::new();
                    for (reply, n) in replies {
                        let mut refused = Vec::new();
                        for outcome in outcomes.by_ref().take(n) {
                            match outcome {
                                Outcome::Stored(seq, m) => stored.push((seq, m)),
                                Outcome::Refused(m, Refusal::Full) if m.class == Class::Alert => {
                                    refused.push(m);
                                }
                                Outcome::Refused(_, Refusal::Full) => inc(&metrics.tracks_shed),
                                Outcome::Refused(m, Refusal::Invalid { reason }) => {
                                    if m.class == Class::Alert {
                                        inc(&metrics.alerts_dropped);
                                    } else {
                                        inc(&metrics.tracks_shed);
                                    }
                                    tracing::error!(id = %m.id, topic = %m.topic, %reason, "message cannot be stored in the outbox: dropped");
                                }
                            }
                        }
                        let _ = reply.send(AppendReply::Stored { refused });
                    }
                    add(&metrics.outbox_stored, stored.len() as u64);
                    if !committed.shed.is_empty() {
                        add(&metrics.tracks_shed, committed.shed.len() as u64);
                        if let Some(more) = log_limit.check() {
                            tracing::warn!(
                                shed = committed.shed.len(),
                                more,
                                "outbox full: oldest track updates shed"
                            );
                        }
                        let _ = notices.send(Notice::Shed(committed.shed));
                    }
                    if !stored.is_empty() {
                        let _ = notices.send(Notice::Stored(stored));
                    }
                    if committed.removed > 0 {
                        space.notify_waiters();
                    }
                    if let Some(e) = committed.compaction_error {
                        inc(&metrics.outbox_write_errors);
                        if let Some(more) = log_limit.check() {
                            tracing::warn!(error = %e, more, "outbox compaction failed; the log keeps growing until a later one succeeds");
                        }
                    }
                }
                Err(OutboxError::Write {
                    error,
                    messages,
                    removals,
                }) => {
                    inc(&metrics.outbox_write_errors);
                    deferred_removals = removals;
                    let error = error.to_string();
                    let mut back = messages.into_iter();
                    for (reply, n) in replies {
                        let _ = reply.send(AppendReply::Failed {
                            messages: back.by_ref().take(n).collect(),
                            error: error.clone(),
                        });
                    }
                }
                Err(other) => {
                    // `commit` fails only with `Write`; should that change, fail loudly but
                    // keep the messages with their senders.
                    inc(&metrics.outbox_write_errors);
                    tracing::error!(error = %other, "outbox commit failed");
                }
            }
            set(&metrics.outbox_pending, outbox.len() as u64);
            set(&metrics.outbox_file_bytes, outbox.file_bytes());
        }
        if close {
            break;
        }
    }
}

// ---- the connection task ----

struct Context {
    options: MqttOptions,
    topics: Topics,
    status_online: Vec<u8>,
    status_offline: Vec<u8>,
    max_in_flight: usize,
    reconnect_min: Duration,
    reconnect_max: Duration,
    broker: String,
    metrics: Arc<Metrics>,
    commands: std::sync::mpsc::Sender<Command>,
    delivered: Option<mpsc::UnboundedSender<Delivered>>,
}

/// A topic the broker refused a message on: nothing more is sent on it until `until`.
#[derive(Debug, Clone, Copy)]
struct Hold {
    until: Option<Instant>,
    backoff: Duration,
}

/// Everything that outlives one connection.
struct LinkState {
    /// A copy of the outbox's live messages.
    pending: BTreeMap<Seq, Arc<Message>>,
    notices: mpsc::UnboundedReceiver<Notice>,
    notices_open: bool,
    holds: HashMap<String, Hold>,
    log_limit: RateLimit,
}

impl LinkState {
    fn absorb(&mut self, notice: Option<Notice>) {
        match notice {
            Some(Notice::Stored(stored)) => self.pending.extend(stored),
            Some(Notice::Shed(seqs)) => {
                for s in seqs {
                    self.pending.remove(&s);
                }
            }
            None => self.notices_open = false,
        }
    }

    fn is_held(&self, topic: &str) -> bool {
        self.holds.get(topic).is_some_and(|h| h.until.is_some())
    }

    fn next_release(&self) -> Option<Instant> {
        self.holds.values().filter_map(|h| h.until).min()
    }

    /// Ends the holds whose time came; whether any did.
    fn release(&mut self, now: Instant) -> bool {
        let mut any = false;
        for h in self.holds.values_mut() {
            if h.until.is_some_and(|u| u <= now) {
                h.until = None;
                any = true;
            }
        }
        any
    }

    fn hold(&mut self, topic: &str, min: Duration, max: Duration) -> Duration {
        let h = self.holds.entry(topic.to_string()).or_insert(Hold {
            until: None,
            backoff: min,
        });
        let delay = jittered(h.backoff);
        h.until = Some(Instant::now() + delay);
        h.backoff = (h.backoff * 2).min(max);
        delay
    }
}

/// `d` scaled by a random factor in [0.5, 1): spreads the retries of many posts.
fn jittered(d: Duration) -> Duration {
    d.mul_f64(0.5 + 0.5 * rand::random::<f64>())
}

#[derive(Debug, Clone, PartialEq)]
enum Sent {
    Record(Seq),
    Status,
}

enum Ended {
    /// The connection failed or was lost; whether it had been accepted (CONNACK).
    Lost { connected: bool },
    /// Shutdown asked for.
    Shutdown,
}

async fn connection_task(
    ctx: Context,
    pending: BTreeMap<Seq, Arc<Message>>,
    notices: mpsc::UnboundedReceiver<Notice>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut state = LinkState {
        pending,
        notices,
        notices_open: true,
        holds: HashMap::new(),
        log_limit: RateLimit::new(Duration::from_secs(10)),
    };
    let mut backoff = ctx.reconnect_min;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let mut session = Session::open(&ctx);
        let ended = session.run(&ctx, &mut state, &mut shutdown).await;
        match ended {
            Ended::Shutdown => {
                session.goodbye(&ctx, &mut state).await;
                return;
            }
            Ended::Lost { connected } => {
                session.close();
                if connected {
                    backoff = ctx.reconnect_min;
                }
            }
        }
        let delay = jittered(backoff);
        backoff = (backoff * 2).min(ctx.reconnect_max);
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        // Keep the copy of the outbox current while waiting.
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                n = state.notices.recv(), if state.notices_open => state.absorb(n),
                _ = shutdown.changed() => return,
            }
        }
    }
}

/// One connection: a fresh rumqttc event loop polled by its own task (a poll future is never
/// cancelled half-way through a write), and the bookkeeping of what is on the wire.
struct Session {
    client: AsyncClient,
    events: mpsc::Receiver<Result<Event, ConnectionError>>,
    poller: JoinHandle<()>,
    connected: bool,
    window: usize,
    /// Broker's maximum packet size, when it set one.
    max_packet: Option<u32>,
    /// Requests handed to the client, in order, until rumqttc gives them a packet id.
    handed: VecDeque<Sent>,
    in_flight: HashMap<u16, Sent>,
    /// A publish that waits for its packet id to be acknowledged (rumqttc's collision).
    collided: Option<(u16, Sent)>,
    on_wire: HashSet<Seq>,
    /// Messages below this sequence number were considered on this connection.
    cursor: Seq,
}

impl Session {
    fn open(ctx: &Context) -> Session {
        let cap = ctx.max_in_flight + 8;
        let (client, mut eventloop) = AsyncClient::new(ctx.options.clone(), cap);
        let (tx, events) = mpsc::channel(cap.max(64));
        let poller = tokio::spawn(async move {
            loop {
                let event = eventloop.poll().await;
                let failed = event.is_err();
                if tx.send(event).await.is_err() || failed {
                    break;
                }
            }
        });
        Session {
            client,
            events,
            poller,
            connected: false,
            window: ctx.max_in_flight,
            max_packet: None,
            handed: VecDeque::new(),
            in_flight: HashMap::new(),
            collided: None,
            on_wire: HashSet::new(),
            cursor: 0,
        }
    }

    fn outstanding(&self) -> usize {
        self.handed.len() + self.in_flight.len() + usize::from(self.collided.is_some())
    }

    fn close(self) {
        self.poller.abort();
    }

    async fn run(
        &mut self,
        ctx: &Context,
        state: &mut LinkState,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Ended {
        loop {
            self.fill(ctx, state);
            let release = state.next_release();
            tokio::select! {
                event = self.events.recv() => match event {
                    Some(Ok(event)) => self.on_event(ctx, state, event),
                    Some(Err(e)) => {
                        inc(&ctx.metrics.mqtt_errors);
                        if let Some(more) = state.log_limit.check() {
                            tracing::warn!(broker = %ctx.broker, error = %describe(&e), more, pending = state.pending.len(), "MQTT connection failed; reconnecting with backoff");
                        }
                        return Ended::Lost { connected: self.connected };
                    }
                    None => return Ended::Lost { connected: self.connected },
                },
                n = state.notices.recv(), if state.notices_open => state.absorb(n),
                _ = tokio::time::sleep_until(release.unwrap_or_else(Instant::now).into()), if release.is_some() => {
                    if state.release(Instant::now()) {
                        self.cursor = 0;
                    }
                }
                _ = shutdown.changed() => return Ended::Shutdown,
            }
            if *shutdown.borrow() {
                return Ended::Shutdown;
            }
        }
    }

    /// Hands messages to the client, in outbox order, while the window has room.
    fn fill(&mut self, ctx: &Context, state: &mut LinkState) {
        if !self.connected {
            return;
        }
        let now_ms = crate::ingest::now_utc_ms();
        while self.outstanding() < self.window {
            let Some((seq, message)) = state
                .pending
                .range(self.cursor..)
                .next()
                .map(|(s, m)| (*s, m.clone()))
            else {
                break;
            };
            self.cursor = seq + 1;
            if self.on_wire.contains(&seq) || state.is_held(&message.topic) {
                continue;
            }
            let remaining = remaining_expiry_s(&message, now_ms);
            if message.class == Class::Track && remaining == Some(0) {
                // A picture too old to matter: not worth the bandwidth.
                state.pending.remove(&seq);
                let _ = ctx.commands.send(Command::Remove(vec![seq]));
                inc(&ctx.metrics.tracks_shed);
                continue;
            }
            let size = message.payload.len() + message.topic.len() + 256;
            if let Some(max) = self.max_packet
                && size > max as usize
            {
                inc(&ctx.metrics.publish_refused);
                let delay = state.hold(&message.topic, ctx.reconnect_min, ctx.reconnect_max);
                tracing::error!(id = %message.id, topic = %message.topic, bytes = size, broker_max = max, retry_in = ?delay, "message larger than the broker accepts; kept in the outbox");
                continue;
            }
            let properties = PublishProperties {
                payload_format_indicator: Some(1),
                // Alerts keep at least a second: they are never dropped by the agent.
                message_expiry_interval: remaining.map(|r| r.max(1)),
                content_type: Some(CONTENT_TYPE.into()),
                user_properties: message.user_properties.clone(),
                ..PublishProperties::default()
            };
            match self.client.try_publish_with_properties(
                message.topic.clone(),
                QoS::AtLeastOnce,
                false,
                message.payload.clone(),
                properties,
            ) {
                Ok(()) => {
                    self.handed.push_back(Sent::Record(seq));
                    self.on_wire.insert(seq);
                }
                Err(_) => {
                    // The client's queue is full or closed: try again after the next event.
                    self.cursor = seq;
                    break;
                }
            }
        }
    }

    fn on_event(&mut self, ctx: &Context, state: &mut LinkState, event: Event) {
        match event {
            Event::Incoming(Packet::ConnAck(ack)) => {
                self.connected = true;
                inc(&ctx.metrics.mqtt_connects);
                let receive_max = ack.properties.as_ref().and_then(|p| p.receive_max);
                self.max_packet = ack.properties.as_ref().and_then(|p| p.max_packet_size);
                self.window = ctx
                    .max_in_flight
                    .min(receive_max.map_or(usize::MAX, usize::from))
                    .max(1);
                self.cursor = 0;
                tracing::info!(broker = %ctx.broker, pending = state.pending.len(), window = self.window, "connected to MQTT broker");
                if self
                    .client
                    .try_publish_with_properties(
                        ctx.topics.status(),
                        QoS::AtLeastOnce,
                        true,
                        ctx.status_online.clone(),
                        status_properties(),
                    )
                    .is_ok()
                {
                    self.handed.push_back(Sent::Status);
                }
            }
            Event::Outgoing(Outgoing::Publish(pkid)) => {
                let sent = match self.collided.take() {
                    Some((p, sent)) if p == pkid && !self.in_flight.contains_key(&pkid) => {
                        Some(sent)
                    }
                    other => {
                        self.collided = other;
                        self.handed.pop_front()
                    }
                };
                if let Some(sent) = sent {
                    self.in_flight.insert(pkid, sent);
                }
            }
            Event::Outgoing(Outgoing::AwaitAck(pkid)) => {
                if let Some(sent) = self.handed.pop_front() {
                    self.collided = Some((pkid, sent));
                }
            }
            Event::Incoming(Packet::PubAck(ack)) => self.on_puback(ctx, state, &ack),
            Event::Incoming(Packet::Disconnect(d)) => {
                tracing::warn!(broker = %ctx.broker, reason = ?d.reason_code, "broker closed the connection");
            }
            _ => {}
        }
    }

    fn on_puback(&mut self, ctx: &Context, state: &mut LinkState, ack: &PubAck) {
        let Some(sent) = self.in_flight.remove(&ack.pkid) else {
            return;
        };
        let accepted = matches!(
            ack.reason,
            PubAckReason::Success | PubAckReason::NoMatchingSubscribers
        );
        let Sent::Record(seq) = sent else {
            if !accepted {
                tracing::warn!(reason = ?ack.reason, code = reason_code(&ack.reason), "broker refused the status message");
            }
            return;
        };
        self.on_wire.remove(&seq);
        if accepted {
            let Some(message) = state.pending.remove(&seq) else {
                // Shed or expired while in flight: already gone from the outbox.
                return;
            };
            let _ = ctx.commands.send(Command::Remove(vec![seq]));
            state.holds.remove(&message.topic);
            match message.class {
                Class::Alert => inc(&ctx.metrics.alerts_acked),
                Class::Track => inc(&ctx.metrics.tracks_acked),
            }
            if let Some(tx) = &ctx.delivered {
                let _ = tx.send(Delivered {
                    seq,
                    id: message.id.clone(),
                    class: message.class,
                });
            }
        } else {
            inc(&ctx.metrics.publish_refused);
            let Some(message) = state.pending.get(&seq).cloned() else {
                return;
            };
            let delay = state.hold(&message.topic, ctx.reconnect_min, ctx.reconnect_max);
            let reason_string = ack
                .properties
                .as_ref()
                .and_then(|p| p.reason_string.clone())
                .unwrap_or_default();
            if let Some(more) = state.log_limit.check() {
                tracing::error!(
                    id = %message.id,
                    topic = %message.topic,
                    reason = ?ack.reason,
                    code = %format!("{:#04x}", reason_code(&ack.reason)),
                    %reason_string,
                    retry_in = ?delay,
                    more,
                    "broker refused the message (PUBACK reason code): kept in the outbox, retried later"
                );
            }
        }
    }

    /// A clean stop: wait (briefly) for the PUBACKs of what is in flight, say offline,
    /// disconnect.
    async fn goodbye(mut self, ctx: &Context, state: &mut LinkState) {
        if self.connected {
            let deadline = tokio::time::Instant::now() + STOP_WAIT;
            while self.outstanding() > 0 {
                match tokio::time::timeout_at(deadline, self.events.recv()).await {
                    Ok(Some(Ok(event))) => self.on_event(ctx, state, event),
                    _ => break,
                }
            }
            let _ = self.client.try_publish_with_properties(
                ctx.topics.status(),
                QoS::AtLeastOnce,
                true,
                ctx.status_offline.clone(),
                status_properties(),
            );
            let _ = self.client.try_disconnect();
            let _ = tokio::time::timeout(Duration::from_secs(1), async {
                while let Some(Ok(event)) = self.events.recv().await {
                    if matches!(event, Event::Outgoing(Outgoing::Disconnect)) {
                        break;
                    }
                }
            })
            .await;
        }
        if !state.pending.is_empty() {
            tracing::info!(
                pending = state.pending.len(),
                "stopping with messages in the outbox: they are sent at the next start"
            );
        }
        self.close();
    }
}

fn status_properties() -> PublishProperties {
    PublishProperties {
        payload_format_indicator: Some(1),
        content_type: Some(CONTENT_TYPE.into()),
        user_properties: vec![(SCHEMA_PROPERTY.into(), STATUS_SCHEMA.into())],
        ..PublishProperties::default()
    }
}

/// Seconds left of a message's expiry interval at `now_ms` (0 when expired), or `None` when
/// it never expires.
fn remaining_expiry_s(message: &Message, now_ms: u64) -> Option<u32> {
    let expiry = message.expiry_s?;
    let age_s = now_ms.saturating_sub(message.created_ms) / 1000;
    Some(u64::from(expiry).saturating_sub(age_s) as u32)
}

/// The MQTT 5 reason code of a PUBACK reason.
pub fn reason_code(reason: &PubAckReason) -> u8 {
    match reason {
        PubAckReason::Success => 0x00,
        PubAckReason::NoMatchingSubscribers => 0x10,
        PubAckReason::UnspecifiedError => 0x80,
        PubAckReason::ImplementationSpecificError => 0x83,
        PubAckReason::NotAuthorized => 0x87,
        PubAckReason::TopicNameInvalid => 0x90,
        PubAckReason::PacketIdentifierInUse => 0x91,
        PubAckReason::QuotaExceeded => 0x97,
        PubAckReason::PayloadFormatInvalid => 0x99,
    }
}

/// A connection error in words an operator can act on.
pub fn describe(e: &ConnectionError) -> String {
    match e {
        ConnectionError::ConnectionRefused(
            ConnectReturnCode::BadUserNamePassword | ConnectReturnCode::NotAuthorized,
        ) => format!(
            "the broker refused the connection ({}): check mqtt.username and mqtt.password (or mqtt.password_file), and with mTLS mqtt.tls.cert_file",
            match e {
                ConnectionError::ConnectionRefused(ConnectReturnCode::NotAuthorized) => {
                    "not authorized"
                }
                _ => "bad user name or password",
            }
        ),
        ConnectionError::ConnectionRefused(code) => {
            format!("the broker refused the connection: {code:?}")
        }
        _ => {
            // TLS failures come wrapped in I/O errors at several depths; the innermost
            // rustls error says the most.
            let text = match e {
                ConnectionError::Io(io)
                | ConnectionError::Tls(rumqttc::TlsError::Io(io))
                | ConnectionError::MqttState(rumqttc::v5::StateError::Deserialization(
                    rumqttc::v5::mqttbytes::Error::Io(io),
                )) => match io
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                {
                    Some(tls) => format!("TLS: {tls}"),
                    None => format!("I/O: {io}"),
                },
                other => other.to_string(),
            };
            format!("{text}{}", tls_hint(&text))
        }
    }
}

fn tls_hint(text: &str) -> &'static str {
    if text.contains("received fatal alert") {
        " (the broker ended the TLS session: with mTLS, is this post's certificate, mqtt.tls.cert_file, issued by a CA the broker trusts, and still valid?)"
    } else if text.contains("invalid peer certificate") {
        " (the broker's certificate is not trusted: check mqtt.tls.ca_file, and that mqtt.host is a name the certificate carries)"
    } else {
        ""
    }
}
