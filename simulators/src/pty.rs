//! Pseudo-terminals standing in for the serial ports of sensor nodes.
//!
//! The agent opens the slave side (`/dev/pts/N`) as it would open `/dev/ttyUSB0`; the
//! simulator writes the node's frames to the master side. The slave is put in raw mode
//! (`cfmakeraw`: no echo, no CR/LF translation, no line editing), so that `0x00` delimiters and
//! `\n` bytes inside frames pass untouched.
//!
//! A [`Pty`] keeps its own slave descriptor open for its whole life: without it, writes to the
//! master fail with `EIO` whenever no process has the slave open (before the agent opens it,
//! and between two opens when it reconnects). The master is non-blocking, so a writer never
//! hangs on a terminal nobody drains: once the kernel's buffer is full a write fails with
//! `WouldBlock` (see [`mod@crate::play`], which waits a while and then drops).

use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl};
use nix::pty::{OpenptyResult, openpty};
use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// A pseudo-terminal pair; both sides close when it is dropped.
#[derive(Debug)]
pub struct Pty {
    master: OwnedFd,
    /// Held open so that the master never sees `EIO` while no reader has the slave open.
    _slave: OwnedFd,
    path: PathBuf,
}

impl Pty {
    /// Opens a new pseudo-terminal with its slave in raw mode.
    pub fn open() -> io::Result<Pty> {
        let OpenptyResult { master, slave } = openpty(None, None).map_err(io::Error::from)?;
        let mut termios = tcgetattr(&slave).map_err(io::Error::from)?;
        cfmakeraw(&mut termios);
        tcsetattr(&slave, SetArg::TCSANOW, &termios).map_err(io::Error::from)?;
        // openpty(3) does not set close-on-exec; a child process must not inherit the pair.
        for fd in [&master, &slave] {
            fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).map_err(io::Error::from)?;
        }
        let flags = fcntl(&master, FcntlArg::F_GETFL).map_err(io::Error::from)?;
        let flags = OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK;
        fcntl(&master, FcntlArg::F_SETFL(flags)).map_err(io::Error::from)?;
        let path = nix::unistd::ttyname(&slave).map_err(io::Error::from)?;
        Ok(Pty {
            master,
            _slave: slave,
            path,
        })
    }

    /// The slave device, e.g. `/dev/pts/7`: what the agent opens.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A handle on the master to write the node's bytes to (a duplicate descriptor:
    /// non-blocking, like the master itself).
    pub fn writer(&self) -> io::Result<File> {
        Ok(File::from(self.master.try_clone()?))
    }

    /// Makes `at` a symbolic link to the slave device, as udev's `/dev/serial/by-id/...` names
    /// do, so that a config can name a stable path. An existing symlink at `at` is replaced
    /// atomically (a new link is renamed over it); anything else there is left alone and is an
    /// error.
    pub fn link(&self, at: &Path) -> io::Result<()> {
        match std::fs::symlink_metadata(at) {
            Ok(meta) if !meta.file_type().is_symlink() => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a symlink", at.display()),
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let name = at.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} has no file name", at.display()),
            )
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = at.with_file_name(tmp_name);
        // A leftover from a crashed run would make symlink() fail.
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&self.path, &tmp)?;
        std::fs::rename(&tmp, at).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::unix::fs::OpenOptionsExt;

    fn open_slave(path: &Path) -> File {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc_o_noctty())
            .open(path)
            .unwrap()
    }

    fn libc_o_noctty() -> i32 {
        OFlag::O_NOCTTY.bits()
    }

    #[test]
    fn writes_succeed_while_no_reader_has_the_slave_open() {
        let pty = Pty::open().unwrap();
        let mut w = pty.writer().unwrap();
        w.write_all(b"before anyone reads\n").unwrap();
        let mut r = open_slave(pty.path());
        let mut buf = [0u8; 20];
        r.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"before anyone reads\n");
    }

    #[test]
    fn link_replaces_an_existing_symlink_and_refuses_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = Pty::open().unwrap();
        let b = Pty::open().unwrap();
        let at = dir.path().join("radar");
        a.link(&at).unwrap();
        assert_eq!(std::fs::read_link(&at).unwrap(), a.path());
        b.link(&at).unwrap();
        assert_eq!(std::fs::read_link(&at).unwrap(), b.path());
        let file = dir.path().join("plain");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(
            a.link(&file).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert_eq!(std::fs::read(&file).unwrap(), b"x");
    }
}
