//! Static assets, compiled into the binary so that `quill` runs from any directory.
//! URLs carry a content hash (`?v=`), so browsers may cache them for a year. Each is
//! gzipped once, at first use, not per request.

use std::sync::LazyLock;

use flate2::Compression;

use actix_web::http::header::{self, ETag, EntityTag};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::compress;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
    gzipped: Vec<u8>,
    version: String,
    url: String,
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        (
            "quill.css",
            "text/css; charset=utf-8",
            include_bytes!("../../../static/quill.css").as_slice(),
        ),
        (
            "icon.svg",
            "image/svg+xml",
            include_bytes!("../../../static/icon.svg").as_slice(),
        ),
    ]
    .into_iter()
    .map(|(name, content_type, bytes)| {
        let digest = Sha256::digest(bytes);
        let version: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        let url = format!("/static/{name}?v={version}");
        Asset {
            name,
            content_type,
            bytes,
            gzipped: compress::gzip(bytes, Compression::best()),
            version,
            url,
        }
    })
    .collect()
});

/// The versioned URL of an asset; an unknown name is a programming error caught by tests.
pub fn url(name: &str) -> &'static str {
    ASSETS
        .iter()
        .find(|asset| asset.name == name)
        .map_or("/static/missing", |asset| asset.url.as_str())
}

pub async fn serve(req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == name.as_str()) else {
        return HttpResponse::NotFound().finish();
    };
    let etag = EntityTag::new_strong(asset.version.clone());
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_matches('"') == asset.version);
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(ETag(etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::VARY, "Accept-Encoding"));
    if fresh {
        response.finish()
    } else if !asset.gzipped.is_empty() && compress::accepts_gzip(req.headers()) {
        // Already encoded: the Compress middleware leaves it as it is.
        response
            .insert_header((header::CONTENT_ENCODING, "gzip"))
            .content_type(asset.content_type)
            .body(asset.gzipped.clone())
    } else {
        response.content_type(asset.content_type).body(asset.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_gzipped_once() {
        for asset in ASSETS.iter() {
            let mut plain = Vec::new();
            std::io::Read::read_to_end(
                &mut flate2::read::GzDecoder::new(asset.gzipped.as_slice()),
                &mut plain,
            )
            .expect("gzip");
            assert_eq!(plain, asset.bytes, "{}", asset.name);
        }
    }
}
