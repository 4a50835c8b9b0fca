//! Why a request was refused, for the integrator: the `Agentdesk-Error-Detail`
//! response header and the request's log line. The envelope stays DeepCall's.
//!
//! The header is a Structured Field dictionary (RFC 8941), so any SF parser
//! reads it: `code=1502, field="/groupID", reason="unknown filter key: …"`.
//! `code` repeats the envelope's code; `field` (absent when no one field is at
//! fault) is a JSON Pointer (RFC 6901) into the request body, as RFC 9457
//! problem details point at a field; `reason` is plain English.

use std::borrow::Cow;

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

/// The response header that says which field was refused and why.
pub const HEADER: HeaderName = HeaderName::from_static("agentdesk-error-detail");

/// Longest `field` in the header, in characters after escaping.
pub const MAX_FIELD: usize = 128;
/// Longest `reason` in the header, in characters.
pub const MAX_REASON: usize = 300;

/// Which field of the request is at fault (if one is) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// JSON Pointer into the body (`/filter/0/key`); `None`: no single field.
    pub field: Option<String>,
    pub reason: Cow<'static, str>,
    /// A "no" to a question about an agent's state (not on break, not in
    /// wrap-up), which DeepCall answers in the error envelope: the header
    /// says why, but the log line is `debug`, not `info`, since boards and
    /// CRMs ask these all day and every "no" would be a line (at 50,000
    /// questions a second, 8 % of the server's time).
    pub answer: bool,
}

impl Detail {
    /// A refusal no single field explains (a body that is not JSON, a route that does not exist).
    pub fn why(reason: impl Into<Cow<'static, str>>) -> Self {
        Self { field: None, reason: reason.into(), answer: false }
    }

    /// A "no" in the error envelope (see `answer`), for no single field.
    pub fn answer(reason: impl Into<Cow<'static, str>>) -> Self {
        Self { answer: true, ..Self::why(reason) }
    }

    /// A refusal of one field: `path` is its way down from the body's top
    /// (`["filter", "0", "key"]`), made into a JSON Pointer here.
    pub fn at<S: AsRef<str>>(path: &[S], reason: impl Into<Cow<'static, str>>) -> Self {
        Self { field: Some(pointer(path)), reason: reason.into(), answer: false }
    }
}

/// A refused request as the response carries it to `announce`: set by the
/// envelope builders (`reply::error`, `reply::transport_error`) and replaced
/// by the API layer when it knows more.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: u16,
    pub detail: Detail,
}

/// RFC 6901: `~` is `~0` and `/` is `~1` inside a segment.
pub fn pointer<S: AsRef<str>>(path: &[S]) -> String {
    path.iter().map(|s| format!("/{}", s.as_ref().replace('~', "~0").replace('/', "~1"))).collect()
}

/// An sf-string holds printable ASCII only: other bytes of a client's key
/// (and `%` itself) are percent-encoded as UTF-8, like a JSON Pointer in a
/// URI fragment; `"` and `\` are escaped. Cut at `max` characters with `...`.
fn sf_string(text: &str, max: usize) -> String {
    // One unit per character, so a cut never splits a character's bytes either.
    let units: Vec<String> = text
        .chars()
        .map(|c| match c {
            '"' | '\\' => format!("\\{c}"),
            '%' => "%25".to_string(),
            ' '..='~' => c.to_string(),
            _ => c.to_string().bytes().map(|b| format!("%{b:02X}")).collect(),
        })
        .collect();
    let mut encoded = String::with_capacity(max + 2);
    encoded.push('"');
    let whole = units.iter().map(String::len).sum::<usize>() <= max;
    let room = if whole { max } else { max - 3 };
    let mut used = 0;
    for unit in units.iter().take_while(|u| {
        used += u.len();
        used <= room
    }) {
        encoded.push_str(unit);
    }
    if !whole {
        encoded.push_str("...");
    }
    encoded.push('"');
    encoded
}

/// The header's value: `code=C, field="F", reason="R"` (`field` only when known).
pub fn header_value(refusal: &Refusal) -> HeaderValue {
    let mut value = format!("code={}", refusal.code);
    if let Some(field) = &refusal.detail.field {
        value.push_str(&format!(", field={}", sf_string(field, MAX_FIELD)));
    }
    value.push_str(&format!(", reason={}", sf_string(&refusal.detail.reason, MAX_REASON)));
    // Only printable ASCII is left, which a header value always accepts.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("code=1032"))
}

/// Marks `response` as a refusal with `detail` (replacing any detail it had).
pub fn attach(response: &mut Response, code: u16, detail: Detail) {
    response.extensions_mut().insert(Refusal { code, detail });
}

/// Middleware: a refused request gets the detail header (exposed to
/// cross-origin pages, which see no custom header otherwise) and one log
/// line inside the request's span, which carries the request id.
pub async fn announce(mut response: Response) -> Response {
    let Some(refusal) = response.extensions_mut().remove::<Refusal>() else { return response };
    let detail = &refusal.detail;
    // A client's key may be up to a body long: the log keeps as much as the header.
    let field = detail.field.as_deref().map(|f| f.char_indices().nth(MAX_FIELD).map_or(f, |(at, _)| &f[..at]));
    if detail.answer {
        tracing::debug!(code = refusal.code, field, reason = %detail.reason, "request answered no");
    } else {
        tracing::info!(code = refusal.code, field, reason = %detail.reason, "request refused");
    }
    let headers = response.headers_mut();
    headers.insert(HEADER, header_value(&refusal));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Agentdesk-Error-Detail, X-Request-Id"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(code: u16, detail: Detail) -> String {
        header_value(&Refusal { code, detail }).to_str().unwrap().to_string()
    }

    #[test]
    fn the_header_is_a_structured_field_dictionary_with_a_json_pointer() {
        assert_eq!(
            value(1502, Detail::at(&["filter", "0", "key"], "unknown filter key")),
            r#"code=1502, field="/filter/0/key", reason="unknown filter key""#
        );
        assert_eq!(value(1047, Detail::why("the body is empty")), r#"code=1047, reason="the body is empty""#);
    }

    #[test]
    fn keys_are_escaped_as_pointers_and_as_ascii() {
        assert_eq!(pointer(&["a/b", "c~d"]), "/a~1b/c~0d");
        assert_eq!(
            value(1000, Detail::at(&["na\"mé%"], "x\\y")),
            r#"code=1000, field="/na\"m%C3%A9%25", reason="x\\y""#
        );
    }

    #[test]
    fn long_text_is_cut_without_splitting_an_escape() {
        let long = "é".repeat(200);
        let header = value(1000, Detail::at(&[long.as_str()], "r".repeat(1000)));
        let field = header.split("field=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(field.len() <= MAX_FIELD && field.ends_with("...") && field.starts_with("/%C3%A9"), "{field}");
        assert!(field.trim_end_matches("...").ends_with("%A9"), "{field}");
        assert!(header.len() < MAX_FIELD + MAX_REASON + 40, "{header}");
    }
}
