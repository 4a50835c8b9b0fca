//! The pages at `/`: the login, the supervisor's board and the agent
//! console (`web/`), compiled into the binary so they work with no network.
//! Each file carries a strong ETag (its SHA-256) and `Cache-Control:
//! no-cache`: a browser keeps it and revalidates it with one 304.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;

use crate::wire::http;

#[derive(Embed)]
#[folder = "web/"]
struct Pages;

/// `GET /`: the login page (it turns into the board or the console).
pub async fn index(headers: HeaderMap) -> Response {
    file("index.html", &headers)
}

/// `GET /web/<file>`: the pages' scripts, styles and vendored libraries.
pub async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    file(&name, &headers)
}

fn file(name: &str, headers: &HeaderMap) -> Response {
    let Some(found) = Pages::get(name) else { return http::not_found() };
    let etag = format!("\"{}\"", hex::encode(found.metadata.sha256_hash()));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|asked| asked.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let mut response =
        if fresh { StatusCode::NOT_MODIFIED.into_response() } else { found.data.into_owned().into_response() };
    let h = response.headers_mut();
    if !fresh {
        let mime = found.metadata.mimetype();
        // Module scripts must be served as JavaScript, whatever the guess.
        let mime = if name.ends_with(".js") { "text/javascript; charset=utf-8" } else { mime };
        h.insert(header::CONTENT_TYPE, HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("text/plain")));
    }
    if let Ok(tag) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, tag);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    protect(h, PAGES_POLICY);
    response
}

/// The pages' Content-Security-Policy: script, style, connections and
/// images from this server only (images also `data:`), no inline script or
/// style, no plugins, no `<base>`, never framed. A script injected through
/// a field that escaped escaping would not run.
pub const PAGES_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `/docs/`'s: as the pages', but Swagger UI sets `style` attributes as it
/// renders, so inline style is allowed there (inline script still is not).
pub const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// The headers every page carries: they hold credentials in
/// sessionStorage, so no framing by other sites, no type sniffing, no
/// referrer sent elsewhere, and `policy`.
fn protect(h: &mut HeaderMap, policy: &'static str) {
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}

/// Adds the pages' protective headers, with `DOCS_POLICY`, to everything
/// under `/docs/` (Swagger UI's files, served by its own router).
pub async fn docs_headers(mut response: Response) -> Response {
    protect(response.headers_mut(), DOCS_POLICY);
    response
}
