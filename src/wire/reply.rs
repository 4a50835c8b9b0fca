//! Response bytes exactly as DeepCall's Express server sends them: compact
//! JSON, `application/json; charset=utf-8` and Express's weak ETag. The
//! envelopes derive their OpenAPI schemas, so the document shows what is sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Serialize;
use sha1::{Digest, Sha1};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

use std::borrow::Cow;

use super::detail::{self, Detail};
use super::errors::ErrorCode;

/// Express's default weak ETag: `W/"<len hex>-<27 chars of base64(sha1)>"`.
pub fn etag(body: &[u8]) -> String {
    let digest = Sha1::digest(body);
    let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
    format!("W/\"{:x}-{}\"", body.len(), &b64[..27])
}

/// Serialises `value` compactly and answers it with the captured headers.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    json_sized(status, value, 128)
}

/// [`json`] into a buffer of about the reply's size: a multi-megabyte board
/// would otherwise be copied each time its buffer doubles.
fn json_sized<T: Serialize>(status: StatusCode, value: &T, size_hint: usize) -> Response {
    let mut bytes = Vec::with_capacity(size_hint);
    match serde_json::to_writer(&mut bytes, value) {
        Ok(()) => raw_json(status, bytes),
        // Serialising our own wire structs cannot fail; if it ever does, the
        // client still gets an envelope.
        Err(err) => {
            tracing::error!(%err, "response serialisation failed");
            error_with(crate::wire::errors::global::INTERNAL, Detail::why("the reply could not be serialised"))
        }
    }
}

pub fn raw_json(status: StatusCode, bytes: Vec<u8>) -> Response {
    let tag = etag(&bytes);
    let mut response = (status, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, value);
    }
    response
}

/// `{"status":"error","message":M,"code":C}` — the one error shape of every
/// section; on a transport outcome (404, 405, 413, 429, 503) `code` repeats
/// the HTTP status.
#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    #[schema(schema_with = error_status)]
    status: &'static str,
    message: &'static str,
    code: u16,
}

/// The schema of a `status` that is always `"success"`: it keeps every
/// success shape apart from the error envelope (`oneOf` needs exactly one to match).
pub fn success_status() -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["success"])).build()
}

fn error_status() -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["error"])).build()
}

/// The schema of the `code` of a success, always `200`.
pub fn success_code() -> Object {
    ObjectBuilder::new().schema_type(Type::Integer).enum_values(Some([200])).build()
}

fn error_bytes(error: ErrorCode) -> Vec<u8> {
    serde_json::to_vec(&ErrorEnvelope { status: "error", message: error.message, code: error.code }).unwrap_or_default()
}

/// An application error: HTTP 200, as DeepCall clients expect. Its detail
/// header says no more than the message; [`error_with`] says which field and why.
pub fn error(error: ErrorCode) -> Response {
    error_with(error, Detail::why(error.message))
}

/// [`error`] with the field at fault and why (the `Agentdesk-Error-Detail`
/// header and the log line); the body is the same envelope.
pub fn error_with(error: ErrorCode, detail: Detail) -> Response {
    let mut response = raw_json(StatusCode::OK, error_bytes(error));
    detail::attach(&mut response, error.code, detail);
    response
}

/// A transport-level outcome (404, 405, 413, …): the HTTP status says it, the
/// body is still an envelope whose `code` repeats the status; `why` goes to
/// the detail header.
pub fn transport_error(status: StatusCode, message: &'static str, why: impl Into<Cow<'static, str>>) -> Response {
    let mut response = raw_json(status, error_bytes(ErrorCode { code: status.as_u16(), message }));
    detail::attach(&mut response, status.as_u16(), Detail::why(why));
    response
}

/// The success of `Agent`, `Group`, `Role` and our sections: payload keys,
/// then `"status":"success","code":200`.
#[derive(Serialize, ToSchema)]
pub struct Listing<T: Serialize> {
    #[serde(flatten)]
    #[schema(inline)]
    pub payload: T,
    #[schema(schema_with = success_status)]
    pub status: &'static str,
    #[schema(schema_with = success_code)]
    pub code: u16,
}

pub fn listing<T: Serialize>(payload: T) -> Response {
    json(StatusCode::OK, &Listing { payload, status: "success", code: 200 })
}

/// [`listing`] of about `size_hint` bytes.
pub fn listing_sized<T: Serialize>(payload: T, size_hint: usize) -> Response {
    json_sized(StatusCode::OK, &Listing { payload, status: "success", code: 200 }, size_hint)
}

/// The reply of write endpoints: `{"status":"success","code":200,"message":M}`
/// (the order the updateAgentGroupMapping success is documented in).
#[derive(Serialize, ToSchema)]
pub struct Done<'a> {
    #[schema(schema_with = success_status)]
    status: &'static str,
    #[schema(schema_with = success_code)]
    code: u16,
    /// What was done (`Agent updated`).
    message: &'a str,
}

pub fn done(message: &str) -> Response {
    json(StatusCode::OK, &Done { status: "success", code: 200, message })
}

/// Section `agentProfile`: `{"status":"success","data":{…}}`.
#[derive(Serialize, ToSchema)]
pub struct Profile<T> {
    #[schema(schema_with = success_status)]
    status: &'static str,
    #[schema(inline)]
    data: T,
}

pub fn profile<T: Serialize>(data: T) -> Response {
    json(StatusCode::OK, &Profile { status: "success", data })
}

/// Section `agentDashboard`: `{"message":PAYLOAD,"status":"success"}`.
#[derive(Serialize, ToSchema)]
pub struct Dashboard<T> {
    #[schema(inline)]
    message: T,
    #[schema(schema_with = success_status)]
    status: &'static str,
}

pub fn dashboard<T: Serialize>(message: T) -> Response {
    json(StatusCode::OK, &Dashboard { message, status: "success" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_matches_the_captured_timeline_example() {
        let body = br#"{"agEvent":[],"event":[],"data":{},"lineChart":{},"window":300,"status":"success","code":200,"lstSync":0}"#;
        assert_eq!(etag(body), r#"W/"69-UJSny+dwExCtUzdihFXbECrY8Gc""#);
    }

    #[test]
    fn error_envelope_matches_the_captured_permission_denied() {
        let bytes = error_bytes(crate::wire::errors::global::PERMISSION_DENIED);
        assert_eq!(bytes, br#"{"status":"error","message":"Permission denied","code":1015}"#);
        assert_eq!(etag(&bytes), r#"W/"3c-pSrtaoek7bATDVxUhKpKMDE6hUw""#);
    }
}
