//! Text lines out of a byte stream that arrives in arbitrary chunks.

use heapless::Vec;

/// Why the bytes up to a line ending are not a usable line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineError {
    /// The line was longer than the buffer; its bytes were discarded up to the line ending.
    Overlong {
        /// Length the line reached (saturating).
        len: usize,
    },
}

/// Collects bytes into lines of at most `N` bytes (line ending excluded). `\r` is dropped,
/// `\n` ends a line; an overlong line is discarded whole and reported once at its end, so
/// memory stays bounded whatever the sensor sends.
#[derive(Debug, Default)]
pub struct LineAssembler<const N: usize> {
    buf: Vec<u8, N>,
    /// Length reached by a line that no longer fits (0: the line fits so far).
    overflow_len: usize,
    /// `buf` holds a line already returned; cleared on the next byte.
    returned: bool,
}

impl<const N: usize> LineAssembler<N> {
    /// An empty assembler.
    pub const fn new() -> Self {
        LineAssembler {
            buf: Vec::new(),
            overflow_len: 0,
            returned: false,
        }
    }

    /// Feeds one byte; at a line ending returns the line (possibly empty) or why it was
    /// dropped. The returned line stays valid until the next call.
    pub fn push(&mut self, byte: u8) -> Option<Result<&[u8], LineError>> {
        if core::mem::take(&mut self.returned) {
            self.buf.clear();
        }
        match byte {
            b'\n' => {
                let overflow = core::mem::take(&mut self.overflow_len);
                if overflow > 0 {
                    return Some(Err(LineError::Overlong { len: overflow }));
                }
                self.returned = true;
                Some(Ok(&self.buf))
            }
            b'\r' => None,
            _ => {
                if self.overflow_len > 0 {
                    self.overflow_len = self.overflow_len.saturating_add(1);
                } else if self.buf.push(byte).is_err() {
                    self.overflow_len = N + 1;
                    self.buf.clear();
                }
                None
            }
        }
    }

    /// Whether bytes of an unfinished line are held.
    pub fn in_line(&self) -> bool {
        (!self.buf.is_empty() && !self.returned) || self.overflow_len > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec as StdVec;

    fn lines<const N: usize>(bytes: &[u8]) -> StdVec<Result<StdVec<u8>, LineError>> {
        let mut a = LineAssembler::<N>::new();
        bytes
            .iter()
            .filter_map(|&b| a.push(b).map(|r| r.map(<[u8]>::to_vec)))
            .collect()
    }

    #[test]
    fn crlf_and_lf_both_end_lines() {
        assert_eq!(
            lines::<8>(b"ab\r\ncd\n\n"),
            [Ok(b"ab".to_vec()), Ok(b"cd".to_vec()), Ok(StdVec::new())]
        );
    }

    #[test]
    fn an_overlong_line_is_reported_once_and_the_next_line_is_intact() {
        assert_eq!(
            lines::<4>(b"0123456789\nok\n"),
            [Err(LineError::Overlong { len: 10 }), Ok(b"ok".to_vec())]
        );
    }
}
