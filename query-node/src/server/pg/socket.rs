//! One client socket: TLS negotiation, then pgwire's message dispatch, with output flushed
//! the way a Postgres backend flushes it — at ReadyForQuery, on the client's Flush, when a
//! reply is awaited (authentication, COPY) or an error is sent — instead of after every
//! message. A prepared point read then answers in one write (BindComplete, DataRow,
//! CommandComplete, ReadyForQuery) rather than three, and the client wakes once.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use pgwire::api::{ClientInfo, PgWireConnectionState, PgWireServerHandlers};
use pgwire::messages::PgWireFrontendMessage;
use pgwire::tokio::server::{MaybeTls, negotiate_tls, process_error, process_message};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_util::codec::{Framed, FramedParts};

/// How long a client may take to start up and authenticate (Postgres'
/// `authentication_timeout` default).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Output held back beyond this many bytes is written out anyway.
const MAX_HELD: usize = 64 * 1024;

/// Backend message types after which the client waits for something — its turn
/// (ReadyForQuery `Z`), an authentication reply (`R`), COPY data (`G`, `H`, `W`) — or which
/// must not wait (ErrorResponse `E`, NotificationResponse `A`).
fn must_flush_after(message_type: u8) -> bool {
    matches!(message_type, b'Z' | b'R' | b'G' | b'H' | b'W' | b'E' | b'A')
}

/// Where the writer is inside the stream of backend messages.
#[derive(Debug, Clone, Copy)]
enum Position {
    /// At a message boundary: the next byte is a message type.
    Boundary,
    /// Inside the 4-byte length of a message of this type, `read` bytes of it seen so far.
    Length { read: usize, bytes: [u8; 4] },
    /// Inside a message body, with this many bytes left.
    Body(usize),
}

/// A socket whose flushes are real only when Postgres would flush: writes are held in a
/// buffer until a message that ends a turn has been written, the client asked for a flush
/// ([`DeferredFlush::flush_now`]), or the buffer is large.
pub struct DeferredFlush<S> {
    inner: S,
    held: Vec<u8>,
    /// Bytes of `held` already written to `inner`.
    written: usize,
    position: Position,
    /// A message after which output must reach the client was held.
    due: bool,
    /// The next flush is real whatever was written (the client sent Flush).
    forced: bool,
}

