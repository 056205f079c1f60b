//! A loopback HTTP/1.1 server that records each request exactly as it arrived on the socket
//! (method, raw request target, headers, body) and answers with a canned response.
//!
//! Deliberately not a framework: frameworks decode the path before we can see it, and the
//! point of these tests is the bytes the client puts on the wire.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target exactly as sent, e.g. `/reputation/numbers/%2B16035551234?fresh=true`.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The raw path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The raw query string, if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// A header's value (names compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// A canned answer.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Option<serde_json::Value>,
    /// A body that is not JSON, and its content type (used instead of `body` when set).
    pub raw: Option<(&'static str, Vec<u8>)>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply {
            status,
            body: Some(body),
            raw: None,
        }
    }

    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            body: None,
            raw: None,
        }
    }

    pub fn raw(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Reply {
            status,
            body: None,
            raw: Some((content_type, body)),
        }
    }
}

/// A running recorder: its base URL and what it has received so far.
pub struct Recorder {
    pub base_url: String,
    received: Arc<Mutex<Vec<Recorded>>>,
}

impl Recorder {
    /// Starts a recorder on 127.0.0.1 that gives every request `reply`.
    pub async fn start(reply: Reply) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base_url = format!("http://{}", listener.local_addr().expect("bound address"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&received);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let sink = Arc::clone(&sink);
                let reply = reply.clone();
                tokio::spawn(async move {
                    let mut reader = BufReader::new(socket);
                    while let Some(recorded) = read_request(&mut reader).await {
                        sink.lock().expect("not poisoned").push(recorded);
                        let head_and_body = render(&reply);
                        if reader.get_mut().write_all(&head_and_body).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Recorder { base_url, received }
    }

    /// The only request received so far (panics unless exactly one arrived).
    pub fn only(&self) -> Recorded {
        let received = self.received.lock().expect("not poisoned");
        assert_eq!(
            received.len(),
            1,
            "expected exactly one request: {received:?}"
        );
        received[0].clone()
    }
}

async fn read_request<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> Option<Recorded> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.trim_end().splitn(3, ' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await.ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.ok()?;
    Some(Recorded {
        method,
        target,
        headers,
        body,
    })
}

fn render(reply: &Reply) -> Vec<u8> {
    let (content_type, body) = match (&reply.raw, &reply.body) {
        (Some((content_type, raw)), _) => (Some(*content_type), raw.clone()),
        (None, Some(json)) => (
            Some("application/json"),
            serde_json::to_vec(json).expect("serialisable"),
        ),
        (None, None) => (None, Vec::new()),
    };
    let mut out = format!(
        "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
        reply.status,
        body.len()
    );
    if let Some(content_type) = content_type {
        out.push_str(&format!("content-type: {content_type}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend(body);
    bytes
}
