//! Decisions over results: the regression gate ([`compare`]) and the backend
//! ranking ([`recommend`]), both on the statistics of [`crate::stats`].

pub mod compare;
pub mod recommend;
