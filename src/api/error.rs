//! The one error type of the API layer and its one conversion to the wire.

use axum::response::Response;

use crate::store::StoreError;
use crate::wire::errors::global;
use crate::wire::{ErrorCode, reply};

#[derive(Debug)]
pub enum ApiError {
    /// An application error from a section's table, answered as is.
    Code(ErrorCode),
    /// Anything we did not expect: logged here, answered as 1032.
    Internal(anyhow::Error),
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError::Code(code)
    }
}

/// Handlers map `NotFound`/`Conflict` to their own codes before using `?`;
/// reaching this conversion with them means the store broke its contract.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Other(e) => ApiError::Internal(e),
            StoreError::NotFound => ApiError::Internal(anyhow::anyhow!("unexpected NotFound from the store")),
            StoreError::Conflict => ApiError::Internal(anyhow::anyhow!("unexpected Conflict from the store")),
        }
    }
}

impl ApiError {
    pub fn into_response(self) -> Response {
        match self {
            ApiError::Code(code) => reply::error(code),
            ApiError::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "internal error");
                reply::error(global::INTERNAL)
            }
        }
    }
}

pub type ApiResult = Result<Response, ApiError>;
