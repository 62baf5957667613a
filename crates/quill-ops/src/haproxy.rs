//! HAProxy's runtime API, over a Unix socket or TCP: one command per connection.

use std::io::{Read, Write};
use std::time::Duration;

/// How long HAProxy gets to answer one command.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// HAProxy's runtime API: `unix:/path/to/socket` or `host:port`.
#[derive(Debug, Clone)]
pub struct HaproxyAdmin {
    pub address: String,
}

#[derive(Debug, thiserror::Error)]
pub enum HaproxyError {
    #[error("HAProxy admin at {address}")]
    Io {
        address: String,
        #[source]
        source: std::io::Error,
    },
    #[error("HAProxy refused `{command}`: {answer}")]
    Refused { command: String, answer: String },
}

impl HaproxyAdmin {
    /// Sends one command that changes state. HAProxy's `set server` commands answer
    /// nothing when they succeed, so any answer is an error.
    pub fn run(&self, command: &str) -> Result<(), HaproxyError> {
        let answer = self.query(command)?;
        if answer.trim().is_empty() {
            Ok(())
        } else {
            Err(HaproxyError::Refused {
                command: command.to_owned(),
                answer: answer.trim().to_owned(),
            })
        }
    }

    /// Sends one command and returns HAProxy's answer.
    pub fn query(&self, command: &str) -> Result<String, HaproxyError> {
        let io = |source| HaproxyError::Io {
            address: self.address.clone(),
            source,
        };
        let timeout = Some(ANSWER_TIMEOUT);
        let mut stream: Box<dyn ReadWrite> = match self.address.strip_prefix("unix:") {
            Some(path) => {
                let stream = std::os::unix::net::UnixStream::connect(path).map_err(io)?;
                stream.set_read_timeout(timeout).map_err(io)?;
                Box::new(stream)
            }
            None => {
                let stream = std::net::TcpStream::connect(&self.address).map_err(io)?;
                stream.set_read_timeout(timeout).map_err(io)?;
                Box::new(stream)
            }
        };
        stream
            .write_all(format!("{command}\n").as_bytes())
            .map_err(io)?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).map_err(io)?;
        Ok(answer)
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}
