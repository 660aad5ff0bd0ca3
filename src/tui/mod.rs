//! The interactive terminal session (issue 6).
