//! Who is calling: the caller the access layer found for the request, and the session cookie's
//! name.

use app::Caller;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "ggzy_session";

/// The caller of the current request (`None`: anonymous), put there by [`authorize`].
#[derive(Clone, Debug)]
pub(crate) struct MaybeCaller(pub(crate) Option<Caller>);
