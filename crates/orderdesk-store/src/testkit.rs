//! Conformance suite: filled in by the store work.
