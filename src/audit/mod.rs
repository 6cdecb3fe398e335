//! Deep audit: backends compared with each other on generated edge-case
//! inputs ([`diff`]), and timed for secret-dependent behaviour ([`ct`]).
//!
//! Known-answer vectors cover what someone wrote down; the bugs that hurt were
//! found by comparing implementations (Cryptofuzz) and by timing them (dudect,
//! KyberSlash). Nothing here knows a backend's internals: only the traits in
//! [`crate::backend`].

pub mod allow;
pub mod cases;
pub mod ct;
pub mod diff;
pub mod memcheck;
pub mod memcheck_allow;
pub mod memcheck_run;
pub mod open;