impl<S> DeferredFlush<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            held: Vec::new(),
            written: 0,
            position: Position::Boundary,
            due: false,
            forced: false,
        }
    }

    /// Makes the next flush write everything held.
    pub fn flush_now(&mut self) {
        self.forced = true;
    }

    /// Follows message boundaries through `bytes`, noting messages that must be flushed.
    fn track(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            match self.position {
                Position::Boundary => {
                    if must_flush_after(bytes[0]) {
                        self.due = true;
                    }
                    self.position = Position::Length {
                        read: 0,
                        bytes: [0; 4],
                    };
                    bytes = &bytes[1..];
                }
                Position::Length {
                    mut read,
                    bytes: mut len,
                } => {
                    let take = (4 - read).min(bytes.len());
                    len[read..read + take].copy_from_slice(&bytes[..take]);
                    read += take;
                    bytes = &bytes[take..];
                    self.position = if read == 4 {
                        // The length counts itself; a malformed one is treated as empty.
                        match (u32::from_be_bytes(len) as usize).saturating_sub(4) {
                            0 => Position::Boundary,
                            body => Position::Body(body),
                        }
                    } else {
                        Position::Length { read, bytes: len }
                    };
                }
                Position::Body(left) => {
                    let take = left.min(bytes.len());
                    bytes = &bytes[take..];
                    self.position = if take == left {
                        Position::Boundary
                    } else {
                        Position::Body(left - take)
                    };
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> DeferredFlush<S> {
    /// Writes everything held to the inner socket.
    fn poll_write_held(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.held.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.held[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.held.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for DeferredFlush<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for DeferredFlush<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.held.len() >= MAX_HELD {
            ready!(self.poll_write_held(cx))?;
        }
        self.track(buf);
        self.held.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !(self.due || self.forced) {
            return Poll::Ready(Ok(()));
        }
        ready!(self.poll_write_held(cx))?;
        ready!(Pin::new(&mut self.inner).poll_flush(cx))?;
        self.due = false;
        self.forced = false;
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_write_held(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves one client connection with `handlers` until it ends.
pub async fn serve_socket<H: PgWireServerHandlers>(
    tcp: TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    handlers: H,
) -> io::Result<()> {
    let startup_deadline = tokio::time::sleep(STARTUP_TIMEOUT);
    tokio::pin!(startup_deadline);
    let negotiated = tokio::select! {
        _ = &mut startup_deadline => return Ok(()),
        s = negotiate_tls(tcp, tls) => s?,
    };
    // A client that asked for direct TLS where none is configured: nothing to serve.
    let Some(socket) = negotiated else {
        return Ok(());
    };
    let parts = socket.into_parts();
    let mut deferred = FramedParts::new(DeferredFlush::<MaybeTls>::new(parts.io), parts.codec);
    deferred.read_buf = parts.read_buf;
    deferred.write_buf = parts.write_buf;
    let mut socket = Framed::from_parts(deferred);

    let startup = handlers.startup_handler();
    let simple = handlers.simple_query_handler();
    let extended = handlers.extended_query_handler();
    let copy = handlers.copy_handler();
    let cancel = handlers.cancel_handler();
    loop {
        let starting = matches!(
            socket.state(),
            PgWireConnectionState::AwaitingStartup
                | PgWireConnectionState::AuthenticationInProgress
        );
        let next = if starting {
            tokio::select! {
                _ = &mut startup_deadline => None,
                m = socket.next() => m,
            }
        } else {
            socket.next().await
        };
        let Some(Ok(message)) = next else { break };
        if matches!(message, PgWireFrontendMessage::Terminate(_)) {
            break;
        }
        let client_flush = matches!(message, PgWireFrontendMessage::Flush(_));
        let wait_for_sync = match socket.state() {
            PgWireConnectionState::CopyInProgress(extended) => extended,
            _ => message.is_extended_query(),
        };
        if let Err(e) = process_message(
            message,
            &mut socket,
            startup.clone(),
            simple.clone(),
            extended.clone(),
            copy.clone(),
            cancel.clone(),
        )
        .await
        {
            process_error(&mut socket, e, wait_for_sync).await?;
        }
        if client_flush {
            socket.get_mut().flush_now();
            socket.flush().await?;
        }
    }
    // Whatever is still held (e.g. an error before the client went away) goes out.
    socket.get_mut().flush_now();
    let _ = socket.flush().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![kind];
        m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        m.extend_from_slice(body);
        m
    }

    #[test]
    fn only_turn_ending_messages_make_a_flush_due() {
        let mut w = DeferredFlush::new(());
        w.track(&message(b'2', b"")); // BindComplete
        w.track(&message(b'D', b"\x00\x01\x00\x00\x00\x01Z")); // a DataRow holding "Z"
        w.track(&message(b'C', b"SELECT 1\x00"));
        assert!(!w.due, "nothing ends the turn yet");
        w.track(&message(b'Z', b"I"));
        assert!(w.due);
    }

    #[test]
    fn boundaries_are_followed_across_split_writes() {
        let mut w = DeferredFlush::new(());
        let mut bytes = message(b'D', &[b'Z'; 300]);
        bytes.extend(message(b'Z', b"I"));
        // Byte by byte: the 'Z's inside the row are body, the last message is a turn end.
        for (i, b) in bytes.iter().enumerate() {
            w.track(std::slice::from_ref(b));
            let last_message_started = i >= bytes.len() - 6;
            assert_eq!(w.due, last_message_started, "after byte {i}");
        }
    }

    #[tokio::test]
    async fn output_is_held_until_a_turn_ends_or_the_client_flushes() {
        use tokio::io::AsyncWriteExt;
        let mut w = DeferredFlush::new(Vec::<u8>::new());
        let parse_complete = message(b'1', b"");
        w.write_all(&parse_complete).await.unwrap();
        w.flush().await.unwrap();
        assert!(w.inner.is_empty(), "ParseComplete alone is held");
        // The client sent Flush.
        w.flush_now();
        w.flush().await.unwrap();
        assert_eq!(w.inner, parse_complete);

        let tail = [message(b'C', b"SELECT 1\x00"), message(b'Z', b"I")].concat();
        w.write_all(&tail).await.unwrap();
        w.flush().await.unwrap();
        assert_eq!(
            w.inner,
            [parse_complete, tail].concat(),
            "ReadyForQuery flushes"
        );
    }
}
