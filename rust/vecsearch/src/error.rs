//! Errors of the safe core and their kinds.
//!
//! Each [`ErrorKind`] maps to exactly one stable C status code in
//! [`crate::ffi`]; the mapping lives there so that the numbers are written
//! down in one place next to the header they must match.

use std::fmt;

/// What went wrong, independent of the message. Stable: kinds are only ever
/// appended, like the C status codes they map to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A required pointer was null (C ABI only).
    Null,
    /// An argument has a bad value: `k = 0`, `d = 0`, an unknown metric, a
    /// NaN or infinite component, a negative id, mismatched lengths.
    InvalidArgument,
    /// A vector's dimension differs from the index's.
    Dimension,
    /// The index must be trained before this call (IVF-PQ; a flat index is
    /// always trained).
    NotTrained,
    /// A panic was caught at the C ABI boundary (C ABI only).
    Panic,
    /// Reading or writing a file failed (save/load).
    Io,
    /// A file or buffer is not a valid index (load).
    Corrupt,
    /// Memory for the new vectors could not be reserved.
    OutOfMemory,
    /// The operation does not apply to this index (e.g. re-rank without
    /// refine storage).
    Unsupported,
}

/// An error from the library: a kind plus a human-readable message.
///
/// Messages are built only on the error path, so the success path allocates
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// Creates an error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Shorthand for [`ErrorKind::InvalidArgument`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    /// Shorthand for [`ErrorKind::Corrupt`].
    pub fn corrupt(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Corrupt, message)
    }

    /// Shorthand for [`ErrorKind::Dimension`].
    pub fn dimension(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Dimension, message)
    }

    /// The kind, for programmatic checks.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the kind.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::collections::TryReserveError> for Error {
    fn from(e: std::collections::TryReserveError) -> Self {
        Self::new(ErrorKind::OutOfMemory, format!("reserving memory: {e}"))
    }
}
