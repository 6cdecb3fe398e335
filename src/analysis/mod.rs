//! Decisions over results: the regression gate ([`compare`]), the backend
//! ranking ([`recommend`]), the per-backend cost model and crossovers
//! ([`cost_model`]) and the honest winner marks ([`winners`]), all on the
//! statistics of [`crate::stats`].

pub mod compare;
pub mod cost_model;
pub mod paired;
pub mod recommend;
pub mod winners;
