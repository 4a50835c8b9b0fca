//! The one error type of the API layer and its one conversion to the wire.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use std::borrow::Cow;

use crate::store::StoreError;
use crate::wire::{Detail, ErrorCode, Malformed, http, reply};

#[derive(Debug)]
pub enum ApiError {
    /// An application error from a section's table, answered as is; the
    /// detail (which field, why), when the handler knows it, goes to the
    /// `Agentdesk-Error-Detail` header and the log line, never to the body.
    Code(ErrorCode, Option<Detail>),
    /// Anything we did not expect: logged here, answered as 1032.
    Internal(anyhow::Error),
    /// The database did not answer: HTTP 503 with the transport envelope
    /// and `Retry-After`, like a request that outlived its deadline.
    Unavailable(String),
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError::Code(code, None)
    }
}

/// Says which field made a refusal and why: `code.at(&["filter", "0"], "…")`.
pub trait Refuse {
    /// Refused because of the field at `path` (its way down from the body's top).
    fn at<S: AsRef<str>>(self, path: &[S], reason: impl Into<Cow<'static, str>>) -> ApiError;
    /// Refused because the required field `key` is missing; `takes` says what it takes.
    fn required(self, key: &str, takes: &str) -> ApiError;
    /// Refused for a reason no single field explains.
    fn because(self, reason: impl Into<Cow<'static, str>>) -> ApiError;
    /// Not a refusal: DeepCall's "no" to a question about an agent's state,
    /// in its error envelope (`Detail::answer`: logged at debug).
    fn answered_no(self) -> ApiError;
}

impl Refuse for ErrorCode {
    fn at<S: AsRef<str>>(self, path: &[S], reason: impl Into<Cow<'static, str>>) -> ApiError {
        ApiError::Code(self, Some(Detail::at(path, reason)))
    }

    fn required(self, key: &str, takes: &str) -> ApiError {
        self.at(&[key], format!("{key} is required: {takes}"))
    }

    fn because(self, reason: impl Into<Cow<'static, str>>) -> ApiError {
        ApiError::Code(self, Some(Detail::why(reason)))
    }

    fn answered_no(self) -> ApiError {
        ApiError::Code(self, Some(Detail::answer(self.message)))
    }
}

/// A field that is there but not of the type its endpoint reads, refused
/// with the endpoint's `code`, pointing at `key` and saying what it must be:
/// `body.id("agentId").or_refuse(codes::INVALID_AGENT_ID, "agentId", body::AN_ID)`.
pub trait OrRefuse<T> {
    fn or_refuse(self, code: ErrorCode, key: &str, must_be: &str) -> Result<T, ApiError>;
}

impl<T> OrRefuse<T> for Result<T, Malformed> {
    fn or_refuse(self, code: ErrorCode, key: &str, must_be: &str) -> Result<T, ApiError> {
        self.map_err(|Malformed| code.at(&[key], format!("{key} must be {must_be}")))
    }
}

/// A required field read through the body's readers: absent is refused as
/// `required` ("agentId is required: …"), of the wrong type as `or_refuse`.
pub trait OrRequire<T> {
    fn or_require(self, code: ErrorCode, key: &str, must_be: &str) -> Result<T, ApiError>;
}

impl<T> OrRequire<T> for Result<Option<T>, Malformed> {
    fn or_require(self, code: ErrorCode, key: &str, must_be: &str) -> Result<T, ApiError> {
        self.or_refuse(code, key, must_be)?.ok_or_else(|| code.required(key, must_be))
    }
}

/// Every place at the password gate is taken (`limits::password_checks`):
/// 503 with `Retry-After`, worth retrying in a moment.
impl From<crate::limits::password_checks::Busy> for ApiError {
    fn from(_: crate::limits::password_checks::Busy) -> Self {
        ApiError::Unavailable("every password check place is taken".into())
    }
}

/// Handlers map `NotFound`/`Conflict` to their own codes before using `?`;
/// reaching this conversion with them means the store broke its contract.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Other(e) => ApiError::Internal(e),
            StoreError::Unavailable(why) => ApiError::Unavailable(why),
            // Retried already (`live`): other nodes kept changing the account.
            StoreError::Raced => ApiError::Unavailable("the account kept changing on other nodes".into()),
            StoreError::NotFound => ApiError::Internal(anyhow::anyhow!("unexpected NotFound from the store")),
            StoreError::Conflict => ApiError::Internal(anyhow::anyhow!("unexpected Conflict from the store")),
        }
    }
}

impl ApiError {
    pub fn into_response(self) -> Response {
        match self {
            ApiError::Code(code, None) => reply::error(code),
            ApiError::Code(code, Some(detail)) => reply::error_with(code, detail),
            ApiError::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "internal error");
                http::internal_error()
            }
            ApiError::Unavailable(why) => {
                tracing::warn!(error = %why, "database unavailable");
                let mut response = reply::transport_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Service unavailable",
                    "the database did not answer; nothing was applied, retry it",
                );
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                response
            }
        }
    }
}

pub type ApiResult = Result<Response, ApiError>;

/// What a store outcome means to one endpoint, said once where the store
/// is called: `NotFound` answers `missing`, `Conflict` answers `taken`
/// (`None`: the endpoint does not expect it — a broken store contract,
/// 1032); any other failure converts as usual.
pub trait StoreOutcome<T> {
    fn or_codes(
        self,
        missing: impl Into<Option<ErrorCode>>,
        taken: impl Into<Option<ErrorCode>>,
    ) -> Result<T, ApiError>;
}

impl<T> StoreOutcome<T> for Result<T, StoreError> {
    fn or_codes(
        self,
        missing: impl Into<Option<ErrorCode>>,
        taken: impl Into<Option<ErrorCode>>,
    ) -> Result<T, ApiError> {
        match (self, missing.into(), taken.into()) {
            (Ok(value), _, _) => Ok(value),
            (Err(StoreError::NotFound), Some(code), _) | (Err(StoreError::Conflict), _, Some(code)) => Err(code.into()),
            (Err(other), _, _) => Err(other.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_that_does_not_answer_is_a_503_with_retry_after_not_a_1032() {
        let store_error = StoreError::from(sqlx::Error::PoolTimedOut);
        assert!(matches!(store_error, StoreError::Unavailable(_)), "{store_error:?}");
        let response = ApiError::from(store_error).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }
}
