//! The DeepCall wire format and nothing else: lenient request bodies, the
//! per-section envelopes, the error tables, ETag and CORS quirks.

pub mod body;
pub mod detail;
pub mod errors;
pub mod http;
pub mod reply;

pub use body::{Body, Malformed};
pub use detail::Detail;
pub use errors::ErrorCode;
