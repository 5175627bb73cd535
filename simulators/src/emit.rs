//! Network emitters: what AIS receivers offer besides their serial port.
//!
//! Shore-based AIS receivers (and the AIS servers of port authorities) serve their NMEA 0183
//! output to whoever connects over TCP, or send it as UDP datagrams to a configured host;
//! both carry the same `\r\n`-terminated lines as the serial port. These are [`Write`] sinks
//! for [`crate::play::play`]:
//!
//! - [`TcpServer`]: listens; every connected client gets every line written from then on. A
//!   client that cannot keep up (a write blocked for [`CLIENT_WRITE_TIMEOUT`]) or has gone is
//!   dropped, as a receiver's server drops it, without holding the others back; at most
//!   [`MAX_CLIENTS`] at once.
//! - [`UdpSender`]: one datagram a write (a line each, as receivers send them).

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// A client whose socket takes no byte for this long is dropped.
pub const CLIENT_WRITE_TIMEOUT: Duration = Duration::from_millis(500);

/// Clients served at once; more are refused.
pub const MAX_CLIENTS: usize = 32;

/// NMEA over TCP to every connected client.
#[derive(Debug)]
pub struct TcpServer {
    local: SocketAddr,
    clients: Arc<Mutex<Vec<TcpStream>>>,
}

impl TcpServer {
    /// Listens on `addr` (port 0: any free port, see [`TcpServer::local_addr`]) and accepts
    /// clients on a thread of its own.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpServer> {
        let listener = TcpListener::bind(addr)?;
        let local = listener.local_addr()?;
        let clients: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let accepted = clients.clone();
        std::thread::Builder::new()
            .name(format!("bordersim-tcp-{}", local.port()))
            .spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let mut clients = accepted.lock().unwrap_or_else(PoisonError::into_inner);
                    if clients.len() >= MAX_CLIENTS {
                        tracing::warn!(%local, "NMEA client refused: {MAX_CLIENTS} connected");
                        continue;
                    }
                    if stream.set_write_timeout(Some(CLIENT_WRITE_TIMEOUT)).is_ok() {
                        tracing::info!(%local, peer = ?stream.peer_addr().ok(), "NMEA client connected");
                        clients.push(stream);
                    }
                }
            })?;
        Ok(TcpServer { local, clients })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Clients connected now.
    pub fn clients(&self) -> usize {
        self.clients
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Write for TcpServer {
    /// Sends `buf` whole to every client; drops those that fail. Never fails itself: a
    /// receiver with no listener still runs.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        clients.retain_mut(|client| match client.write_all(buf) {
            Ok(()) => true,
            Err(e) => {
                tracing::info!(peer = ?client.peer_addr().ok(), error = %e, "NMEA client dropped");
                false
            }
        });
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// NMEA over UDP to one address.
#[derive(Debug)]
pub struct UdpSender {
    socket: UdpSocket,
}

impl UdpSender {
    /// Sends to `target` from an ephemeral local port.
    pub fn connect(target: SocketAddr) -> io::Result<UdpSender> {
        let local: SocketAddr = if target.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(local)?;
        socket.connect(target)?;
        Ok(UdpSender { socket })
    }
}

impl Write for UdpSender {
    /// One datagram. Nobody listening (`ECONNREFUSED` from an earlier datagram) is not an
    /// error for a sender of datagrams: the bytes are gone, as they would be on the wire.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.socket.send(buf) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => Ok(buf.len()),
            Err(e) => Err(e),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
