//! An export of one's posts: a ZIP with one Markdown file a post (front matter: id,
//! title, created_at; then the body as written) and `posts.json`, the same posts as
//! JSON. Streamed: the archive is written as the posts are read, a page at a time, and
//! sent in chunks through a bounded channel, so memory stays bounded by a page of posts,
//! the channel, and the archive's central directory (about a hundred bytes a post, which
//! a ZIP must keep to write at its end).

use std::io::{self, Write};

use actix_web::web::{self, Bytes};
use futures::Stream;
use quill_posts::Post;
use serde::Serialize;
use tokio::sync::mpsc;
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, ZipWriter};

use super::posts::page;
use super::{CurrentUser, Failure};
use crate::state::AppState;

/// Posts read per page.
const PAGE_POSTS: usize = 100;
/// The size of a chunk sent to the client.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks written ahead of the client: the channel's bound.
const CHUNKS_AHEAD: usize = 4;

/// The name of a download of `username`'s export.
pub fn file_name(username: &str) -> String {
    format!("quill-{username}.zip")
}

/// A post in `posts.json`.
#[derive(Serialize)]
struct PostRecord<'a> {
    id: String,
    title: &'a str,
    created_at: String,
    body: &'a str,
}

impl<'a> PostRecord<'a> {
    fn of(post: &'a Post) -> Self {
        Self {
            id: post.id.to_string(),
            title: &post.title,
            created_at: post.id.created_at_rfc3339(),
            body: &post.body,
        }
    }
}

/// A post as a Markdown file: front matter, a blank line, the body byte for byte. The
/// title is a JSON string, which YAML reads as its double-quoted scalar.
pub fn markdown_file(post: &Post) -> String {
    let title = serde_json::Value::from(post.title.as_str()).to_string();
    format!(
        "---\nid: {}\ntitle: {title}\ncreated_at: {}\n---\n\n{}",
        post.id,
        post.id.created_at_rfc3339(),
        post.body
    )
}

/// The bytes the archive writes, gathered into chunks for the channel. A client that
/// went away closes the channel, which fails the next write and ends the export.
struct Chunks {
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    buf: Vec<u8>,
}

impl Chunks {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(CHUNK_BYTES),
        ));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for Chunks {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

type Archive = ZipWriter<StreamWriter<Chunks>>;

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true)
}

/// Which file of the archive a pass over the posts writes.
#[derive(Clone, Copy, PartialEq)]
enum Pass {
    Markdown,
    Json,
}

/// Writes one page of posts into the archive, on a blocking thread (compression is
/// work, and a slow client blocks the channel).
async fn write_page(
    archive: Archive,
    pass: Pass,
    posts: Vec<Post>,
    first: bool,
) -> Result<Archive, Failure> {
    let written = tokio::task::spawn_blocking(move || -> Result<Archive, anyhow::Error> {
        let mut archive = archive;
        for (i, post) in posts.iter().enumerate() {
            match pass {
                Pass::Markdown => {
                    archive.start_file(format!("posts/{}.md", post.id), options())?;
                    archive.write_all(markdown_file(post).as_bytes())?;
                }
                Pass::Json => {
                    let separator = if first && i == 0 { "\n  " } else { ",\n  " };
                    archive.write_all(separator.as_bytes())?;
                    serde_json::to_writer(&mut archive, &PostRecord::of(post))?;
                }
            }
        }
        Ok(archive)
    })
    .await
    .map_err(|e| Failure::Internal(e.into()))?;
    written.map_err(Failure::Internal)
}

/// Every post of `user`, page by page, into the archive (one pass of two).
async fn write_pass(
    state: &AppState,
    user: &CurrentUser,
    mut archive: Archive,
    pass: Pass,
) -> Result<Archive, Failure> {
    let mut before = None;
    let mut first = true;
    loop {
        let page = page(state, user, before, PAGE_POSTS).await?;
        archive = write_page(archive, pass, page.posts, first).await?;
        first = false;
        match page.next {
            Some(next) => before = Some(next),
            None => return Ok(archive),
        }
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, anyhow::Error> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Failure::Internal(e.into()))?
        .map_err(Failure::Internal)
}

/// Writes the whole archive: the Markdown files, then `posts.json`.
async fn write_archive(
    state: &AppState,
    user: &CurrentUser,
    chunks: Chunks,
) -> Result<(), Failure> {
    let archive = ZipWriter::new_stream(chunks);
    let mut archive = write_pass(state, user, archive, Pass::Markdown).await?;
    archive = blocking(move || {
        archive.start_file("posts.json", options())?;
        archive.write_all(b"[")?;
        Ok(archive)
    })
    .await?;
    let archive = write_pass(state, user, archive, Pass::Json).await?;
    blocking(move || {
        let mut archive = archive;
        archive.write_all(b"\n]\n")?;
        let mut chunks = archive.finish()?.into_inner();
        chunks.flush()?;
        Ok(())
    })
    .await
}

/// The export of `user`'s posts, as a stream of the archive's bytes. It starts at once;
/// a store that fails part-way ends the stream with an error (the download breaks off
/// rather than ending in a archive that looks whole).
pub fn export(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> impl Stream<Item = Result<Bytes, io::Error>> + 'static {
    let (tx, rx) = mpsc::channel(CHUNKS_AHEAD);
    let chunks = Chunks {
        tx: tx.clone(),
        buf: Vec::with_capacity(CHUNK_BYTES),
    };
    actix_web::rt::spawn(async move {
        if let Err(error) = write_archive(&state, &user, chunks).await {
            tracing::warn!(%error, user = user.id.0, "export broken off");
            let _ = tx
                .send(Err(io::Error::other("the export could not be finished")))
                .await;
        }
    });
    futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    })
}
